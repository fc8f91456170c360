"""The list of imported scans."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def list_scans(db: Database) -> list[dict[str, Any]]:
    """Return every imported scan, newest scan time first."""
    cursor = db.execute(
        "SELECT id, scanner, format, name, file_name, started_at, time_source, hosts, findings,"
        " new, seen_again, fixed, reopened, not_verifiable, skipped, imported_at, imported_by"
        " FROM scans ORDER BY started_at DESC, id DESC"
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
