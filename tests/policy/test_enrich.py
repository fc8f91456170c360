"""Offline threat data: KEV and EPSS files change priorities and due dates; bad files change nothing."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from patchtui.cli import main
from patchtui.errors import ReportError
from patchtui.store.findings import FindingFilter, iter_findings
from patchtui.threatdata.kev import parse_csv
from patchtui.triage.enrich import enrich_file, threat_status
from patchtui.triage.explain import due_reasons, priority_reasons
from patchtui.triage.tiers import set_tier
from tests.policy.conftest import FIXTURES, asset_id, events, finding
from tests.reports import Host, Item, day

KEV_JSON = FIXTURES / "known_exploited_vulnerabilities.json"
KEV_CSV = FIXTURES / "known_exploited_vulnerabilities.csv"
EPSS_CSV = FIXTURES / "epss_scores-2026-11-30.csv"


def gzipped(source: Path, directory: Path) -> Path:
    target = directory / (source.name + ".gz")
    with source.open("rb") as plain, gzip.open(target, "wb") as packed:
        shutil.copyfileobj(plain, packed)
    return target


@pytest.fixture
def record(db, scan, clock):
    """Five findings; 10.0.0.2 is a dev asset."""
    scan([
        Host("10.0.0.1", [
            Item("2001", severity=4, cvss3=10.0, cves=["CVE-2021-44228"]),
            Item("2003", severity=4, cvss3=9.8, cves=["CVE-2026-20002"]),
            Item("2004", severity=2, cvss3=6.5, cves=["cve-2026-20003"]),
            Item("2005", severity=3, cvss3=7.5),
        ]),
        Host("10.0.0.2", [Item("2002", severity=1, cvss3=3.1, cves=["CVE-2026-10001"])]),
    ], day(1))
    set_tier(db, [asset_id(db, "10.0.0.2")], "dev", clock=clock)
    return db


def order(db) -> list[tuple[str, int]]:
    return [(row["plugin_id"], row["priority"]) for row in iter_findings(db, FindingFilter())]


def due(db, plugin_id: str) -> str | None:
    ip = "10.0.0.2" if plugin_id == "2002" else "10.0.0.1"
    return finding(db, plugin_id, ip)["due_at"]


def test_record_before_threat_data(record):
    assert order(record) == [("2001", 100), ("2003", 98), ("2005", 75), ("2004", 65), ("2002", 11)]
    assert due(record, "2001") == "2026-11-03T02:00:00Z"
    assert due(record, "2002") == "2026-12-31T02:00:00Z"


@pytest.mark.parametrize("kev_name", ["json", "csv", "json.gz"])
@pytest.mark.parametrize("epss_name", ["csv", "csv.gz"])
def test_kev_and_epss_change_order_and_due(record, tmp_path, clock, kev_name, epss_name):
    kev = {"json": KEV_JSON, "csv": KEV_CSV, "json.gz": gzipped(KEV_JSON, tmp_path)}[kev_name]
    epss = gzipped(EPSS_CSV, tmp_path) if epss_name == "csv.gz" else EPSS_CSV

    kev_summary = enrich_file(record, kev, clock=clock, actor="tester")
    epss_summary = enrich_file(record, epss, clock=clock, actor="tester")

    # KEV +100; EPSS 50 x 0.94358 = 47 for Log4Shell, 50 x 0.41 = 21 for the widget, 50 x 0.01 = 1
    # and 50 x 0.007 = 0 for the others.
    assert order(record) == [("2001", 247), ("2002", 132), ("2003", 99), ("2005", 75), ("2004", 65)]
    # Log4Shell's KEV date (2021-12-24) is sooner than its policy date; the widget's KEV date
    # (2026-12-09) is sooner than low-on-dev's 60 days; the others keep their policy dates.
    assert due(record, "2001") == "2021-12-24T23:59:59Z"
    assert due(record, "2002") == "2026-12-09T23:59:59Z"
    assert due(record, "2003") == "2026-11-03T02:00:00Z"
    assert (kev_summary.kind, kev_summary.rows, kev_summary.vulnerabilities) == ("kev", 3, 2)
    assert (epss_summary.kind, epss_summary.rows, epss_summary.vulnerabilities) == ("epss", 7, 4)
    assert epss_summary.version == "v2025.03.14"
    assert epss_summary.released == "2026-11-30T00:00:00Z"


def test_kev_versions_kept(record, clock):
    json_summary = enrich_file(record, KEV_JSON, clock=clock)

    assert json_summary.version == "2026.11.20"
    assert json_summary.released == "2026-11-20T15:00:13Z"
    assert json_summary.stale is False
    assert json_summary.age_days == 10


def test_kev_csv_dated_by_newest_entry(db, clock):
    summary = enrich_file(db, KEV_CSV, clock=clock)

    assert (summary.format, summary.version, summary.released) == ("kev-csv", None,
                                                                  "2026-11-18T00:00:00Z")


def test_reasons_name_kev_and_epss(record, clock):
    enrich_file(record, KEV_JSON, clock=clock)
    enrich_file(record, EPSS_CSV, clock=clock)
    finding_id = finding(record, "2001")["id"]

    assert priority_reasons(record, finding_id) == [
        "Priority 247 (higher comes first):",
        "  +100  CVSS v3 base score 10.0",
        "  +100  in the CISA Known Exploited Vulnerabilities catalogue (CVE-2021-44228 added "
        "2021-12-10, due 2021-12-24, known ransomware use)",
        "   +47  EPSS probability 0.944 (CVE-2021-44228, percentile 0.999)",
        "    +0  asset tier internal",
    ]
    assert due_reasons(record, finding_id, clock()) == [
        "Due 2021-12-24 23:59 UTC, overdue by 1802 days:",
        "  first seen 2026-11-01 02:00 UTC + critical, internal tier: 2d",
        "  CISA KEV due date 2021-12-24 is sooner, so it applies",
    ]


def test_import_after_enrich_uses_threat_data(db, scan, clock):
    enrich_file(db, KEV_JSON, clock=clock)
    enrich_file(db, EPSS_CSV, clock=clock)

    scan([Host("10.0.0.9", [Item("2001", severity=4, cvss3=10.0, cves=["CVE-2021-44228"])])], day(1))

    assert finding(db, "2001", "10.0.0.9")["priority"] == 247
    assert finding(db, "2001", "10.0.0.9")["due_at"] == "2021-12-24T23:59:59Z"


def test_same_file_twice_changes_nothing(record, clock):
    enrich_file(record, KEV_JSON, clock=clock)
    before = len(events(record, "threat_data", "load"))

    again = enrich_file(record, KEV_JSON, clock=clock)

    assert again.duplicate is True
    assert len(events(record, "threat_data", "load")) == before


def test_older_file_is_rejected(record, tmp_path, clock):
    enrich_file(record, EPSS_CSV, clock=clock)
    older = tmp_path / "epss_scores-2026-11-01.csv"
    older.write_text(EPSS_CSV.read_text().replace("2026-11-30T", "2026-11-01T")
                     .replace("0.94358", "0.00100"), encoding="utf-8")

    with pytest.raises(ReportError, match="this EPSS scores file was released 2026-11-01, before "
                                          "the one already loaded "
                                          r"\(2026-11-30, from epss_scores-2026-11-30.csv\)"):
        enrich_file(record, older, clock=clock)

    assert record.execute("SELECT epss FROM epss WHERE cve = 'CVE-2021-44228'").fetchone()[0] == 0.94358


def test_stale_data_is_flagged(record, clock):
    enrich_file(record, KEV_JSON, clock=clock)
    clock.now = datetime(2027, 1, 15, tzinfo=UTC)

    status = threat_status(record, clock())

    assert len(status) == 1
    assert status[0].stale is True
    assert status[0].describe() == (
        "CISA KEV catalogue 2026.11.20, released 2026-11-20, 3 entries, loaded 2026-12-01: "
        "55 days old (more than 30); load a newer file with 'patchtui enrich'")


GOOD_JSON = KEV_JSON.read_text(encoding="utf-8")
GOOD_EPSS = EPSS_CSV.read_text(encoding="utf-8")
GOOD_KEV_CSV = KEV_CSV.read_text(encoding="utf-8")

BAD_FILES = [
    ("kev-date.json", GOOD_JSON.replace('"dueDate": "2021-12-24"', '"dueDate": "2021-13-45"'),
     ["vulnerabilities[0].dueDate = '2021-13-45' is not a date", "line 8"]),
    ("kev-cve.json", GOOD_JSON.replace('"CVE-2017-0144"', '"MS17-010"'),
     ["vulnerabilities[2].cveID = 'MS17-010' is not a CVE id"]),
    ("kev-count.json", GOOD_JSON.replace('"count": 3', '"count": 4'),
     ["count is 4 but the file lists 3 vulnerabilities", "line 5"]),
    ("kev-cut.json", GOOD_JSON[:900], ["invalid JSON", "line "]),
    ("kev-other.json", '{"vulns": []}', ["JSON without a 'vulnerabilities' list"]),
    ("kev-cve.csv", GOOD_KEV_CSV.replace("CVE-2026-10001", "CVE-26-1"),
     ["line 3", "column cveID = 'CVE-26-1' is not a CVE id"]),
    ("kev-columns.csv", "cveID,product\nCVE-2021-44228,Log4j2\n",
     ["line 1", "the header lacks the columns vendorProject"]),
    ("epss-range.csv", GOOD_EPSS.replace("0.41000", "1.7"),
     ["line 7", "epss '1.7' is not a number from 0 to 1"]),
    ("epss-text.csv", GOOD_EPSS.replace("0.52000", "high"),
     ["line 9", "percentile 'high' is not a number from 0 to 1"]),
    ("epss-header.csv", GOOD_EPSS.replace("cve,epss,percentile", "cve,score"),
     ["line 2", "expected the header 'cve,epss,percentile', found 'cve,score'"]),
    ("epss-fields.csv", GOOD_EPSS.replace("CVE-1999-0001,0.0046,0.7385", "CVE-1999-0001,0.0046"),
     ["line 3", "expected 3 values"]),
    ("epss-date.csv", GOOD_EPSS.replace("score_date:2026-11-30T00:00:00+0000", "score_date:monday"),
     ["line 1", "score_date 'monday' is not a date"]),
    ("report.nessus", '<?xml version="1.0" ?>\n<NessusClientData_v2/>\n',
     ["expected the CISA KEV catalogue", "(a scan report? use 'patchtui import')"]),
    ("empty.csv", "\n\n", ["the file is empty"]),
    ("notes.txt", "Patch Tuesday notes\n", ["the first line is 'Patch Tuesday notes'"]),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD_FILES)
def test_bad_file_changes_nothing(record, tmp_path, clock, name, text, expected):
    enrich_file(record, KEV_JSON, clock=clock)
    enrich_file(record, EPSS_CSV, clock=clock)
    before = {table: record.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
              for table in ("kev", "epss", "threat_data", "events")}
    priorities = order(record)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ReportError) as caught:
        enrich_file(record, path, clock=clock)

    assert str(caught.value).startswith(str(path))
    for part in expected:
        assert part in str(caught.value)
    for table, rows in before.items():
        assert record.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() == rows
    assert order(record) == priorities


def test_archives_and_damaged_gzip(db, tmp_path, clock):
    archive = tmp_path / "kev.zip"
    archive.write_bytes(b"PK\x03\x04rest")
    damaged = tmp_path / "epss.csv.gz"
    damaged.write_bytes(gzipped(EPSS_CSV, tmp_path).read_bytes()[:60])

    with pytest.raises(ReportError, match="a zip archive: extract the file from it first"):
        enrich_file(db, archive, clock=clock)
    with pytest.raises(ReportError, match="the gzip data is damaged"):
        enrich_file(db, damaged, clock=clock)


def test_cli_enrich_reports_and_fails(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("hello\n", encoding="utf-8")
    runner = CliRunner()

    result = runner.invoke(main, ["--db", str(tmp_path / "record.db"), "enrich", str(KEV_JSON),
                                  str(bad)])

    assert result.exit_code == 1
    assert (f"{KEV_JSON}: loaded the CISA KEV catalogue 2026.11.20, released 2026-11-20, "
            "3 entries") in result.output
    assert f"error: {bad}, line 1: expected the CISA KEV catalogue" in result.output


def test_kev_csv_without_cwes_column(db, tmp_path, clock):
    old = tmp_path / "known_exploited_vulnerabilities.csv"
    old.write_text(
        "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,"
        "requiredAction,dueDate,knownRansomwareCampaignUse,notes\n"
        "CVE-2021-44228,Apache,Log4j2,Log4j2 RCE,2021-12-10,JNDI lookup,"
        "Apply updates.,2021-12-24,Known,\n", encoding="utf-8")

    summary = enrich_file(db, old, clock=clock)

    assert (summary.format, summary.released) == ("kev-csv", "2021-12-10T00:00:00Z")
    catalogue = parse_csv(old, old.read_text(encoding="utf-8"))
    assert [(entry.cve, entry.cwes, entry.ransomware) for entry in catalogue.entries] == [
        ("CVE-2021-44228", [], "Known")]



def test_overdue_by_one_day(record, clock):
    enrich_file(record, KEV_JSON, clock=clock)
    finding_id = finding(record, "2001")["id"]
    one_day_late = datetime(2021, 12, 26, 0, 0, tzinfo=UTC)

    assert due_reasons(record, finding_id, one_day_late)[0] == (
        "Due 2021-12-24 23:59 UTC, overdue by 1 day:")
