"""``patchtui scans``: the imported reports."""

from __future__ import annotations

from pathlib import Path

import click

from patchtui.commands.common import db_option, echo_json, open_database, plural, safe
from patchtui.store.scans import list_scans

SCAN_FIELDS = ("id", "scanner", "format", "name", "started_at", "time_source", "hosts", "findings", "new",
               "seen_again", "fixed", "reopened", "not_verifiable", "skipped", "file_name", "sha256",
               "imported_at", "imported_by")
"""The stable schema of ``patchtui scans --json`` objects."""


@click.command("scans")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (see README).")
@db_option
def scans_command(as_json: bool, db_path: Path | None) -> None:
    """List imported scans, newest scan time first, with what each changed."""
    rows = list_scans(open_database(db_path))
    if as_json:
        echo_json([{name: row[name] for name in SCAN_FIELDS} for row in rows])
        return
    click.echo(f"{'ID':>5} {'SCAN TIME':<17} {'SCANNER':<8} {'HOSTS':>5} {'FOUND':>6} {'NEW':>5} "
               f"{'FIXED':>5} {'REOPEN':>6} {'UNVERIF':>7} NAME")
    for row in rows:
        click.echo(f"{row['id']:>5} {row['started_at'][:16].replace('T', ' '):<17} {row['scanner']:<8} "
                   f"{row['hosts'] or 0:>5} {row['findings'] or 0:>6} {row['new'] or 0:>5} "
                   f"{row['fixed'] or 0:>5} {row['reopened'] or 0:>6} {row['not_verifiable'] or 0:>7} "
                   f"{safe(row['name'] or Path(row['file_name']).name)[:40]}")
    click.echo(plural(len(rows), "scan"))
