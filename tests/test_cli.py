"""The command line: import and findings, as a script would use them."""

from __future__ import annotations

import csv
import io
import json
import os
import stat

import pytest
from click.testing import CliRunner

from patchtui.cli import main
from patchtui.importers.model import FindingRecord, ScanInfo
from patchtui.store import open_db
from patchtui.store.ingest import ScanFile, ingest
from tests.conftest import SAMPLE_DATA
from tests.reports import Host, Item, day, write_nessus

ESC = "\x1b"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "cli.db"


def invoke(runner, *args, env=None):
    return runner.invoke(main, [str(arg) for arg in args], env=env, catch_exceptions=False)


def test_import_reports_summary(runner, db_path, tmp_path):
    report = write_nessus(tmp_path, "week1.nessus", [Host("10.0.0.1", [Item("1001"), Item("1002")])], day(1))

    result = invoke(runner, "--db", db_path, "import", report)

    assert result.exit_code == 0
    assert "2 new, 0 seen again, 0 fixed, 0 reopened, 0 not verifiable, 0 skipped" in result.output


def test_import_json_and_duplicate(runner, db_path, tmp_path):
    report = write_nessus(tmp_path, "week1.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))
    invoke(runner, "import", "--db", db_path, report)

    result = invoke(runner, "import", "--db", db_path, "--json", report)

    data = json.loads(result.output)
    assert result.exit_code == 0
    assert data["ok"] is True
    assert data["files"][0]["status"] == "duplicate"
    assert data["files"][0]["duplicate_of"] == 1
    assert data["files"][0]["new"] == 0


def test_import_failed_file_others_still_import(runner, db_path, tmp_path):
    good = write_nessus(tmp_path, "good.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))
    bad = tmp_path / "bad.nessus"
    bad.write_text("<NessusClientData_v2><Report name='x'><ReportHost name='10.0.0.9'>", encoding="utf-8")

    result = runner.invoke(main, ["import", "--db", str(db_path), "--json", str(bad), str(good)])

    data = json.loads(result.stdout)
    assert result.exit_code == 1
    assert data["ok"] is False
    assert data["files"][0]["status"] == "failed"
    assert str(bad) in data["files"][0]["error"]
    assert "line 1" in data["files"][0]["error"]
    assert data["files"][1]["status"] == "imported"
    listed = json.loads(invoke(runner, "findings", "--db", db_path, "--json").output)
    assert [row["ip"] for row in listed] == ["10.0.0.1"]


def test_import_unknown_format_names_file(runner, db_path, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n", encoding="utf-8")

    result = runner.invoke(main, ["import", "--db", str(db_path), str(junk)])

    assert result.exit_code == 1
    assert f"error: {junk}: not a recognised report" in result.stderr


def test_usage_error_exit_2(runner, db_path):
    result = runner.invoke(main, ["import", "--db", str(db_path)])

    assert result.exit_code == 2


def test_database_file_is_private(runner, db_path, tmp_path):
    report = write_nessus(tmp_path, "week1.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))

    invoke(runner, "import", "--db", db_path, report)

    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


def test_environment_variable_selects_database(runner, tmp_path):
    report = write_nessus(tmp_path, "week1.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))
    env_db = tmp_path / "from-env.db"

    invoke(runner, "import", report, env={"PATCHTUI_DB": str(env_db)})

    assert env_db.exists()


def sample_db(runner, db_path):
    files = sorted(SAMPLE_DATA.glob("*.nessus"))
    invoke(runner, "import", "--db", db_path, *files)


def test_findings_filters(runner, db_path):
    sample_db(runner, db_path)

    result = invoke(runner, "findings", "--db", db_path, "--json", "--status", "fixed")

    fixed = json.loads(result.output)
    # Week 2 drops six findings, of which legacy-ctrl's local check cannot be verified (its
    # login failed); week 3 drops mail01's OpenSSL update and brings back web01's Log4j.
    assert sorted((row["hostname"], row["plugin_id"]) for row in fixed) == [
        ("dc01.shop.example", "186001"),
        ("fs01.shop.example", "97833"),
        ("mail01.shop.example", "183000"),
        ("web01.shop.example", "181288"),
        ("ws-acct01.shop.example", "186000"),
    ]


def test_findings_search_and_host(runner, db_path):
    sample_db(runner, db_path)

    by_cve = json.loads(invoke(runner, "findings", "--db", db_path, "--json", "--search", "CVE-2021-44228").output)
    by_host = json.loads(invoke(runner, "findings", "--db", db_path, "--json", "--host", "legacy-ctrl").output)

    assert [(row["hostname"], row["status"]) for row in by_cve] == [("web01.shop.example", "open")]
    assert sorted(row["plugin_id"] for row in by_host) == ["186000", "19506", "21745", "73182", "97833"]
    assert {row["ip"] for row in by_host} == {"10.20.0.90"}


def test_findings_json_schema(runner, db_path):
    sample_db(runner, db_path)

    rows = json.loads(invoke(runner, "findings", "--db", db_path, "--json", "--search", "ETERNALBLUE",
                             "--host", "legacy").output)

    assert rows == [{
        "id": rows[0]["id"], "ip": "10.20.0.90", "hostname": "legacy-ctrl.shop.example", "host": "10.20.0.90",
        "tier": "internal", "scanner": "nessus", "plugin_id": "97833",
        "name": "MS17-010: Security Update for Microsoft Windows SMB Server (ETERNALBLUE)",
        "port": 445, "protocol": "tcp", "service": "cifs", "severity": "high", "scanner_severity": "critical",
        "cvss": 8.1, "cvss2_score": 9.3, "cvss3_score": 8.1, "cvss4_score": None,
        "cves": ["CVE-2017-0143", "CVE-2017-0144", "CVE-2017-0145"], "status": "open", "qod": None,
        "first_seen": "2026-11-02T01:13:30Z", "last_seen": "2026-11-16T01:13:30Z",
        # high on an internal asset: due two days after first seen; priority 10 x 8.1 + 30 for
        # the exploit the report lists.
        "due_at": "2026-11-04T01:13:30Z", "priority": 111, "reviewed_at": None,
    }]


def test_findings_csv(runner, db_path):
    sample_db(runner, db_path)

    output = invoke(runner, "findings", "--db", db_path, "--csv", "--severity", "critical").output

    rows = list(csv.DictReader(io.StringIO(output)))
    assert {row["plugin_id"] for row in rows} == {"125313", "156860", "159999", "73182"}
    assert rows[0]["severity"] == "critical"


def test_findings_never_print_escape(runner, db_path, tmp_path):
    # XML cannot carry ESC, but CSV exports can, so the record goes in through the store.
    hostile = f"Evil {ESC}]0;pwned{ESC}\\ {ESC}[31mred [/] [@click=app.quit]x"
    records = [ScanInfo(scanner="nessus", format="nessus-csv", started_at=day(1)),
               FindingRecord(host_address="10.0.0.1", host_name=f"web{ESC}[2J", plugin_id="1001", name=hostile)]
    ingest(open_db(db_path), records, ScanFile("evil.csv", "0" * 64, day(1), day(2), "tester"))

    for options in ([], ["--csv"], ["--json"]):
        output = invoke(runner, "findings", "--db", db_path, *options).output
        assert ESC not in output
    table = invoke(runner, "findings", "--db", db_path).output
    assert "Evil \u241b]0;pwned" in table
    assert "[/] [@click=app.quit]x" in table


def test_backup_is_consistent_copy(runner, db_path, tmp_path):
    sample_db(runner, db_path)
    target = tmp_path / "copy.db"

    result = invoke(runner, "backup", "--db", db_path, target)
    listed = json.loads(invoke(runner, "findings", "--db", target, "--json").output)

    assert result.exit_code == 0
    assert len(listed) == len(json.loads(invoke(runner, "findings", "--db", db_path, "--json").output))
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_backup_refuses_to_overwrite(runner, db_path, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("keep me", encoding="utf-8")

    result = runner.invoke(main, ["backup", "--db", str(db_path), str(target)])

    assert result.exit_code == 1
    assert "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me"


def test_backup_onto_database_is_rejected(runner, db_path):
    sample_db(runner, db_path)
    before = invoke(runner, "findings", "--db", db_path, "--json").output

    result = runner.invoke(main, ["backup", "--db", str(db_path), "--force", str(db_path)])

    assert result.exit_code == 1
    assert "is the database itself" in result.stderr
    assert invoke(runner, "findings", "--db", db_path, "--json").output == before


def test_backup_force_replaces(runner, db_path, tmp_path):
    sample_db(runner, db_path)
    target = tmp_path / "copy.db"
    target.write_text("old backup", encoding="utf-8")

    result = invoke(runner, "backup", "--db", db_path, "--force", target)

    assert result.exit_code == 0
    assert json.loads(invoke(runner, "findings", "--db", target, "--json").output)
    assert not (tmp_path / ".copy.db.partial").exists()


def test_missing_database_is_not_created(runner, tmp_path):
    missing = tmp_path / "typo" / "record.db"

    result = runner.invoke(main, ["findings", "--db", str(missing)])

    assert result.exit_code == 1
    assert f"database not found: {missing}" in result.stderr
    assert not missing.parent.exists()


def test_tilde_in_environment_is_expanded(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    report = write_nessus(tmp_path, "week1.nessus", [Host("10.0.0.1", [Item("1001")])], day(1))

    invoke(runner, "import", report, env={"PATCHTUI_DB": "~/home.db"})

    assert (tmp_path / "home.db").exists()


def test_scans_lists_imports(runner, db_path):
    sample_db(runner, db_path)

    rows = json.loads(invoke(runner, "scans", "--db", db_path, "--json").output)

    assert [(row["name"], row["new"], row["fixed"], row["reopened"]) for row in rows] == [
        ("Shop weekly 2026-11-16", 0, 1, 1),
        ("Shop weekly 2026-11-09", 1, 5, 0),
        ("Shop weekly 2026-11-02", 40, 0, 0),
    ]


def test_mark_sets_status_with_note(runner, db_path):
    sample_db(runner, db_path)
    ids = [row["id"] for row in json.loads(
        invoke(runner, "findings", "--db", db_path, "--json", "--plugin", "57608").output)]

    result = invoke(runner, "mark", "--db", db_path, "in_progress", *ids, "--note", "GPO change scheduled")
    listed = json.loads(invoke(runner, "findings", "--db", db_path, "--json", "--status", "in_progress").output)

    assert len(ids) == 2
    assert result.output == "2 findings marked in_progress\n"
    assert sorted(row["id"] for row in listed) == sorted(ids)


def test_mark_false_positive_needs_note(runner, db_path):
    sample_db(runner, db_path)

    result = runner.invoke(main, ["mark", "--db", str(db_path), "false_positive", "1"])

    assert result.exit_code == 1
    assert "a note is required" in result.stderr


def test_mark_unknown_id(runner, db_path):
    sample_db(runner, db_path)

    result = runner.invoke(main, ["mark", "--db", str(db_path), "patched", "99999"])

    assert result.exit_code == 1
    assert "no finding with id 99999" in result.stderr


def test_import_json_failure_has_line(runner, db_path, tmp_path):
    bad = tmp_path / "bad.nessus"
    bad.write_text("<NessusClientData_v2>\n<Report name='x'>\n<ReportHost", encoding="utf-8")

    result = runner.invoke(main, ["import", "--db", str(db_path), "--json", str(bad)])

    failure = json.loads(result.stdout)["files"][0]
    assert failure["line"] == 3
    assert failure["column"] is not None


def test_mark_reports_unchanged(runner, db_path):
    sample_db(runner, db_path)
    ids = [row["id"] for row in json.loads(
        invoke(runner, "findings", "--db", db_path, "--json", "--plugin", "57608").output)]
    invoke(runner, "mark", "--db", db_path, "in_progress", ids[0], "--note", "first")

    result = invoke(runner, "mark", "--db", db_path, "in_progress", *ids, "--note", "both")

    assert result.output == (
        "1 finding marked in_progress\n"
        "1 finding left unchanged: already in_progress, or kept accepted by an active exception\n"
    )
