"""The overdue review, the priority and due-date lines of the detail screen, and the policy
screen, driven from the keyboard at 80x24."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from patchtui.tui.detail import FindingDetailScreen
from patchtui.tui.exception_dialogs import ExceptionForm
from patchtui.tui.finding_table import FindingTable
from patchtui.tui.overdue import OverdueScreen, ReviewDialog
from patchtui.tui.policy import WORKER_GROUP, PolicyScreen
from patchtui.tui.policy_form import PolicyForm
from tests.tui.helpers import ACTOR, make_app, screen_text, settle
from tests.tui_steps import fill_exception

KEV_JSON = Path(__file__).resolve().parents[1] / "policy" / "fixtures" / \
    "known_exploited_vulnerabilities.json"

# The small network was scanned 2026-01-01 00:00 UTC and the tests' clock reads
# 2026-02-01 09:30, so every finding but the two info ones is past its due date.


def read(db_path: Path) -> sqlite3.Connection:
    """Open the database for reading only: opening it through patchtui would expire
    exceptions by the system clock, not the tests' clock."""
    return sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)


def review_events(db_path: Path) -> list[tuple]:
    db = read(db_path)
    return db.execute(
        "SELECT entity_id, actor, at, old, new, note FROM events"
        " WHERE entity = 'finding' AND action = 'overdue_review' ORDER BY id").fetchall()


def finding_row(db_path: Path, name: str) -> tuple:
    db = read(db_path)
    return db.execute("SELECT id, status, due_at, reviewed_at FROM findings WHERE name = ?",
                      [name]).fetchone()


async def settle_policy(pilot) -> None:
    workers = [worker for worker in pilot.app.workers if worker.group == WORKER_GROUP]
    if workers:
        await pilot.app.workers.wait_for_complete(workers)
    await pilot.pause()


def names(app) -> list[str]:
    return [row.name for row in app.screen.query_one(FindingTable).rows]


async def test_overdue_review_keep_from_keys(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, OverdueScreen)
        assert "9 findings" in screen_text(app)
        assert names(app)[0] == "OpenSSL Heartbeat Information Disclosure"
        openssl = finding_row(small_db, "OpenSSL Heartbeat Information Disclosure")

        await pilot.press("R")
        assert isinstance(app.screen, ReviewDialog)
        await pilot.press("1", *"2026-02-20", "enter", *"vendor patch on the 19th", "enter")
        await settle(pilot)

        assert isinstance(app.screen, OverdueScreen)
        assert review_events(small_db) == [
            (openssl[0], ACTOR, "2026-02-01T09:30:00Z", "2026-01-03T00:00:00Z",
             "keep until 2026-02-20T23:59:59Z", "vendor patch on the 19th")]
        assert finding_row(small_db, "OpenSSL Heartbeat Information Disclosure")[2:] == (
            "2026-02-20T23:59:59Z", "2026-02-01T09:30:00Z")
        assert "8 findings" in screen_text(app)
        assert "OpenSSL Heartbeat Information Disclosure" not in names(app)


