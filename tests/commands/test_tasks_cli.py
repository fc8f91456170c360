"""``patchtui tasks`` and ``patchtui task add|tick|untick|link|step|close``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from patchtui.cli import main
from patchtui.store import open_db
from tests.rounds import (
    DB,
    MS17_010,
    SMB_SIGNING,
    SWEET32,
    WEB,
    finding_id,
    import_round,
    new_db,
    start_clock,
    status_of,
)


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


@pytest.fixture
def ids(db_path, clock):
    db = open_db(db_path, clock=clock)
    return {"web_smb": finding_id(db, WEB, MS17_010), "db_tls": finding_id(db, DB, SWEET32),
            "db_signing": finding_id(db, DB, SMB_SIGNING)}


def add_task(run, ids, *extra: str):
    return run("task", "add", "--title", "Patch SMB and TLS", "--finding", str(ids["web_smb"]),
               "--finding", str(ids["db_tls"]), "--window-start", "2026-03-07 22:00",
               "--window-end", "2026-03-07 23:30", "--rollback", "Restore the snapshots",
               "--json", *extra)


def test_add_json_schema(run, ids):
    result = add_task(run, ids)

    assert result.exit_code == 0, result.output
    task = json.loads(result.stdout)["task"]
    assert task["id"] == 1
    assert (task["state"], task["progress"]) == ("open", {"ticked": 0, "steps": 8})
    assert (task["window_start"], task["window_end"]) == ("2026-03-07T22:00:00Z",
                                                          "2026-03-07T23:30:00Z")
    assert task["rollback_plan"] == "Restore the snapshots"
    assert task["findings"] == {"linked": 2, "fixed": 0, "reopened": 0,
                                "ids": [ids["web_smb"], ids["db_tls"]], "reopened_ids": []}
    assert task["assets"] == [WEB, DB]
    assert task["steps"][0] == {"number": 1, "title": "Back up or snapshot", "ticked": False,
                                "ticked_at": None, "ticked_by": None, "note": None}
    assert [step["title"] for step in task["steps"]][-1] == "Rescan"


def test_tick_all_then_verified_by_rescan(run, db_path, clock, ids):
    add_task(run, ids)
    for number in range(1, 8):
        assert run("task", "tick", "1", str(number)).exit_code == 0

    last = run("task", "tick", "1", "8", "--note", "rescan queued", "--patch-findings", "--json")
    db = open_db(db_path, clock=clock)
    patched = [status_of(db, WEB, MS17_010), status_of(db, DB, SWEET32)]
    import_round(db, 2, clock)
    verified = json.loads(run("tasks", "--json").stdout)[0]
    import_round(db, 3, clock)
    back = json.loads(run("tasks", "--json").stdout)[0]

    shaped = json.loads(last.stdout)
    assert (shaped["became_done"], shaped["patched"]) == (True, 2)
    assert shaped["task"]["state"] == "done"
    assert shaped["task"]["steps"][7]["note"] == "rescan queued"
    assert patched == ["patched", "patched"]
    assert (verified["state"], verified["findings"]["fixed"]) == ("verified", 2)
    assert (back["state"], back["findings"]["reopened_ids"]) == ("done", [ids["web_smb"]])


def test_done_without_patch_flag_hints(run, ids):
    add_task(run, ids, "--step", "Deploy")
    result = run("task", "tick", "1", "1")

    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "step 1 of task 1 ticked; task 1 is done; 2 linked findings are still open: rerun "
        "with --patch-findings or use 'patchtui task patch 1'")


def test_untick_json(run, ids):
    add_task(run, ids)
    run("task", "tick", "1", "3")

    result = run("task", "untick", "1", "3", "--json")

    task = json.loads(result.stdout)["task"]
    assert task["progress"] == {"ticked": 0, "steps": 8}
    assert task["steps"][2]["ticked"] is False


def test_step_edits(run, ids):
    add_task(run, ids)

    run("task", "step", "remove", "1", "4")
    run("task", "step", "rename", "1", "6", "Reboot web01 and db01")
    added = json.loads(run("task", "step", "add", "1", "Update the CMDB", "--json").stdout)

    assert added["number"] == 9
    steps = added["task"]["steps"]
    assert [s["number"] for s in steps] == [1, 2, 3, 5, 6, 7, 8, 9]
    assert steps[4]["title"] == "Reboot web01 and db01"
    assert added["task"]["progress"] == {"ticked": 0, "steps": 8}


def test_link_more_findings(run, ids):
    add_task(run, ids)

    result = run("task", "link", "1", "--finding", str(ids["db_signing"]), "--json")

    shaped = json.loads(result.stdout)
    assert shaped["added"] == 1
    assert shaped["task"]["findings"]["ids"] == [ids["web_smb"], ids["db_tls"], ids["db_signing"]]


@pytest.mark.parametrize("args, message", [
    (["task", "tick", "1", "12"], "error: task 1 has no step 12\n"),
    (["task", "tick", "5", "1"], "error: no task with id 5\n"),
    (["task", "link", "1", "--finding", "999"], "error: no finding with id 999\n"),
    (["task", "add", "--title", "x", "--window-start", "soon"],
     "error: invalid window start 'soon': write it as YYYY-MM-DD HH:MM (UTC) or add an offset "
     "such as +02:00\n"),
    (["task", "add", "--title", "x", "--finding", "999"], "error: no finding with id 999\n"),
    (["task", "add", "--title", "x", "--finding", "FIXED"],
     "error: cannot link finding FIXED (fixed): a task links only findings that still need "
     "work; leave out fixed and false-positive findings\n"),
])
def test_bad_input_exits_1(run, db_path, clock, ids, args, message):
    add_task(run, ids)
    import_round(open_db(db_path, clock=clock), 2, clock)
    fixed = str(ids["web_smb"])
    args = [fixed if arg == "FIXED" else arg for arg in args]

    result = run(*args)
    message = message.replace("FIXED", fixed)

    assert result.exit_code == 1
    assert result.stderr == message


@pytest.mark.parametrize("args", [
    ["task", "add", "--finding", "1"],
    ["task", "tick", "1"],
    ["task", "tick", "1", "two"],
    ["task", "edit", "1"],
])
def test_usage_errors_exit_2(run, ids, args):
    add_task(run, ids)

    assert run(*args).exit_code == 2


def test_list_sorted_by_window_with_states(run, ids):
    run("task", "add", "--title", "late", "--window-start", "2026-03-20 22:00")
    run("task", "add", "--title", "unplanned")
    run("task", "add", "--title", "early", "--window-start", "2026-03-06 22:00", "--step", "Deploy")
    run("task", "tick", "3", "1")

    rows = json.loads(run("tasks", "--json").stdout)
    done = json.loads(run("tasks", "--state", "done", "--json").stdout)
    text = run("tasks").stdout.splitlines()

    assert [(r["title"], r["state"]) for r in rows] == [("early", "done"), ("late", "open"),
                                                       ("unplanned", "open")]
    assert [r["title"] for r in done] == ["early"]
    assert text[1] == "   3 done        1/1    2026-03-06 22:00 0/0 fixed              early"
    assert text[-1] == "3 tasks"


def test_past_window_warns(run, ids):
    result = run("task", "add", "--title", "late entry", "--window-start", "2026-03-01 22:00")

    assert result.exit_code == 0
    assert result.stderr == ("warning: the window starts 2026-03-01 22:00 UTC, which is in the "
                             "past; change it with 'patchtui task edit 1 --window-start' if that "
                             "was a mistake\n")
    assert result.stdout.startswith("task 1 created\n")


def test_plural_messages(run, ids):
    add_task(run, ids)

    linked = run("task", "link", "1", "--finding", str(ids["db_signing"]))
    listing = run("tasks")

    assert linked.stdout.startswith("1 finding added to task 1\n")
    assert listing.stdout.splitlines()[-1] == "1 task"


def test_close_keeps_task(run, ids):
    add_task(run, ids)

    closed = json.loads(run("task", "close", "1", "--note", "vendor upgrade instead", "--json").stdout)
    tick = run("task", "tick", "1", "1")

    assert closed["task"]["state"] == "closed"
    assert tick.exit_code == 1
    assert "task 1 is closed" in tick.stderr
