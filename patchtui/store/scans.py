"""Reading imported scans."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from sqlite_utils import Database


def list_scans(db: Database) -> list[dict[str, Any]]:
    """Return every imported scan, newest scan time first."""
    cursor = db.execute(
        "SELECT id, scanner, format, name, started_at, time_source, hosts, findings, new, seen_again,"
        " fixed, reopened, not_verifiable, skipped, file_name, sha256, imported_at, imported_by"
        " FROM scans ORDER BY started_at DESC, id DESC"
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def scan_names(db: Database, scan_ids: Iterable[int]) -> dict[int, str]:
    """Return each scan's name, or its file's name when the report gave none, by scan id."""
    ids = sorted(set(scan_ids))
    if not ids:
        return {}
    rows = db.execute(
        f"SELECT id, name, file_name FROM scans WHERE id IN ({', '.join('?' * len(ids))})", ids)
    return {scan_id: name or PurePath(file_name).name for scan_id, name, file_name in rows}
