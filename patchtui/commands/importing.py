"""``patchtui import``: record report files."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

import click

from patchtui.commands.common import db_option, echo_json, open_database, plural, safe
from patchtui.errors import ImportCancelled, ReportError
from patchtui.store.ingest import ImportSummary
from patchtui.triage.importing import import_file


def _describe(summary: ImportSummary) -> list[str]:
    if summary.duplicate_of is not None:
        return [f"{safe(summary.file)}: already imported as scan {summary.duplicate_of}; "
                "nothing changed"]
    scan = f'scan {summary.scan_id} "{safe(summary.scan_name)}"' if summary.scan_name else (
        f"scan {summary.scan_id}")
    lines = [
        f"{safe(summary.file)}: imported as {scan} ({summary.format}, scan time "
        f"{summary.scan_time}{' from file date' if summary.time_source == 'file-mtime' else ''})",
        f"  {plural(summary.hosts, 'host')}, {plural(summary.findings, 'finding')}: {summary.new} new, "
        f"{summary.seen_again} seen again, {summary.fixed} fixed, {summary.reopened} reopened, "
        f"{summary.not_verifiable} not verifiable, {summary.skipped} skipped",
    ]
    shown = summary.warnings[:20]
    lines += [f"  note: {safe(warning)}" for warning in shown]
    if len(summary.warnings) > len(shown):
        lines.append(f"  ... and {len(summary.warnings) - len(shown)} more notes (see --json)")
    return lines


@click.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=True, exists=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summaries as JSON.")
@db_option
def import_command(files: tuple[Path, ...], as_json: bool, db_path: Path | None) -> None:
    """Import Nessus and Greenbone/OpenVAS reports (XML or CSV).

    The format is detected from each file's content. Each file is imported in
    its own transaction: a file that fails writes nothing and the others still
    import. Exit status 0 when every file imported, 1 when any failed.

    Example: patchtui import monday.nessus greenbone-report.xml
    """
    db = open_database(db_path, create=True)
    results = []
    failed = False
    for path in files:
        try:
            summary = import_file(db, path)
        except ReportError as err:
            failed = True
            results.append({"file": str(path), "status": "failed", "error": str(err),
                            "reason": err.reason, "line": err.line, "column": err.column})
            if not as_json:
                click.echo(f"error: {safe(err)}", err=True)
            continue
        except ImportCancelled as err:
            failed = True
            results.append({"file": str(path), "status": "failed", "error": str(err)})
            if not as_json:
                click.echo(f"error: {safe(err)}", err=True)
            continue
        status = "duplicate" if summary.duplicate_of is not None else "imported"
        results.append({"status": status, **asdict(summary)})
        if not as_json:
            for line in _describe(summary):
                click.echo(line)
    if as_json:
        echo_json({"ok": not failed, "files": results})
    sys.exit(1 if failed else 0)
