"""The findings list driven by keys: counting, sorting, filtering, searching, opening."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from patchtui.store import open_db
from patchtui.tui.dialogs import FilterDialog
from patchtui.tui.finding_table import FindingTable
from tests.tui.helpers import make_app, screen_text, settle


def names(app) -> list[str]:
    return [row.name for row in app.screen.query_one(FindingTable).rows]


async def test_default_list_hides_info(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "9 findings" in text
        assert "info/QoD/fixed hidden (i)" in text
        # Priority order: 10 x the CVSS v3 score, nothing else applies on internal assets.
        assert names(app) == [
            "OpenSSL Heartbeat Information Disclosure", "MySQL Remote Code Execution",
            "Log4j Remote Code Execution", "Apache Outdated Version", "Postfix Outdated Version",
            "TLS Weak Cipher Suites", "SMTP Cleartext Login", "SSH Weak Key Exchange",
            "ICMP Timestamp Disclosure",
        ]
        assert "by priority \u25bc" in text

        await pilot.press("i")
        await settle(pilot)
        assert "11 findings" in screen_text(app)
        assert "Nessus Scan Information" in names(app)


async def test_sort_cycles_and_reverses(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(6):
            await pilot.press(">")
        await settle(pilot)
        table = app.screen.query_one(FindingTable)
        assert table.query.sort == "name"
        assert table.query.descending is False
        assert names(app) == [
            "Apache Outdated Version", "ICMP Timestamp Disclosure", "Log4j Remote Code Execution",
            "MySQL Remote Code Execution", "OpenSSL Heartbeat Information Disclosure",
            "Postfix Outdated Version", "SMTP Cleartext Login", "SSH Weak Key Exchange",
            "TLS Weak Cipher Suites",
        ]
        assert "by name \u25b2" in screen_text(app)

        await pilot.press("r")
        await settle(pilot)
        assert table.query.descending is True
        assert names(app)[0] == "TLS Weak Cipher Suites"
        assert "by name \u25bc" in screen_text(app)


async def test_first_press_directions(small_db: Path) -> None:
    expected = {"priority": True, "severity": True, "status": False, "host": False,
                "port": False, "cvss": True, "name": False, "cves": False,
                "first_seen": True, "last_seen": True, "due": False}
    header_titles = {"severity": "Sev", "status": "Status", "host": "Host",
                     "port": "Port", "cvss": "CVS", "name": "Name", "due": "Due"}
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FindingTable)
        seen = {}
        for _ in range(len(expected)):
            await pilot.press(">")
            await settle(pilot)
            sort = table.query.sort
            seen[sort] = table.query.descending
            arrow = "\u25bc" if table.query.descending else "\u25b2"
            if sort in header_titles:  # the columns that fit in 80 cells
                header = screen_text(app).splitlines()[0]
                assert header_titles[sort] + arrow in header.replace(" " + arrow, arrow), sort
        assert seen == expected
async def test_filter_dialog_by_severity(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        assert isinstance(app.screen, FilterDialog)
        await pilot.press("space")  # ticks "critical", the first severity
        await pilot.press("tab", "tab", "tab", "enter")  # to the host line, which applies
        await settle(pilot)
        assert sorted(names(app)) == ["MySQL Remote Code Execution",
                                      "OpenSSL Heartbeat Information Disclosure"]
        assert "2 findings" in screen_text(app)
        assert "sev: critical" in screen_text(app)

        await pilot.press("c")
        await settle(pilot)
        assert "9 findings" in screen_text(app)


async def test_search_by_words(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("/")
        await pilot.press(*"CVE-2021", "enter")
        await settle(pilot)
        assert sorted(names(app)) == ["Apache Outdated Version", "Log4j Remote Code Execution"]
        assert "search: CVE-2021" in screen_text(app)

        await pilot.press("/", *("backspace",) * 8, *"opt/app", "enter")
        await settle(pilot)
        assert names(app) == ["Log4j Remote Code Execution"]

        await pilot.press("/", *("backspace",) * 7, *"db1", "enter")
        await settle(pilot)
        assert sorted(names(app)) == ["ICMP Timestamp Disclosure", "MySQL Remote Code Execution",
                                      "SSH Weak Key Exchange"]


async def test_enter_opens_detail(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the first by priority: OpenSSL on 10.0.0.1, CVSS 9.8
        await settle(pilot)
        text = screen_text(app)
        assert "OpenSSL Heartbeat Information Disclosure" in text
        assert "CVE-2014-0160" in text
        assert "10.0.0.1 (web1.example.test)" in text
        assert "CVSS v3: 9.8" in text

        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "heartbeat leaked 64 kB" in text
        assert "Seen by 1 scan" in text
        assert "scan 1 weekly" in text

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one(FindingTable).current.name == (
            "OpenSSL Heartbeat Information Disclosure")


async def test_columns_scroll_sideways(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header = screen_text(app).splitlines()[0]
        assert "Name" in header
        assert "CVEs" not in header
        await pilot.press(*["right"] * 8)  # 8 cells a press, up to the last column
        header = screen_text(app).splitlines()[0]
        assert "CVEs" in header
        assert "Last seen" in header
        assert "Sev" not in header


async def test_empty_database_says_how_to_import(tmp_path: Path) -> None:
    app = make_app(tmp_path / "empty.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "No findings yet. Press s, then i, to import a report." in text
        assert "0 findings" in text


async def test_overdue_filter(small_db: Path) -> None:
    # Ten days after the scan, the criticals and highs are past their due dates and the rest not.
    db = open_db(small_db)
    expected = sorted(row[0] for row in db.execute(
        "SELECT name FROM findings WHERE due_at < '2026-01-11T00:00:00Z' AND severity > 0"))
    assert len(expected) == 5

    app = make_app(small_db, clock=lambda: datetime(2026, 1, 11, tzinfo=UTC))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("v", "tab", "tab", "tab", "tab", "space", "tab", "enter")
        await settle(pilot)
        assert sorted(names(app)) == expected
        assert "5 findings" in screen_text(app)
        assert "overdue" in screen_text(app)


async def test_empty_list_points_at_hidden(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("/", *"identification", "enter")
        await settle(pilot)
        assert "Only info, low-QoD or resolved findings match: press i." in screen_text(app)
        await pilot.press("i")
        await settle(pilot)
        assert names(app) == ["OS Identification"]


async def test_resolved_findings_hidden_by_default(small_db: Path) -> None:
    db = open_db(small_db)
    fixed_id = db.execute("SELECT id FROM findings WHERE name = 'MySQL Remote Code Execution'").fetchone()[0]
    db.execute("UPDATE findings SET status = 'fixed' WHERE id = ?", [fixed_id])
    db.conn.close()
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "8 findings" in screen_text(app)
        assert "MySQL Remote Code Execution" not in names(app)

        await pilot.press("i")
        await settle(pilot)
        assert "11 findings" in screen_text(app)
        assert "MySQL Remote Code Execution" in names(app)


def numeric_hosts_db(tmp_path: Path) -> Path:
    from patchtui.triage.importing import import_file
    from tests.tui.helpers import ACTOR
    from tests.tui.tui_reports import Host, Item, write_report

    hosts = [Host(address, f"h{number}", [Item(7000 + number, f"Check on {address}", 3, 443, 7.0)])
             for number, address in enumerate(
                 ["10.0.0.100", "nas.example.test", "10.0.0.2", "9.9.9.9", "10.0.0.10"])]
    report = write_report(tmp_path / "hosts.nessus", hosts)
    db_path = tmp_path / "hosts.db"
    db = open_db(db_path)
    import_file(db, report, actor=ACTOR)
    db.conn.close()
    return db_path


async def test_host_sort_is_numeric(tmp_path: Path) -> None:
    app = make_app(numeric_hosts_db(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(">", ">", ">")
        await settle(pilot)
        table = app.screen.query_one(FindingTable)
        assert table.query.sort == "host"
        assert table.query.descending is False
        hosts = [row.host for row in table.rows]
        assert hosts == ["9.9.9.9", "10.0.0.2", "10.0.0.10", "10.0.0.100", "nas.example.test"]

        await pilot.press("r")
        await settle(pilot)
        hosts = [row.host for row in table.rows]
        assert hosts == ["nas.example.test", "10.0.0.100", "10.0.0.10", "10.0.0.2", "9.9.9.9"]


async def test_footer_names_only_hidden(small_db: Path) -> None:
    db = open_db(small_db)
    db.execute("UPDATE findings SET status = 'fixed' WHERE name = 'MySQL Remote Code Execution'")
    db.conn.commit()
    db.conn.close()
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "info/QoD/fixed hidden (i)" in screen_text(app)

        await pilot.press("v", "tab", "down", "down", "down", "space")  # ticks "fixed"
        await pilot.press("tab", "tab", "enter")
        await settle(pilot)
        status_line = screen_text(app).splitlines()[-2]
        assert names(app) == ["MySQL Remote Code Execution"]
        assert "status: fixed" in status_line
        assert "info/QoD hidden (i)" in status_line
        assert "fixed hidden" not in status_line


async def test_row_number_after_end(tmp_path: Path) -> None:
    from patchtui.triage.importing import import_file
    from tests.tui.tui_reports import many_findings, write_report

    db_path = tmp_path / "many.db"
    db = open_db(db_path)
    import_file(db, write_report(tmp_path / "many.nessus", many_findings(hosts=3, items=50)))
    db.conn.close()
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        status_line = screen_text(app).splitlines()[-2]
        assert "150 findings" in status_line
        assert "row 150" in status_line

        await pilot.press("pageup")
        await settle(pilot)
        status_line = screen_text(app).splitlines()[-2]
        assert "row 129" in status_line  # a page is 21 rows: 24 less header, status, footer


async def test_false_positive_abbreviated(small_db: Path) -> None:
    db = open_db(small_db)
    db.execute("UPDATE findings SET status = 'false_positive'"
               " WHERE name = 'MySQL Remote Code Execution'")
    db.conn.commit()
    db.conn.close()
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        rows = [line for line in screen_text(app).splitlines() if "MySQL Remote" in line]
        assert len(rows) == 1
        assert " false pos. " in rows[0]

        await pilot.press("question_mark")
        await pilot.pause()
        assert 'Status: "false pos." is false positive.' in " ".join(
            line.strip(" │") for line in screen_text(app).splitlines())
