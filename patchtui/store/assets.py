"""Assets: finding or creating them during an import, and the admin's edits."""

from __future__ import annotations

import json
import sqlite3

from sqlite_utils import Database

from patchtui.importers.model import HostRecord
from patchtui.store.events import add_event
from patchtui.store.policy import refresh_asset_findings

_NAME_KINDS = ("hostname", "fqdn", "netbios", "os", "mac")


def asset_key(address: str | None, name: str | None) -> str | None:
    """Return an asset's identity: its IP address, else its lower-cased host name."""
    if address:
        return address
    if name and name.strip():
        return "".join(name.split()).lower()
    return None


class AssetWriter:
    """Resolve hosts to asset ids inside one import, creating assets on first sight."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.ids: dict[str, int] = {}
        self.keys: dict[int, str] = {}

    def resolve(self, address: str | None, name: str | None, seen_at: str) -> int | None:
        key = asset_key(address, name)
        if key is None:
            return None
        asset_id = self.ids.get(key)
        if asset_id is not None:
            return asset_id
        row = self.conn.execute("SELECT id FROM assets WHERE key = ?", (key,)).fetchone()
        if row is None:
            hostname = name.strip() if name and name.strip() and name.strip() != address else None
            cursor = self.conn.execute(
                "INSERT INTO assets (key, ip, hostname, first_seen, last_seen)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, address, hostname, seen_at, seen_at),
            )
            asset_id = int(cursor.lastrowid or 0)
            if hostname:
                self._remember_name(asset_id, "hostname", hostname, seen_at)
        else:
            asset_id = row[0]
            self.conn.execute(
                "UPDATE assets SET last_seen = max(last_seen, ?), first_seen = min(first_seen, ?)"
                " WHERE id = ?",
                (seen_at, seen_at, asset_id),
            )
        self.ids[key] = asset_id
        self.keys[asset_id] = key
        return asset_id

    def key_of(self, asset_id: int) -> str:
        return self.keys[asset_id]

    def update_properties(self, asset_id: int, host: HostRecord, seen_at: str) -> None:
        """Store the host's names and OS, keeping every value ever seen in ``asset_names``."""
        values = {"hostname": host.name if host.name != host.address else None,
                  "fqdn": host.fqdn, "netbios": host.netbios, "os": host.os, "mac": host.mac}
        present = {kind: value.strip() for kind, value in values.items() if value and value.strip()}
        if not present:
            return
        # Only a report at least as new as the last one sets the current values.
        assignments = ", ".join(f"{kind} = ?" for kind in present)
        self.conn.execute(
            f"UPDATE assets SET {assignments} WHERE id = ? AND last_seen <= ?",
            (*present.values(), asset_id, seen_at),
        )
        for kind, value in present.items():
            self._remember_name(asset_id, kind, value, seen_at)

    def _remember_name(self, asset_id: int, kind: str, value: str, seen_at: str) -> None:
        self.conn.execute(
            "INSERT INTO asset_names (asset_id, kind, value, first_seen, last_seen)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (asset_id, kind, value) DO UPDATE SET"
            " first_seen = min(first_seen, excluded.first_seen),"
            " last_seen = max(last_seen, excluded.last_seen)",
            (asset_id, kind, value, seen_at, seen_at),
        )


def existing_asset_ids(db: Database, asset_ids: list[int]) -> set[int]:
    """Return which of ``asset_ids`` are assets."""
    rows = db.execute("SELECT id FROM assets WHERE id IN (SELECT value FROM json_each(?))",
                      [json.dumps(asset_ids)])
    return {row[0] for row in rows}


def change_tier(db: Database, asset_ids: list[int], tier: str, *, at: str, actor: str,
                note: str | None) -> int:
    """Set the tier of assets that do not have it yet, with one event each, and recompute
    their findings' due dates and priorities. Returns how many assets changed."""
    with db.atomic():
        rows = db.conn.execute(
            "SELECT id, tier FROM assets WHERE id IN (SELECT value FROM json_each(?)) AND tier != ?",
            (json.dumps(asset_ids), tier),
        ).fetchall()
        for asset_id, old in rows:
            add_event(db, at=at, actor=actor, entity="asset", entity_id=asset_id, action="tier",
                      old=old, new=tier, note=note)
        changed = [asset_id for asset_id, _ in rows]
        db.conn.execute("UPDATE assets SET tier = ? WHERE id IN (SELECT value FROM json_each(?))",
                        (tier, json.dumps(changed)))
        refresh_asset_findings(db, changed)
    return len(changed)
