"""Asset edits: one event per changed field, and due dates that follow a tier change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from patchtui.errors import InputError, NotFoundError
from patchtui.store import open_db
from patchtui.triage.assets import edit_asset
from patchtui.triage.importing import import_file
from tests.tui.tui_reports import small_network, write_report

WHEN = datetime(2026, 2, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path):
    database = open_db(tmp_path / "assets.db")
    import_file(database, write_report(tmp_path / "small.nessus", small_network()))
    return database


def asset_id(db, key: str) -> int:
    return db.execute("SELECT id FROM assets WHERE key = ?", [key]).fetchone()[0]


def asset_events(db) -> list[tuple]:
    return db.execute("SELECT entity_id, action, old, new, actor, at FROM events"
                      " WHERE entity = 'asset' ORDER BY id").fetchall()


def test_owner_and_notes_events(db) -> None:
    web = asset_id(db, "10.0.0.1")
    changed = edit_asset(db, web, owner="  ops team ", notes="racked in B2", clock=lambda: WHEN,
                         actor="ana")
    assert changed == ["owner", "notes"]
    assert asset_events(db) == [
        (web, "owner", None, "ops team", "ana", "2026-02-03T08:00:00Z"),
        (web, "notes", None, "racked in B2", "ana", "2026-02-03T08:00:00Z"),
    ]

    assert edit_asset(db, web, owner="ops team", notes="racked in B2", actor="ana") == []
    assert edit_asset(db, web, owner="", actor="ana") == ["owner"]
    assert db.execute("SELECT owner FROM assets WHERE id = ?", [web]).fetchone() == (None,)


def test_tier_change_moves_due_dates(db) -> None:
    web = asset_id(db, "10.0.0.1")
    before = db.execute("SELECT id, due_at FROM findings WHERE asset_id = ? AND severity = 4",
                        [web]).fetchone()
    assert before[1] is not None

    assert edit_asset(db, web, tier="dev", clock=lambda: WHEN, actor="ana") == ["tier"]
    after = db.execute("SELECT due_at FROM findings WHERE id = ?", [before[0]]).fetchone()[0]
    assert after != before[1]
    assert asset_events(db) == [(web, "tier", "internal", "dev", "ana", "2026-02-03T08:00:00Z")]


def test_bad_tier_and_missing_asset(db) -> None:
    with pytest.raises(InputError):
        edit_asset(db, asset_id(db, "10.0.0.1"), tier="dmz")
    with pytest.raises(NotFoundError):
        edit_asset(db, 999, owner="x")
    assert asset_events(db) == []
