"""The assets view (editing a tier, a host's findings) and the scans view (importing)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, ProgressBar

from patchtui.store import open_db
from patchtui.tui.assets import AssetDialog
from patchtui.tui.finding_table import FindingTable
from patchtui.tui.importing import ImportDialog
from tests.tui.helpers import ACTOR, make_app, screen_text, settle
from tests.tui.tui_reports import many_findings, small_network, write_report


async def test_edit_asset_tier_owner(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        text = screen_text(app)
        assert "10.0.0.1" in text
        assert "web1.example.te" in text  # the name column is 16 cells wide

        await pilot.press("e")
        assert isinstance(app.screen, AssetDialog)
        await pilot.press("up", "enter")  # from internal to public; enter moves to the owner
        await pilot.press(*"ops team", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, AssetDialog)

        db = open_db(small_db)
        assert db.execute("SELECT tier, owner FROM assets WHERE key = '10.0.0.1'").fetchone() == (
            "public", "ops team")
        events = db.execute(
            "SELECT action, old, new, actor FROM events WHERE entity = 'asset' ORDER BY id"
        ).fetchall()
        assert events == [("tier", "internal", "public", ACTOR), ("owner", None, "ops team", ACTOR)]
        assert "public" in screen_text(app)


async def test_cycle_tier_key(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("down", "t")
        await settle(pilot)
        db = open_db(small_db)
        assert db.execute("SELECT tier FROM assets WHERE key = '10.0.0.2'").fetchone() == ("dev",)


async def test_enter_lists_host_findings(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        names = sorted(row.name for row in app.screen.query_one(FindingTable).rows)
        assert names == ["Log4j Remote Code Execution", "Postfix Outdated Version",
                         "SMTP Cleartext Login"]
        assert "host 10.0.0.3" in screen_text(app)

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one(DataTable).id == "assets"


async def test_import_shows_summary(small_db: Path, tmp_path: Path) -> None:
    hosts = small_network()
    hosts[0].items = hosts[0].items[1:]  # the OpenSSL finding is gone from web1
    later = write_report(tmp_path / "week2.nessus", hosts, scan_name="week 2",
                         start=1767225600 + 7 * 86400)
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("i")
        assert isinstance(app.screen, ImportDialog)
        await pilot.press(*str(later), "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "new 0 · seen again 10 · fixed 1 · reopened 0 · not verifiable 0 · skipped 0" in text

        await pilot.press("escape")
        await settle(pilot)
        assert "week 2" in screen_text(app)
        db = open_db(small_db)
        assert db.execute("SELECT status FROM findings WHERE name LIKE 'OpenSSL%'").fetchone() == (
            "fixed",)


async def test_import_progress_then_cancel(small_db: Path, tmp_path: Path) -> None:
    # Big enough (40,000 findings, several seconds) that the import is still running when
    # Pilot returns from a key press, which waits up to a second or two for the app to idle.
    big = write_report(tmp_path / "big.nessus", many_findings(hosts=80, items=500))
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("i", *str(big), "enter")
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        assert dialog.state == "running", screen_text(app)

        bar = dialog.query_one("#progress", ProgressBar)
        for _ in range(40):
            if 0.0 < (bar.percentage or 0.0) < 1.0:
                break
            await pilot.pause(0.05)
        assert 0.0 < (bar.percentage or 0.0) < 1.0
        assert "findings read" in screen_text(app)

        await pilot.press("escape")
        await settle(pilot)
        assert dialog.state == "done"
        assert "Import cancelled; nothing was written." in screen_text(app)

    db = open_db(small_db)
    assert db.execute("SELECT count(*) FROM scans").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM findings").fetchone() == (11,)
    assert db.execute("SELECT count(*) FROM findings_fts").fetchone() == (11,)


async def test_assets_in_numeric_order(tmp_path: Path) -> None:
    from tests.tui.test_findings_screen import numeric_hosts_db

    app = make_app(numeric_hosts_db(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        keys = [str(table.get_row_at(row)[0]) for row in range(table.row_count)]
        assert keys == ["9.9.9.9", "10.0.0.2", "10.0.0.10", "10.0.0.100", "nas.example.test"]


async def test_scans_time_mark_and_names(small_db: Path) -> None:
    db = open_db(small_db)
    db.conn.execute("UPDATE scans SET time_source = 'file-mtime',"
                    " name = 'Shop network weekly full 2026-11-16'")
    db.conn.commit()
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        text = screen_text(app)
        assert "1 scan · i: import a report" in text
        assert "2026-01-01 00:10*" in text or "2026-01-01 00:00*" in text
        assert "\u2026 weekly full 2026-11-16" in text

        db.conn.execute("UPDATE scans SET name = NULL")
        db.conn.commit()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "small.nessus" in screen_text(app).splitlines()[2]
