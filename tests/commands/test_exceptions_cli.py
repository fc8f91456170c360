"""``patchtui exceptions`` and ``patchtui exception add|extend|revoke|show``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from patchtui.cli import main
from patchtui.store import open_db
from tests.rounds import DB, HMI, MS17_010, PHP, WEB, finding_id, import_round, new_db, start_clock, status_of

ADD = ["exception", "add", "--title", "Legacy HMI", "--risk-note", "Vendor forbids patches",
       "--controls", "Isolated VLAN", "--residual-risk", "medium", "--approved-by", "J. Doe"]


@pytest.fixture
def clock():
    return start_clock()


@pytest.fixture
def db_path(tmp_path, clock):
    db = new_db(tmp_path, clock)
    import_round(db, 1, clock)
    return tmp_path / "patchtui.db"


@pytest.fixture
def run(db_path, clock):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, ["--db", str(db_path), *args], obj={"clock": clock})
    return invoke


def reopen(db_path, clock):
    return open_db(db_path, clock=clock)


def test_add_finding_scope_json(run, db_path, clock):
    db = reopen(db_path, clock)
    chosen = finding_id(db, HMI, PHP)

    result = run(*ADD, "--expires", "2026-04-30", "--finding", str(chosen), "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["changed"] == 1
    assert data["warnings"] == []
    shaped = data["exception"]
    assert shaped["title"] == "Legacy HMI"
    assert (shaped["state"], shaped["view_state"], shaped["expires"], shaped["days_left"]) == (
        "active", "active", "2026-04-30", 58)
    assert shaped["scope"] == {"kind": "findings", "scanner": None, "plugin_id": None, "assets": []}
    assert shaped["findings"] == {"linked": 1, "covered": 1, "fixed": 0, "all_fixed": False,
                                  "ids": [chosen], "covered_ids": [chosen], "review_ids": []}
    assert (shaped["controls"], shaped["residual_risk"], shaped["approved_by"]) == (
        "Isolated VLAN", "medium", "J. Doe")
    assert status_of(reopen(db_path, clock), HMI, PHP) == "accepted"


def test_plugin_rule_covers_later_import(run, db_path, clock):
    result = run(*ADD, "--expires", "2026-04-30", "--plugin", f"nessus:{MS17_010}",
                 "--asset", "db01", "--asset", WEB, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["exception"]["scope"] == {
        "kind": "vulnerability", "scanner": "nessus", "plugin_id": MS17_010, "assets": [WEB, DB]}

    db = reopen(db_path, clock)
    import_round(db, 2, clock)
    listed = json.loads(run("exceptions", "--json").stdout)

    new_id = finding_id(db, DB, MS17_010)
    assert status_of(db, DB, MS17_010) == "accepted"
    assert listed[0]["findings"]["covered_ids"] == [new_id]
    assert listed[0]["findings"]["ids"] == [finding_id(db, WEB, MS17_010), new_id]


def test_asset_scope_text_output(run):
    result = run(*ADD, "--expires", "2026-04-30", "--asset", "hmi01")

    assert result.exit_code == 0, result.output
    assert result.stdout == ("exception 1 recorded: everything on 10.0.0.7, expires 2026-04-30; "
                             "3 findings changed status\n")


@pytest.mark.parametrize("args, message", [
    (["--expires", "2026-03-01", "--asset", HMI], "error: the expiry date 2026-03-01 is in the past"),
    (["--expires", "2026-06-30", "--asset", HMI], "is more than 90 days away"),
    (["--expires", "2026-04-30", "--finding", "999"], "error: no finding with id 999"),
    (["--expires", "2026-04-30", "--asset", "nas01"], "no asset has the address or name 'nas01'"),
    (["--expires", "2026-04-30", "--plugin", "qualys:1"], "invalid vulnerability 'qualys:1'"),
])
def test_bad_input_exits_1(run, db_path, clock, args, message):
    result = run(*ADD, *args)

    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""
    assert reopen(db_path, clock).execute("SELECT count(*) FROM exceptions").fetchone()[0] == 0


def test_empty_risk_note_exits_1(run):
    args = [value if value != "Vendor forbids patches" else " " for value in ADD]

    result = run(*args, "--expires", "2026-04-30", "--asset", HMI)

    assert result.exit_code == 1
    assert "a risk note (why the risk is accepted) is required" in result.stderr


@pytest.mark.parametrize("args", [
    ["--expires", "2026-04-30"],
    ["--expires", "2026-04-30", "--finding", "1", "--plugin", "nessus:1"],
    ["--asset", HMI],
    ["--expires", "2026-04-30", "--asset", HMI, "--residual-risk", "tiny"],
])
def test_usage_errors_exit_2(run, args):
    assert run(*ADD, *args).exit_code == 2


def test_rule_matching_nothing_warns(run):
    result = run(*ADD, "--expires", "2026-04-30", "--plugin", "nessus:11111")

    assert result.exit_code == 0
    assert "warning: no imported scan has reported nessus:11111 yet" in result.stderr


def test_extend_revoke_and_expire(run, db_path, clock):
    run(*ADD, "--expires", "2026-03-20", "--asset", HMI)

    extended = run("exception", "extend", "1", "--expires", "2026-04-10", "--note", "vendor late",
                   "--json")
    clock.set("2026-04-11T07:00:00")
    expired = json.loads(run("exceptions", "--json").stdout)
    db = reopen(db_path, clock)
    statuses = [status_of(db, HMI, p) for p in (MS17_010, PHP)]
    again = run("exception", "extend", "1", "--expires", "2026-05-01", "--note", "re-approved",
                "--json")
    revoked = run("exception", "revoke", "1", "--note", "patched after all", "--json")

    assert json.loads(extended.stdout)["exception"]["expires"] == "2026-04-10"
    assert (expired[0]["state"], expired[0]["findings"]["covered"]) == ("expired", 0)
    assert expired[0]["findings"]["review_ids"] == sorted(
        finding_id(db, HMI, plugin) for plugin in ("10287", MS17_010, PHP))
    assert statuses == ["open", "open"]
    assert json.loads(again.stdout)["changed"] == 3
    assert json.loads(again.stdout)["exception"]["state"] == "active"
    shaped = json.loads(revoked.stdout)
    assert (shaped["exception"]["state"], shaped["changed"]) == ("revoked", 3)
    assert status_of(reopen(db_path, clock), HMI, PHP) == "open"


def test_extend_needs_note(run):
    run(*ADD, "--expires", "2026-03-20", "--asset", HMI)

    assert run("exception", "extend", "1", "--expires", "2026-04-10").exit_code == 2
    blank = run("exception", "extend", "1", "--expires", "2026-04-10", "--note", "")
    assert blank.exit_code == 1
    assert "a note saying why the expiry date changes is required" in blank.stderr


def test_revoke_needs_note(run):
    run(*ADD, "--expires", "2026-03-20", "--asset", HMI)

    missing = run("exception", "revoke", "1")
    blank = run("exception", "revoke", "1", "--note", " ")

    assert missing.exit_code == 2
    assert "Missing option '--note'" in missing.stderr
    assert blank.exit_code == 1
    assert blank.stderr == "error: a note saying why the exception is revoked is required\n"


def test_shorten_wording(run):
    run(*ADD, "--expires", "2026-04-30", "--asset", HMI)

    result = run("exception", "extend", "1", "--expires", "2026-03-31", "--note", "audit asked")

    assert result.exit_code == 0
    assert result.stdout == ("exception 1 shortened (expiry changed from 2026-04-30 to "
                             "2026-03-31): everything on 10.0.0.7, expires 2026-03-31; "
                             "0 findings changed status\n")


def test_revoked_shows_no_days_left(run):
    run(*ADD, "--expires", "2026-04-30", "--asset", HMI)
    active = run("exception", "show", "1").stdout
    run("exception", "revoke", "1", "--note", "HMI replaced")

    revoked = run("exception", "show", "1").stdout

    assert "  expires:       2026-04-30 (58 days left)\n" in active
    assert "  expires:       2026-04-30\n" in revoked
    assert "days left" not in revoked


def test_revoke_unknown_exits_1(run):
    result = run("exception", "revoke", "9", "--note", "typo")

    assert result.exit_code == 1
    assert result.stderr == "error: no exception with id 9\n"


def test_list_states_and_order(run, clock):
    run(*ADD, "--expires", "2026-05-20", "--asset", WEB)
    run(*ADD, "--expires", "2026-03-10", "--asset", HMI)
    run(*ADD, "--expires", "2026-03-25", "--asset", DB)
    run("exception", "revoke", "1", "--note", "web01 retired")
    clock.set("2026-03-12T09:00:00")

    rows = json.loads(run("exceptions", "--json").stdout)
    expiring = json.loads(run("exceptions", "--state", "expiring", "--json").stdout)

    assert [(r["id"], r["view_state"]) for r in rows] == [(2, "expired"), (3, "expiring"),
                                                         (1, "revoked")]
    assert [r["id"] for r in expiring] == [3]
    assert rows[1]["days_left"] == 13


def test_show_lists_history(run):
    run(*ADD, "--expires", "2026-04-30", "--asset", HMI)

    result = run("exception", "show", "1", "--json")

    shaped = json.loads(result.stdout)
    assert [e["action"] for e in shaped["events"]] == ["create"]
    assert [(f["status"], f["via"]) for f in shaped["finding_list"]] == [("accepted", "rule")] * 3
    text = run("exception", "show", "1").stdout
    assert "  covers:        everything on 10.0.0.7\n" in text
    assert "  risk note:     Vendor forbids patches\n" in text