async def test_overdue_review_false_positive_bulk(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        chosen = [row.id for row in app.screen.query_one(FindingTable).rows[:2]]

        await pilot.press("space", "space", "R", "3", *"scanner misread the banner", "enter")
        await settle(pilot)

        events = review_events(small_db)
        assert [(event[0], event[4], event[5]) for event in events] == [
            (chosen[0], "false_positive", "scanner misread the banner"),
            (chosen[1], "false_positive", "scanner misread the banner")]
        db = read(small_db)
        statuses = db.execute(f"SELECT status, due_at FROM findings WHERE id IN ({chosen[0]}, "
                              f"{chosen[1]})").fetchall()
        assert statuses == [("false_positive", None), ("false_positive", None)]
        assert "7 findings" in screen_text(app)


async def test_review_needs_note(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)

        await pilot.press("R", "2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewDialog)
        assert "a review needs a note" in screen_text(app)
        assert review_events(small_db) == []


async def test_review_exception_opens_form(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        openssl = finding_row(small_db, "OpenSSL Heartbeat Information Disclosure")

        await pilot.press("R", "2", *"appliance firmware is frozen", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExceptionForm)
        assert review_events(small_db) == []

        await fill_exception(pilot, app, title="Frozen appliance", expires="2026-04-30")
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, OverdueScreen)
        assert [(event[0], event[4], event[5]) for event in review_events(small_db)] == [
            (openssl[0], "exception", "appliance firmware is frozen")]
        assert finding_row(small_db, "OpenSSL Heartbeat Information Disclosure")[3] == (
            "2026-02-01T09:30:00Z")
        assert finding_row(small_db, "OpenSSL Heartbeat Information Disclosure")[1:3] == (
            "accepted", None)
        assert "OpenSSL Heartbeat Information Disclosure" not in names(app)
        assert "8 findings" in screen_text(app)


async def test_cancelled_exception_records_no_review(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        openssl = finding_row(small_db, "OpenSSL Heartbeat Information Disclosure")

        await pilot.press("R", "2", *"appliance firmware is frozen", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExceptionForm)
        await pilot.press("escape")
        await settle(pilot)

        assert isinstance(app.screen, OverdueScreen)
        assert review_events(small_db) == []
        assert finding_row(small_db, "OpenSSL Heartbeat Information Disclosure") == openssl
        assert "9 findings" in screen_text(app)

        await pilot.press("R", "2", *"second try", "enter")
        await pilot.pause()
        await fill_exception(pilot, app, title="Frozen appliance", expires="2026-04-30")
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert [(event[0], event[4], event[5]) for event in review_events(small_db)] == [
            (openssl[0], "exception", "second try")]


async def test_escape_cancels_review(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("R", "1", "escape")
        await pilot.pause()
        assert isinstance(app.screen, OverdueScreen)
        assert review_events(small_db) == []


async def test_detail_shows_due_and_priority(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingDetailScreen)
        text = screen_text(app)
        assert "Due 2026-01-03 00:00 UTC, overdue by 29 days:" in text
        assert "first seen 2026-01-01 00:00 UTC + critical, internal tier: 2d" in text
        assert "Priority 98 (higher comes first):" in text
        assert "+98  CVSS v3 base score 9.8" in text

        await pilot.press("R", "1", *"14d", "enter", *"next window", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingDetailScreen)
        text = screen_text(app)
        assert "Due 2026-02-15 09:30 UTC:" in text
        assert "Last overdue review 2026-02-01 09:30 UTC." in text


async def test_list_shows_due_before_name(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header = screen_text(app).splitlines()[0]
        assert header.index("Due") < header.index("Name")
        assert "2026-01-03" in screen_text(app).splitlines()[1]


async def test_policy_edit_saves_and_recomputes(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, PolicyScreen)
        assert "Overdue findings: 9" in screen_text(app)

        await pilot.press("e")
        assert isinstance(app.screen, PolicyForm)
        await pilot.press("tab", "end", "ctrl+u", *"40d", "ctrl+s")
        await settle_policy(pilot)

        assert isinstance(app.screen, PolicyScreen)
        assert "   high          20d       40d       80d" in screen_text(app)
        db = read(small_db)
        due = db.execute("SELECT due_at FROM findings WHERE name = 'Apache Outdated Version'"
                         ).fetchone()[0]
        assert due == "2026-02-10T00:00:00Z"
        event = db.execute("SELECT actor, at, note FROM events WHERE entity = 'policy'"
                           " AND action = 'update' ORDER BY id DESC LIMIT 1").fetchone()
        assert event == (ACTOR, "2026-02-01T09:30:00Z",
                         "response.high: 2d -> 40d. Due dates changed for 3 findings.")
        assert "Overdue findings: 6" in screen_text(app)


async def test_policy_form_rejects_invalid(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("y", "e", "end", "ctrl+u", *"soon", "ctrl+s")
        await pilot.pause()

        assert isinstance(app.screen, PolicyForm)
        assert 'response.critical = "soon": invalid time' in " ".join(screen_text(app).split())
        db = read(small_db)
        assert db.execute("SELECT count(*) FROM events WHERE entity = 'policy'"
                          " AND action = 'update'").fetchone()[0] == 0

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PolicyScreen)


async def test_policy_screen_loads_kev(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y", "l", *str(KEV_JSON), "enter")
        await settle_policy(pilot)

        assert isinstance(app.screen, PolicyScreen)
        assert ("CISA KEV catalogue 2026.11.20, released 2026-11-20, 3 entries, loaded "
                "2026-02-01") in " ".join(screen_text(app).split())
        db = read(small_db)
        # Log4j (CVE-2021-44228) on an internal asset: 10 x 8.8 + 100 for KEV.
        assert db.execute("SELECT priority, due_at FROM findings WHERE name ="
                          " 'Log4j Remote Code Execution'").fetchone() == (188,
                                                                          "2021-12-24T23:59:59Z")


async def test_policy_overdue_names_hidden_qod(small_db: Path) -> None:
    with sqlite3.connect(small_db) as db:
        db.execute("UPDATE findings SET qod = 50 WHERE name = 'Apache Outdated Version'")
    app = make_app(small_db)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, PolicyScreen)
        assert ("Overdue findings: 9 (d opens the overdue review; 1 of them is below QoD 70 and "
                "hidden there until i shows them)") in screen_text(app)

        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, OverdueScreen)
        assert "8 findings" in screen_text(app)
