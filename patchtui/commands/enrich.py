"""``patchtui enrich``: load offline threat data (CISA KEV, FIRST EPSS)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

import click

from patchtui.commands.common import db_option, echo_json, open_database, plural, safe
from patchtui.errors import ReportError
from patchtui.triage.enrich import LABELS, STALE_AFTER_DAYS, EnrichSummary, enrich_file


def describe(summary: EnrichSummary) -> list[str]:
    """Return the lines ``patchtui enrich`` prints for one loaded file."""
    label = LABELS[summary.kind]
    if summary.duplicate:
        return [f"{safe(summary.file)}: this {label} is already loaded; nothing changed"]
    version = f" {safe(summary.version)}" if summary.version else ""
    lines = [
        f"{safe(summary.file)}: loaded the {label}{version}, released {summary.released[:10]}, "
        f"{plural(summary.rows, 'entry', 'entries')}",
        f"  {plural(summary.vulnerabilities, 'vulnerability', 'vulnerabilities')} in the record "
        f"{'is' if summary.vulnerabilities == 1 else 'are'} covered; due dates or priorities "
        f"changed for {plural(summary.findings_changed, 'finding')}",
    ]
    if summary.stale:
        lines.append(f"  warning: the data is {plural(summary.age_days, 'day')} old (more than "
                     f"{STALE_AFTER_DAYS}); download a newer file")
    return lines


@click.command("enrich")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False, exists=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summaries as JSON.")
@db_option
def enrich_command(files: tuple[Path, ...], as_json: bool, db_path: Path | None) -> None:
    """Load the CISA KEV catalogue (JSON or CSV) and FIRST EPSS scores (CSV, gzipped or not).

    The kind of each file is detected from its content. Each file replaces the
    data of its kind in one transaction; a file that fails, or is older than
    the data already loaded, changes nothing. Due dates and priorities follow.
    Exit status 0 when every file loaded, 1 when any failed.

    Example: patchtui enrich known_exploited_vulnerabilities.json epss_scores-2026-11-30.csv.gz
    """
    db = open_database(db_path, create=True)
    results = []
    failed = False
    for path in files:
        try:
            summary = enrich_file(db, path)
        except ReportError as err:
            failed = True
            results.append({"file": str(path), "status": "failed", "error": str(err)})
            if not as_json:
                click.echo(f"error: {safe(err)}", err=True)
            continue
        status = "duplicate" if summary.duplicate else "loaded"
        results.append({"status": status, **asdict(summary)})
        if not as_json:
            for line in describe(summary):
                click.echo(line)
    if as_json:
        echo_json({"ok": not failed, "files": results})
    sys.exit(1 if failed else 0)
