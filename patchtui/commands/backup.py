"""``patchtui backup``: a consistent copy of the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from patchtui.commands.common import db_option, fail, open_database, resolve_db_path
from patchtui.store.db import backup_db


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace TARGET if it exists.")
@db_option
def backup_command(target: Path, force: bool, db_path: Path | None) -> None:
    """Write a consistent copy of the database to TARGET, safe while patchtui runs.

    Example: patchtui backup /media/usb/patchtui-2026-12-04.db
    """
    source = resolve_db_path(db_path)
    if _same_file(source, target):
        fail(f"{target} is the database itself; choose another file for the backup")
    if target.exists() and not force:
        fail(f"{target} exists; choose another name or pass --force to replace it")
    db = open_database(db_path)
    # The copy goes to a temporary file first, so a failed backup never costs the old one.
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        backup_db(db, partial)
        partial.replace(target)
    except (sqlite3.Error, OSError) as err:
        partial.unlink(missing_ok=True)
        fail(f"cannot write the backup {target}: {err}")
    click.echo(f"backup written to {target}")


def _same_file(source: Path, target: Path) -> bool:
    """Tell whether ``target`` is the database or one of its -wal, -shm or -journal files."""
    try:
        resolved = target.resolve()
        database = source.resolve()
    except OSError:
        return False
    companions = {database} | {database.with_name(database.name + suffix)
                               for suffix in ("-wal", "-shm", "-journal")}
    return resolved in companions
