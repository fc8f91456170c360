"""``patchtui backup``: a consistent copy of the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from patchtui.commands.common import db_option, fail, open_database
from patchtui.store.db import backup_db


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace TARGET if it exists.")
@db_option
def backup_command(target: Path, force: bool, db_path: Path | None) -> None:
    """Write a consistent copy of the database to TARGET, safe while patchtui runs.

    Example: patchtui backup /media/usb/patchtui-2026-12-04.db
    """
    if target.exists():
        if not force:
            fail(f"{target} exists; choose another name or pass --force to replace it")
        target.unlink()
    db = open_database(db_path)
    try:
        backup_db(db, target)
    except (sqlite3.Error, OSError) as err:
        target.unlink(missing_ok=True)
        fail(f"cannot write the backup {target}: {err}")
    click.echo(f"backup written to {target}")
