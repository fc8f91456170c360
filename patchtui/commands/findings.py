"""``patchtui findings``: list findings for scripts and quick looks."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import click

from patchtui.clock import system_clock
from patchtui.commands.common import db_option, echo_json, open_database, plural, safe
from patchtui.importers.model import SEVERITIES
from patchtui.store.findings import FindingFilter, iter_findings
from patchtui.text import visible
from patchtui.triage.overdue import overdue_filter

STATUSES = ("open", "in_progress", "patched", "fixed", "false_positive", "accepted")

EXPORT_FIELDS = (
    "id", "ip", "hostname", "host", "tier", "scanner", "plugin_id", "name", "port", "protocol",
    "service", "severity", "scanner_severity", "cvss", "cvss2_score", "cvss3_score",
    "cvss4_score", "cves", "status", "qod", "first_seen", "last_seen", "due_at", "priority",
    "reviewed_at",
)
"""The stable schema of ``--json`` and ``--csv`` rows, in order."""


def export_row(row: dict[str, Any]) -> dict[str, Any]:
    """Shape one listed finding for ``--json`` and ``--csv``."""
    shaped = {name: row.get(name) for name in EXPORT_FIELDS}
    shaped["severity"] = SEVERITIES[row["severity"]]
    shaped["cves"] = [cve for cve in (row["cves"] or "").split(", ") if cve]
    return shaped


def _table_line(row: dict[str, Any]) -> str:
    cvss = f"{row['cvss']:4.1f}" if row["cvss"] is not None else "   -"
    port = f"{row['port']}/{row['protocol']}"
    due = (row["due_at"] or "-")[:10]
    return (f"{row['id']:>7} {SEVERITIES[row['severity']]:<8} {row['status']:<14} "
            f"{safe(row['host'])[:18]:<18} {port:<9} {cvss} {due:<10} {safe(row['name'])[:60]}")


@click.command("findings")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only this status (repeat for several).")
@click.option("--severity", "severities", multiple=True, type=click.Choice(SEVERITIES),
              help="Only this severity (repeat for several).")
@click.option("--host", help="Only hosts whose IP address or name contains this text.")
@click.option("--search", help="Only findings whose name, CVEs or host contain this text.")
@click.option("--scanner", "scanners", multiple=True, type=click.Choice(("nessus", "openvas")),
              help="Only findings from this scanner.")
@click.option("--plugin", "plugins", multiple=True, metavar="ID",
              help="Only this Nessus plugin ID or Greenbone NVT OID (repeat for several).")
@click.option("--min-qod", type=click.IntRange(0, 100), metavar="PERCENT",
              help="Hide Greenbone results whose quality of detection is below PERCENT (the TUI hides below 70).")
@click.option("--overdue", is_flag=True,
              help="Only findings past their due date, the longest overdue first.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (see README).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV with a header row (see README).")
@db_option
def findings_command(statuses: tuple[str, ...], severities: tuple[str, ...], host: str | None,
                     search: str | None, scanners: tuple[str, ...], plugins: tuple[str, ...],
                     min_qod: int | None, overdue: bool, as_json: bool, as_csv: bool,
                     db_path: Path | None) -> None:
    """List findings, highest priority first."""
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    db = open_database(db_path)
    where = FindingFilter(statuses=statuses, severities=severities, host=host, search=search,
                          scanners=scanners, min_qod=min_qod)
    if plugins:
        where.extra_where.append(f"f.plugin_id IN ({', '.join('?' * len(plugins))})")
        where.extra_params.extend(plugins)
    if overdue:
        where = overdue_filter(system_clock(), where)
    rows = iter_findings(db, where, "f.due_at, f.id") if overdue else iter_findings(db, where)
    if as_json:
        echo_json([export_row(row) for row in rows])
    elif as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            shaped = export_row(row)
            shaped["cves"] = " ".join(shaped["cves"])
            writer.writerow({key: visible(str(value)) if isinstance(value, str) else value
                             for key, value in shaped.items()})
    else:
        click.echo(f"{'ID':>7} {'SEVERITY':<8} {'STATUS':<14} {'HOST':<18} {'PORT':<9} CVSS "
                   f"{'DUE':<10} NAME")
        count = 0
        for row in rows:
            click.echo(_table_line(row))
            count += 1
        click.echo(plural(count, "finding"))


