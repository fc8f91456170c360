"""Options and output helpers every command shares."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlite_utils import Database

from patchtui.clock import Clock, system_clock
from patchtui.errors import PatchtuiError
from patchtui.paths import DB_ENV, default_db_path
from patchtui.store import open_db
from patchtui.text import visible

F = TypeVar("F", bound=Callable[..., Any])


def db_option(function: F) -> F:
    """Add ``--db PATH`` to a command; it overrides the group's ``--db`` and $PATCHTUI_DB."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help=f"Database file (default: ${DB_ENV} or the user data directory).",
    )(function)


def resolve_db_path(db_path: Path | None) -> Path:
    """Return the database path from the command's option, the group's option or the default."""
    if db_path is not None:
        return db_path.expanduser()
    context = click.get_current_context()
    root = context.find_root()
    group_path = (root.obj or {}).get("db_path") if isinstance(root.obj, dict) else None
    return group_path.expanduser() if group_path else default_db_path()


def command_clock() -> Clock:
    """Return the clock commands run on: the one a caller put in ``obj["clock"]``, else the system's."""
    root = click.get_current_context().find_root()
    clock = root.obj.get("clock") if isinstance(root.obj, dict) else None
    return clock or system_clock


def open_database(db_path: Path | None, *, create: bool = False) -> Database:
    """Open the database for a command, turning failures into a clean exit 1.

    Only commands that bring data in pass ``create``; for the others a missing
    file is far more often a mistyped ``--db`` than a wish for an empty record.
    """
    path = resolve_db_path(db_path)
    if not create and not path.exists():
        fail(f"database not found: {path}; check --db or ${DB_ENV}, or import a report to create it")
    try:
        return open_db(path, clock=command_clock())
    except PatchtuiError as err:
        fail(str(err))
        raise  # unreachable: fail() exits


def fail(message: str, status: int = 1) -> None:
    """Print an error to stderr and exit with ``status``."""
    click.echo(f"error: {visible(message)}", err=True)
    sys.exit(status)


def echo_json(data: Any) -> None:
    """Print JSON; control characters in report text come out escaped."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=True, default=str))


def safe(text: Any) -> str:
    """Return report text fit for one line of terminal output."""
    return visible("" if text is None else str(text), single_line=True)


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """Return ``1 host`` or ``2 hosts``; ``plural_noun`` replaces the added "s"."""
    return f"{count} {noun}" if count == 1 else f"{count} {plural_noun or noun + 's'}"
