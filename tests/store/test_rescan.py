"""The re-scan rules, one test per rule, on real SQLite files and real reports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from patchtui.errors import ImportCancelled, ReportError
from patchtui.importers.model import FindingRecord, HostRecord, ParseWarning, ScanInfo
from patchtui.store import open_db
from patchtui.store.ingest import ScanFile, ingest
from patchtui.triage.importing import import_file
from patchtui.triage.status import set_status
from tests.reports import Host, Item, day, write_nessus

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "record.db")


def status_of(db, plugin_id: str, ip: str = "10.0.0.1") -> str:
    row = db.execute(
        "SELECT f.status FROM findings f JOIN assets a ON a.id = f.asset_id"
        " WHERE f.plugin_id = ? AND a.key = ?", [plugin_id, ip]).fetchone()
    return row[0]


def run(db, tmp_path: Path, name: str, hosts: list[Host], when: datetime, **options):
    path = write_nessus(tmp_path, name, hosts, when, **options)
    return import_file(db, path, clock=clock, actor="tester")


def table_counts(db) -> dict[str, int]:
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("scans", "assets", "vulnerabilities", "findings", "observations", "events")}


def test_first_import_counts_new(db, tmp_path):
    summary = run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002", port=443)])], day(1))

    assert (summary.new, summary.seen_again, summary.fixed, summary.hosts, summary.findings) == (2, 0, 0, 1, 2)
    assert status_of(db, "1001") == "open"


def test_same_file_twice_changes_nothing(db, tmp_path):
    path = write_nessus(tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))
    first = import_file(db, path, clock=clock)
    before = table_counts(db)

    again = import_file(db, path, clock=clock)

    assert again.duplicate_of == first.scan_id
    assert table_counts(db) == before


def test_seen_again_updates_last_seen(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))
    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1001")])], day(8))

    row = db.execute("SELECT first_seen, last_seen FROM findings").fetchone()
    assert summary.seen_again == 1
    assert row == ("2026-11-01T02:00:00Z", "2026-11-08T02:00:00Z")
    assert db.execute("SELECT count(*) FROM observations").fetchone()[0] == 2


def test_absent_from_covering_scan_is_fixed(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")])], day(8))

    assert summary.fixed == 1
    assert status_of(db, "1001") == "fixed"
    assert status_of(db, "1002") == "open"


def test_fix_writes_event_with_scan(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    second = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")])], day(8))

    event = db.execute(
        "SELECT actor, old, new, scan_id, at FROM events WHERE entity = 'finding' AND action = 'status'"
    ).fetchone()
    assert event == ("tester", "open", "fixed", second.scan_id, "2026-12-01T09:00:00Z")


def test_host_missing_from_report_is_not_judged(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001")]), Host("10.0.0.2", [Item("1001")])], day(1))
    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.2", [Item("1001")])], day(8))

    assert summary.fixed == 0
    assert summary.not_verifiable == 0
    assert status_of(db, "1001", "10.0.0.1") == "open"


def test_other_scanner_does_not_fix(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))
    records = [
        ScanInfo(scanner="openvas", format="openvas-xml", started_at=day(8)),
        FindingRecord(host_address="10.0.0.1", host_name=None, plugin_id="1.3.6.1.4.1.25623.1.0.1", name="x"),
        HostRecord(address="10.0.0.1", started_at=day(8)),
    ]
    source = ScanFile("greenbone.xml", "0" * 64, day(8), NOW, "tester")

    summary = ingest(db, records, source)

    assert summary.fixed == 0
    assert status_of(db, "1001") == "open"


def test_check_not_in_plugin_set_is_not_verifiable(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")])], day(8),
                  plugin_set=["1002", "1003"])

    assert (summary.fixed, summary.not_verifiable) == (0, 1)
    assert status_of(db, "1001") == "open"


def test_check_in_plugin_set_is_fixed(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")])], day(8),
                  plugin_set=["1001", "1002"])

    assert (summary.fixed, summary.not_verifiable) == (1, 0)


@pytest.mark.parametrize(
    ("credentialed", "expected_status", "fixed", "not_verifiable"),
    [(True, "fixed", 1, 0), (False, "open", 0, 1), (None, "open", 0, 1)],
)
def test_local_check_needs_working_login(db, tmp_path, credentialed, expected_status, fixed, not_verifiable):
    run(db, tmp_path, "a.nessus",
        [Host("10.0.0.1", [Item("2001", plugin_type="local"), Item("1002")])], day(1))
    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")], credentialed=credentialed)], day(8))

    assert status_of(db, "2001") == expected_status
    assert (summary.fixed, summary.not_verifiable) == (fixed, not_verifiable)


def test_remote_check_fixed_without_login(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")], credentialed=False)], day(8))

    assert status_of(db, "1001") == "fixed"


def test_host_without_results_is_not_verifiable(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))
    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [])], day(8))

    assert (summary.fixed, summary.not_verifiable) == (0, 1)
    assert status_of(db, "1001") == "open"


def test_fixed_finding_seen_again_is_reopened(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")])], day(8))
    summary = run(db, tmp_path, "c.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(15))

    row = db.execute("SELECT status, reopened_count, fixed_scan_id FROM findings WHERE plugin_id = '1001'").fetchone()
    assert summary.reopened == 1
    assert row == ("open", 1, None)
    events = db.execute("SELECT old, new FROM events WHERE action = 'status' ORDER BY id").fetchall()
    assert events == [("open", "fixed"), ("fixed", "open")]


def test_patched_finding_seen_again_is_reopened(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))
    finding_id = db.execute("SELECT id FROM findings").fetchone()[0]
    set_status(db, [finding_id], "patched", "kb applied", clock=lambda: day(3), actor="tester")

    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1001")])], day(8))

    assert summary.reopened == 1
    assert status_of(db, "1001") == "open"


def test_patched_finding_absent_is_fixed(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    finding_id = db.execute("SELECT id FROM findings WHERE plugin_id = '1001'").fetchone()[0]
    set_status(db, [finding_id], "patched", "kb applied", clock=lambda: day(3))

    run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")])], day(8))

    assert status_of(db, "1001") == "fixed"


def test_false_positive_absent_stays(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    finding_id = db.execute("SELECT id FROM findings WHERE plugin_id = '1001'").fetchone()[0]
    set_status(db, [finding_id], "false_positive", "banner only", clock=lambda: day(3))

    run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")])], day(8))

    assert status_of(db, "1001") == "false_positive"


def test_older_report_late_does_not_reopen(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    run(db, tmp_path, "c.nessus", [Host("10.0.0.1", [Item("1002")])], day(15))
    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(8))

    assert summary.reopened == 0
    assert status_of(db, "1001") == "fixed"
    assert db.execute("SELECT count(*) FROM observations").fetchone()[0] == 5


def test_older_report_late_does_not_fix(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    run(db, tmp_path, "c.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(15))
    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")])], day(8))

    assert summary.fixed == 0
    assert status_of(db, "1001") == "open"
    assert db.execute("SELECT last_seen FROM findings WHERE plugin_id = '1001'").fetchone()[0] == (
        "2026-11-15T02:00:00Z")


def test_older_report_late_moves_first_seen_back(db, tmp_path):
    run(db, tmp_path, "c.nessus", [Host("10.0.0.1", [Item("1001")])], day(15))
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))

    assert db.execute("SELECT first_seen, last_seen FROM findings").fetchone() == (
        "2026-11-01T02:00:00Z", "2026-11-15T02:00:00Z")


def test_identity_ignores_output_and_description(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001", output="v1.0", description="old text")])], day(1))
    summary = run(db, tmp_path, "b.nessus",
                  [Host("10.0.0.1", [Item("1001", output="v1.1 changed", description="new text",
                                          name="Renamed check")])], day(8))

    assert (summary.new, summary.seen_again) == (0, 1)
    assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == 1
    assert db.execute("SELECT name FROM findings").fetchone()[0] == "Renamed check"


def test_port_and_protocol_are_part_of_identity(db, tmp_path):
    summary = run(db, tmp_path, "a.nessus",
                  [Host("10.0.0.1", [Item("1001", port=443), Item("1001", port=8443),
                                     Item("1001", port=443, protocol="udp")])], day(1))

    assert summary.new == 3


def test_same_host_twice_in_one_report_is_one_sighting(db, tmp_path):
    summary = run(db, tmp_path, "a.nessus",
                  [Host("10.0.0.1", [Item("1001")]), Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))

    assert (summary.new, summary.findings, summary.hosts) == (2, 2, 1)
    assert db.execute("SELECT count(*) FROM observations").fetchone()[0] == 2


def test_failed_file_writes_nothing(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))
    before = table_counts(db)
    good = write_nessus(tmp_path, "b.nessus", [Host("10.0.0.2", [Item("1001")] * 1)], day(8))
    truncated = tmp_path / "truncated.nessus"
    truncated.write_text(good.read_text()[:-40], encoding="utf-8")

    with pytest.raises(ReportError) as caught:
        import_file(db, truncated, clock=clock)

    assert caught.value.path == truncated
    assert caught.value.line is not None
    assert table_counts(db) == before


def test_accepted_finding_absent_becomes_fixed(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    db.execute("UPDATE findings SET status = 'accepted' WHERE plugin_id = '1001'")

    run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")])], day(8))

    assert status_of(db, "1001") == "fixed"


def test_accepted_finding_seen_stays_accepted(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))
    db.execute("UPDATE findings SET status = 'accepted'")

    run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1001")])], day(8))

    assert status_of(db, "1001") == "accepted"


def test_small_cache_gives_same_result(db, tmp_path, monkeypatch):
    monkeypatch.setattr("patchtui.store.ingest.CACHE_FINDINGS", 1)
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")]),
                                   Host("10.0.0.2", [Item("1001")])], day(1))

    summary = run(db, tmp_path, "b.nessus",
                  [Host("10.0.0.1", [Item("1002")]), Host("10.0.0.2", [Item("1001"), Item("1003")]),
                   Host("10.0.0.1", [Item("1002"), Item("1004")])], day(8))

    assert (summary.new, summary.seen_again, summary.fixed, summary.findings) == (2, 2, 1, 4)
    assert db.execute("SELECT count(*) FROM observations").fetchone()[0] == 7
    assert status_of(db, "1001") == "fixed"


def test_severity_filtered_export_does_not_fix_lower(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("19506", severity=0), Item("1001", severity=1),
                                                     Item("1002", severity=3), Item("1003", severity=3)])], day(1))

    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002", severity=3)])], day(8))

    assert status_of(db, "1003") == "fixed"
    assert status_of(db, "1001") == "open"
    assert status_of(db, "19506") == "open"
    assert (summary.fixed, summary.not_verifiable) == (1, 2)
    assert "no results below the finding's severity, so it may be a filtered export" in " ".join(summary.warnings)


def test_unfinished_scan_fixes_nothing(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    records = [
        ScanInfo(scanner="nessus", format="nessus-xml", started_at=day(8), complete=False),
        FindingRecord(host_address="10.0.0.1", host_name=None, plugin_id="1002", name="Check 1002"),
        HostRecord(address="10.0.0.1", started_at=day(8), credentialed=True),
    ]

    summary = ingest(db, records, ScanFile("stopped.nessus", "1" * 64, day(8), NOW, "tester"))

    assert (summary.fixed, summary.not_verifiable, summary.seen_again) == (0, 1, 1)
    assert status_of(db, "1001") == "open"


def test_warning_counts_its_skipped_records(db):
    records = [ScanInfo(scanner="nessus", format="nessus-csv", started_at=day(1)),
               ParseWarning("529 empty rows skipped", skipped=529),
               ParseWarning("read as Windows-1252", line=3, skipped=0)]

    summary = ingest(db, records, ScanFile("export.csv", "2" * 64, day(1), NOW, "tester"))

    assert summary.skipped == 529
    assert summary.warnings == ["529 empty rows skipped", "line 3: read as Windows-1252"]


def test_stopped_greenbone_scan_fixes_nothing(db, tmp_path):
    from tests.conftest import SAMPLE_DATA

    text = (SAMPLE_DATA / "2026-11-03-shop-greenbone.xml").read_text(encoding="utf-8")
    first = tmp_path / "first.xml"
    first.write_text(text, encoding="utf-8")
    import_file(db, first, clock=clock)
    # A week later the scan was stopped after web01's SSH check: only that result is in the file.
    start = text.index("<results>") + len("<results>")
    kept = text[text.index("<result ", text.index("151535") - 400):text.index("</result>", text.index("151535"))]
    stopped_text = (text[:start] + kept + "</result>" + text[text.index("</results>"):]).replace(
        "<scan_run_status>Done", "<scan_run_status>Stopped").replace("2026-11-03T02:00:00Z", "2026-11-10T02:00:00Z")
    stopped = tmp_path / "stopped.xml"
    stopped.write_text(stopped_text, encoding="utf-8")

    summary = import_file(db, stopped, clock=clock)

    assert (summary.findings, summary.fixed) == (1, 0)
    # The host list still names all five hosts, so the other five results are judged and held.
    assert summary.not_verifiable == 5
    assert db.execute("SELECT count(*) FROM findings WHERE status = 'fixed'").fetchone()[0] == 0


def test_late_report_sighting_fixed_by_newer_scan(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))
    run(db, tmp_path, "c.nessus", [Host("10.0.0.1", [Item("1001")])], day(15))

    summary = run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1001"), Item("1005")])], day(8))

    row = db.execute("SELECT status, status_at, fixed_scan_id FROM findings WHERE plugin_id = '1005'").fetchone()
    assert summary.fixed == 1
    assert row == ("fixed", "2026-11-15T02:00:00Z", 2)
    assert "already gone in a later scan" in " ".join(summary.warnings)


def test_later_verifying_scan_wins_over_unverifiable(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("2001", plugin_type="local"), Item("1002")])], day(1))
    run(db, tmp_path, "b.nessus", [Host("10.0.0.1", [Item("1002")], credentialed=False)], day(8))

    summary = run(db, tmp_path, "c.nessus", [Host("10.0.0.1", [Item("1002")], credentialed=True)], day(15))

    assert summary.fixed == 1
    assert db.execute("SELECT status_at FROM findings WHERE plugin_id = '2001'").fetchone()[0] == (
        "2026-11-15T02:00:00Z")


def test_undated_report_fixes_nothing(db, tmp_path):
    run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    records = [ScanInfo(scanner="nessus", format="nessus-csv"),
               FindingRecord(host_address="10.0.0.1", host_name=None, plugin_id="1002", name="Check 1002")]

    summary = ingest(db, records, ScanFile("export.csv", "3" * 64, day(20), NOW, "tester"))

    assert summary.time_source == "file-mtime"
    assert (summary.fixed, summary.not_verifiable) == (0, 1)
    assert status_of(db, "1001") == "open"
    assert "gives no scan time, so it cannot prove a fix" in " ".join(summary.warnings)


def test_repeated_result_is_counted_once_and_noted(db, tmp_path):
    summary = run(db, tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1001")])], day(1))

    assert (summary.findings, summary.new) == (1, 1)
    assert "1 result repeated an earlier result" in " ".join(summary.warnings)


def test_cancel_after_writes_still_rolls_back(tmp_path):
    report = write_nessus(tmp_path, "a.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))
    calls: list[int] = []
    import_file(open_db(tmp_path / "counted.db"), report, clock=clock, progress=calls.append)
    fresh = open_db(tmp_path / "fresh.db")
    before = table_counts(fresh)
    seen = 0

    def cancel_at_last_call(found: int) -> None:
        nonlocal seen
        seen += 1
        if seen == len(calls):
            raise ImportCancelled("cancelled by the test")

    with pytest.raises(ImportCancelled):
        import_file(fresh, report, clock=clock, progress=cancel_at_last_call)

    assert len(calls) >= 3
    assert table_counts(fresh) == before
