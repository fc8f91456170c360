"""Assets as the admin sees them: listing with finding counts, and editing tier, owner and notes."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from patchtui.store.events import add_event
from patchtui.store.host_order import host_sort_key

EDITABLE = ("tier", "owner", "notes")
"""Asset fields the admin sets; the scanners never write them."""

UNRESOLVED = ("open", "in_progress", "patched")
"""Statuses counted in an asset's severity columns: not yet verified fixed, dismissed or accepted."""


def list_assets(db: Database) -> list[dict[str, Any]]:
    """Return every asset with its count of unresolved findings per severity rank.

    The assets come in address order (IPv4 numerically, then IPv6, then names).
    """
    statuses = ", ".join("?" * len(UNRESOLVED))
    cursor = db.execute(
        "SELECT a.id, a.key, coalesce(a.hostname, a.fqdn, a.netbios) AS name, a.os, a.tier,"
        " a.owner, a.notes, a.last_seen,"
        " ifnull(c.critical, 0) AS critical, ifnull(c.high, 0) AS high,"
        " ifnull(c.medium, 0) AS medium, ifnull(c.low, 0) AS low, ifnull(c.info, 0) AS info"
        " FROM assets a LEFT JOIN ("
        "  SELECT asset_id, sum(severity = 4) AS critical, sum(severity = 3) AS high,"
        "   sum(severity = 2) AS medium, sum(severity = 1) AS low, sum(severity = 0) AS info"
        f"  FROM findings WHERE status IN ({statuses}) GROUP BY asset_id"
        " ) c ON c.asset_id = a.id",
        list(UNRESOLVED),
    )
    names = [column[0] for column in cursor.description]
    assets = [dict(zip(names, row, strict=True)) for row in cursor]
    return sorted(assets, key=lambda asset: host_sort_key(asset["key"]))


def asset_labels(db: Database, limit: int) -> list[tuple[int, str, str | None]]:
    """Return (id, key, host name) of up to ``limit`` assets, by key."""
    rows = db.execute(
        "SELECT id, key, coalesce(hostname, fqdn, netbios) FROM assets ORDER BY key LIMIT ?",
        [limit],
    )
    return [(row[0], row[1], row[2]) for row in rows]


def get_asset(db: Database, asset_id: int) -> dict[str, Any] | None:
    """Return one asset's row, or None."""
    cursor = db.execute("SELECT * FROM assets WHERE id = ?", [asset_id])
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


def update_asset(db: Database, asset_id: int, changes: dict[str, str | None], *, at: str,
                 actor: str, note: str | None = None) -> list[str]:
    """Write the admin's changes to an asset, one event per field that changed.

    ``changes`` maps fields of ``EDITABLE`` to new values. Returns the fields
    that changed. Runs in one transaction.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not an editable asset field: {', '.join(sorted(unknown))}")
    changed = []
    with db.atomic():
        current = get_asset(db, asset_id)
        if current is None:
            return []
        for field, value in changes.items():
            if current[field] == value:
                continue
            add_event(db, at=at, actor=actor, entity="asset", entity_id=asset_id, action=field,
                      old=current[field], new=value, note=note)
            db.conn.execute(f"UPDATE assets SET {field} = ? WHERE id = ?", (value, asset_id))
            changed.append(field)
    return changed
