"""Status changes from the TUI: one finding, a false positive's note, and a bulk selection."""

from __future__ import annotations

from pathlib import Path

from patchtui.store import open_db
from patchtui.tui.dialogs import StatusDialog
from patchtui.tui.finding_table import FindingTable
from tests.tui.helpers import ACTOR, make_app, screen_text, settle


def status_of(db_path: Path, finding_id: int) -> str:
    db = open_db(db_path)
    return db.execute("SELECT status FROM findings WHERE id = ?", [finding_id]).fetchone()[0]


def status_events(db_path: Path) -> list[tuple]:
    db = open_db(db_path)
    return db.execute(
        "SELECT entity_id, actor, at, old, new, note FROM events"
        " WHERE entity = 'finding' AND action = 'status' ORDER BY entity_id"
    ).fetchall()


async def test_set_status_with_note(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = app.screen.query_one(FindingTable).current
        assert first.name == "OpenSSL Heartbeat Information Disclosure"

        await pilot.press("o")
        assert isinstance(app.screen, StatusDialog)
        await pilot.press("2", *"ticket 42", "enter")
        await settle(pilot)

        assert status_of(small_db, first.id) == "in_progress"
        assert status_events(small_db) == [
            (first.id, ACTOR, "2026-02-01T09:30:00Z", "open", "in_progress", "ticket 42")]
        assert "in progress" in screen_text(app).splitlines()[1]


async def test_false_positive_needs_note(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = app.screen.query_one(FindingTable).current

        await pilot.press("o", "4", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StatusDialog)
        assert "a note is required to mark a finding false_positive" in screen_text(app)
        assert status_of(small_db, first.id) == "open"

        await pilot.press(*"banner only, no mysql", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, StatusDialog)
        assert status_of(small_db, first.id) == "false_positive"
        assert status_events(small_db)[0][-1] == "banner only, no mysql"


async def test_escape_cancels_status(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o", "3", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, StatusDialog)
        assert status_events(small_db) == []


async def test_bulk_selection_changes_each(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FindingTable)
        chosen = [row.id for row in table.rows[:3]]

        await pilot.press("space", "space", "space")
        assert table.selected == set(chosen)
        assert "3 selected" in screen_text(app)

        await pilot.press("o")
        assert "Set the status of 3 findings" in screen_text(app)
        await pilot.press("2", *"patch window friday", "enter")
        await settle(pilot)

        events = status_events(small_db)
        assert [event[0] for event in events] == sorted(chosen)
        assert {event[4] for event in events} == {"in_progress"}
        assert {event[5] for event in events} == {"patch window friday"}
        assert all(status_of(small_db, finding_id) == "in_progress" for finding_id in chosen)
        assert table.selected == set()


async def test_detail_sets_status_and_shows_event(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("o", "3", *"vendor fix applied", "enter")
        await settle(pilot)
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "History (1 change)" in text
        assert "tester  status open \u2192 patched" in text
        assert "note: vendor fix applied" in text


async def test_status_note_survives_tab(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FindingTable)
        chosen = [row.id for row in table.rows[:2]]
        await pilot.press("space", "space", "o", "2")
        await pilot.press("tab", *"CHG-42 in 3 days", "enter")
        await settle(pilot)

        assert not isinstance(app.screen, StatusDialog)
        events = status_events(small_db)
        assert [event[0] for event in events] == sorted(chosen)
        assert {event[4] for event in events} == {"in_progress"}
        assert {event[5] for event in events} == {"CHG-42 in 3 days"}


async def test_status_digits_in_note_kept(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = app.screen.query_one(FindingTable).current
        await pilot.press("o", "3", *"KB5034441 installed 2026-02-01")
        await pilot.press("alt+2", "tab", "enter")
        await settle(pilot)

        assert status_events(small_db) == [
            (first.id, ACTOR, "2026-02-01T09:30:00Z", "open", "in_progress",
             "KB5034441 installed 2026-02-01")]


async def test_detail_fields_and_rescan_history(small_db: Path, tmp_path: Path) -> None:
    from patchtui.triage.importing import import_file
    from tests.tui.tui_reports import SCAN_START, small_network, write_report

    hosts = small_network()
    hosts[0].items = [item for item in hosts[0].items if item.plugin_id != 1001]  # Heartbeat fixed
    rescan = write_report(tmp_path / "rescan.nessus", hosts, scan_name="Shop weekly 2026-01-08",
                          start=SCAN_START + 7 * 86400)
    db = open_db(small_db)
    import_file(db, rescan, actor=ACTOR)
    heartbeat = db.execute("SELECT id FROM findings WHERE plugin_id = '1001'").fetchone()[0]
    db.conn.close()

    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        from patchtui.tui.detail import FindingDetailScreen

        app.push_screen(FindingDetailScreen(heartbeat))
        await settle(pilot)
        lines = screen_text(app).splitlines()
        assert any("Severity critical" in line for line in lines), lines
        assert any("Reopened 0" in line for line in lines), lines
        assert not any(line.rstrip().endswith(("Severity", "Reopened")) for line in lines)

        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "status open \u2192 fixed" in text
        assert "scan 2 'Shop weekly 2026-01-08'" in text


async def test_status_note_typed_fast(small_db: Path) -> None:
    from textual import events
    from textual.keys import _character_to_key

    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = app.screen.query_one(FindingTable).current
        await pilot.press("o", "2", "tab")
        # A terminal delivers pasted or fast typing as keys queued before any repaint.
        for character in "CHG-42 ok":
            app.post_message(events.Key(_character_to_key(character), character))
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)

        assert status_events(small_db) == [
            (first.id, ACTOR, "2026-02-01T09:30:00Z", "open", "in_progress", "CHG-42 ok")]


async def test_status_digit_then_fast_note(small_db: Path) -> None:
    from textual import events
    from textual.keys import _character_to_key

    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = app.screen.query_one(FindingTable).current
        await pilot.press("o")
        for character in "3KB42":
            app.post_message(events.Key(_character_to_key(character), character))
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)

        assert status_events(small_db) == [
            (first.id, ACTOR, "2026-02-01T09:30:00Z", "open", "patched", "KB42")]
