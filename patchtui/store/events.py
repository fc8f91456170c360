"""The append-only audit trail."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def add_event(db: Database, *, at: str, actor: str, entity: str, entity_id: int | None,
              action: str, old: str | None = None, new: str | None = None,
              note: str | None = None, scan_id: int | None = None) -> None:
    """Append one event; call inside the transaction that makes the change."""
    db.conn.execute(
        "INSERT INTO events (at, actor, entity, entity_id, action, old, new, note, scan_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (at, actor, entity, entity_id, action, old, new, note, scan_id),
    )


def events_for(db: Database, entity: str, entity_id: int) -> list[dict[str, Any]]:
    """Return the events of one thing, oldest first."""
    cursor = db.execute(
        "SELECT id, at, actor, action, old, new, note, scan_id FROM events"
        " WHERE entity = ? AND entity_id = ? ORDER BY id",
        [entity, entity_id],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
