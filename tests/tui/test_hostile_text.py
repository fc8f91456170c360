"""Report text that looks like markup or carries control characters is shown literally."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from patchtui.importers.model import FindingRecord, HostRecord, ScanInfo
from patchtui.store import open_db
from patchtui.store.ingest import ScanFile, ingest
from patchtui.triage.importing import import_file
from patchtui.tui.finding_table import FindingTable
from tests.tui.helpers import ACTOR, make_app, screen_text, settle

FIXTURES = Path(__file__).parent / "fixtures"
ESC_NAME = "ESC \x1b[31mred\x1b[0m name"
ESC_OUTPUT = "title \x1b]0;pwned\x07 clipboard \x1b]52;c;ZXZpbA==\x07 end"
ESC_HOST = "esc\x1b[2Jhost.example.test"


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    """The hostile .nessus fixture, plus a finding with raw ESC sequences.

    XML 1.0 cannot carry ESC at all, so that finding is written through the
    store's ingest, the path every importer's records take (CSV reports can
    carry ESC).
    """
    db_path = tmp_path / "hostile.db"
    db = open_db(db_path)
    import_file(db, FIXTURES / "hostile.nessus", actor=ACTOR)
    seen = datetime(2026, 1, 2, tzinfo=UTC)
    records = [
        ScanInfo(scanner="nessus", format="nessus-csv", name="esc scan", started_at=seen),
        HostRecord(address="10.7.7.7", name=ESC_HOST, started_at=seen),
        FindingRecord(host_address="10.7.7.7", host_name=ESC_HOST, plugin_id="9100",
                      name=ESC_NAME, port=22, scanner_severity="high", cvss3_score=7.5,
                      plugin_output=ESC_OUTPUT, seen_at=seen),
    ]
    source = ScanFile(file_name="esc.csv", sha256="0" * 64, modified_at=seen, imported_at=seen,
                      actor=ACTOR)
    ingest(db, records, source)
    db.conn.close()
    return db_path



def assert_no_controls(text: str) -> None:
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\x9b" not in text
    assert "\u202e" not in text


async def open_row(pilot, name: str) -> str:
    """Open the finding called ``name`` and return the whole detail page's text."""
    table = pilot.app.screen.query_one(FindingTable)
    index = [row.name for row in table.rows].index(name)
    table.cursor = index
    await pilot.press("enter")
    await pilot.pause()
    pages = [screen_text(pilot.app)]
    for _ in range(4):
        await pilot.press("pagedown")
        await pilot.pause()
        pages.append(screen_text(pilot.app))
    await pilot.press("escape")
    await pilot.pause()
    return "\n".join(pages)


async def test_findings_and_detail_literal(hostile_db: Path) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        listing = screen_text(app)
        assert "[/]" in listing
        # At 80 columns the name column shows 18 cells; the detail pages below show the rest.
        assert "[@click=app.quit]x" in listing
        assert "[CVE-2021-44228] l" in listing
        assert "ESC \u241b[31mred\u241b[0m" in listing
        assert_no_controls(listing)

        first = await open_row(pilot, "[/]")
        assert "Closing tag first: [/] and [/bold]" in first
        assert "[link=file:///etc/passwd]click[/link]" in first
        assert "[bold]not bold[/bold] \\x9b31m C1 CSI <U+202E> reversed" in first
        assert "[b]weekly[/b] [@click=app.quit]scan[/]" in first
        assert_no_controls(first)

        second = await open_row(pilot, "[@click=app.quit]x[/]")
        assert "[@click=app.quit]quit[/]" in second
        assert "[@click=app.bell]ring[/]" in second

        third = await open_row(pilot, "[CVE-2021-44228] log4j")
        assert "[CVE-2021-44228] found in [lib]/log4j-core-2.14.jar" in third
        assert "Upgrade [log4j] to 2.17.1" in third

        escaped = await open_row(pilot, ESC_NAME)
        assert "title \u241b]0;pwned\u2407 clipboard \u241b]52;c;ZXZpbA==\u2407 end" in escaped
        assert_no_controls(escaped)
        assert app.is_running


async def test_search_with_brackets(hostile_db: Path) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("/", *"[/] \"AND* log4j", "enter")
        await settle(pilot)
        rows = app.screen.query_one(FindingTable).rows
        assert [row.name for row in rows] == []
        assert 'search: [/] "AND* log4j' in screen_text(app)

        await pilot.press("/", *("backspace",) * 20, *"[CVE-2021-44228]", "enter")
        await settle(pilot)
        assert [row.name for row in app.screen.query_one(FindingTable).rows] == [
            "[CVE-2021-44228] log4j"]
        assert app.is_running


async def test_assets_scans_palette_literal(hostile_db: Path) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assets = screen_text(app)
        assert "[red]evil[/red]" in assets
        assert "esc\u241b[2Jhost" in assets
        assert_no_controls(assets)

        await pilot.press("s")
        await settle(pilot)
        scans = screen_text(app)
        assert "\u2026@click=app.quit]scan[/]" in scans  # the end of a long name
        assert_no_controls(scans)

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"evil")
        await settle(pilot)
        await pilot.pause(0.3)
        palette = screen_text(app)
        assert "Findings on 10.6.6.6 ([red]evil[/red].example.test)" in palette
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
