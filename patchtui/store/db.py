"""Opening the database: file permissions, pragmas and migrations."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock, to_text
from patchtui.errors import PatchtuiError
from patchtui.store.exceptions import expire_overdue
from patchtui.store.migrations import migrate

BUSY_TIMEOUT_MS = 10_000


def _create_private(path: Path) -> None:
    """Create an empty database file readable by its owner only.

    The database lists every known hole in the network, so it is never made
    world-readable; SQLite gives its -wal and -shm files the same mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def open_db(path: Path | str, *, migrate_schema: bool = True,
            clock: Clock = system_clock) -> Database:
    """Open (creating if needed) the patchtui database at ``path`` and bring its schema up to date.

    With ``migrate_schema`` it also expires the exceptions whose last day is
    before ``clock``'s day, so no scheduler is needed for expiry.
    """
    path = Path(path)
    try:
        _create_private(path)
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=True)
        db = Database(connection)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
    except (sqlite3.Error, OSError) as err:
        raise PatchtuiError(f"cannot open the database {path}: {err}") from err
    if migrate_schema:
        try:
            migrate(db)
        except sqlite3.DatabaseError as err:
            raise PatchtuiError(
                f"{path} is not a usable patchtui database ({err}); "
                "pass another file with --db or PATCHTUI_DB"
            ) from err
        _expire_exceptions(db, path, clock)
    return db


def backup_db(db: Database, target: Path) -> None:
    """Write a consistent copy of ``db`` to ``target`` with SQLite's online backup.

    The copy is taken while other processes may read or write; it is created
    owner-only like the database itself.
    """
    _create_private(target)
    copy = sqlite3.connect(target)
    try:
        db.conn.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()


def _expire_exceptions(db: Database, path: Path, clock: Clock) -> None:
    now = clock()
    try:
        expire_overdue(db, today=now.date().isoformat(), at=to_text(now), actor=current_actor())
    except sqlite3.Error as err:
        raise PatchtuiError(f"cannot update expired exceptions in {path}: {err}") from err
