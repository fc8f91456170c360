"""Numbered schema migrations.

Each module here named ``m<NNNN>_<what>.py`` defines ``VERSION`` (its number),
``DESCRIPTION`` and ``apply(db)``. Pending migrations run in order, each in one
transaction together with the row that records it, so a failure leaves the
schema at the last complete version.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from sqlite_utils import Database

from patchtui.clock import system_clock, to_text
from patchtui.errors import SchemaError


def _migrations() -> list[ModuleType]:
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if info.name.startswith("m") and info.name[1:5].isdigit()
    ]
    modules.sort(key=lambda module: module.VERSION)
    versions = [module.VERSION for module in modules]
    if len(set(versions)) != len(versions):
        raise SchemaError(f"two migrations share a version number: {versions}")
    return modules


def latest_version() -> int:
    """Return the schema version this patchtui builds."""
    return _migrations()[-1].VERSION


def current_version(db: Database) -> int:
    """Return the schema version of ``db``, 0 for a new database."""
    if "schema_migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return row[0] or 0


def migrate(db: Database) -> list[int]:
    """Apply every pending migration and return the versions applied."""
    if "schema_migrations" not in db.table_names():
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    done = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
    known = _migrations()
    unknown = done - {module.VERSION for module in known}
    if unknown:
        raise SchemaError(
            f"the database has schema version {max(unknown)}, which this patchtui does not "
            "know; upgrade patchtui"
        )
    applied = []
    for module in known:
        if module.VERSION in done:
            continue
        with db.atomic():
            module.apply(db)
            db.conn.execute(
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                (module.VERSION, module.DESCRIPTION, to_text(system_clock())),
            )
        applied.append(module.VERSION)
    return applied
