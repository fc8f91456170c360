"""Manual patch tasks: checklist, ticks, state from rescans, validation."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from patchtui.errors import InputError, NotFoundError
from patchtui.store import tasks as store
from patchtui.store.events import events_for
from patchtui.triage import tasks as tk
from patchtui.triage.policy import load_policy, save_policy
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

DEFAULT_STEPS = ["Back up or snapshot", "Test on staging", "Get approval", "Notify users",
                 "Deploy in the window", "Reboot if needed", "Check services", "Rescan"]


@pytest.fixture
def clock():
    return start_clock()


@pytest.fixture
def db(tmp_path, clock):
    database = new_db(tmp_path, clock)
    import_round(database, 1, clock)
    return database


def make_task(db, clock, **changes) -> int:
    values = {"title": "Patch SMB and TLS", "finding_ids": (finding_id(db, WEB, MS17_010),
                                                           finding_id(db, DB, SWEET32)),
              "window_start": "2026-03-07 22:00", "window_end": "2026-03-07T23:30:00+00:00",
              "rollback_plan": "Restore the snapshots"}
    values.update(changes)
    return tk.create_task(db, tk.TaskDraft(**values), clock=clock, actor="alice")


def only(db, task_id: int) -> dict:
    return next(row for row in tk.list_tasks(db) if row["id"] == task_id)


def test_new_task_starts_from_default_checklist(db, clock):
    task_id = make_task(db, clock)

    row = only(db, task_id)
    assert [step["title"] for step in store.task_steps(db, task_id)] == DEFAULT_STEPS
    assert (row["state"], row["ticked"], row["steps"], row["findings"]) == ("open", 0, 8, 2)
    assert (row["window_start"], row["window_end"]) == ("2026-03-07T22:00:00Z", "2026-03-07T23:30:00Z")
    assert store.task_assets(db, task_id) == [WEB, DB]
    assert (row["created_by"], row["created_at"]) == ("alice", "2026-03-03T08:00:00Z")


def test_window_offset_converted_to_utc(db, clock):
    task_id = make_task(db, clock, window_start="2026-03-07T23:00+01:00", window_end=None)

    assert only(db, task_id)["window_start"] == "2026-03-07T22:00:00Z"


def test_tick_records_who_when_and_note(db, clock):
    task_id = make_task(db, clock)
    clock.set("2026-03-05T10:15:00")

    outcome = tk.tick_step(db, task_id, 2, note="staging VM ok", clock=clock, actor="bob")

    step = store.task_steps(db, task_id)[1]
    assert (step["ticked_at"], step["ticked_by"], step["note"]) == (
        "2026-03-05T10:15:00Z", "bob", "staging VM ok")
    assert (outcome.changed, outcome.became_done) == (True, False)
    assert only(db, task_id)["state"] == "in_progress"
    tick = [e for e in events_for(db, "task", task_id) if e["action"] == "tick"]
    assert [(e["actor"], e["new"], e["note"]) for e in tick] == [
        ("bob", "2. Test on staging", "staging VM ok")]


def test_tick_twice_changes_nothing(db, clock):
    task_id = make_task(db, clock)
    tk.tick_step(db, task_id, 1, clock=clock, actor="bob")
    before = len(events_for(db, "task", task_id))

    outcome = tk.tick_step(db, task_id, 1, clock=clock, actor="carol")

    assert outcome.changed is False
    assert outcome.message == f"step 1 of task {task_id} is already ticked"
    assert store.task_steps(db, task_id)[0]["ticked_by"] == "bob"
    assert len(events_for(db, "task", task_id)) == before


def test_untick_clears_tick(db, clock):
    task_id = make_task(db, clock)
    tk.tick_step(db, task_id, 1, clock=clock)

    tk.tick_step(db, task_id, 1, ticked=False, clock=clock)

    assert store.task_steps(db, task_id)[0]["ticked_at"] is None
    assert only(db, task_id)["state"] == "open"


def test_last_tick_makes_done_and_offers_patch(db, clock):
    task_id = make_task(db, clock)
    for number in range(1, 8):
        tk.tick_step(db, task_id, number, clock=clock)

    outcome = tk.tick_step(db, task_id, 8, clock=clock)

    assert outcome.became_done is True
    assert outcome.patchable == [finding_id(db, WEB, MS17_010), finding_id(db, DB, SWEET32)]
    assert only(db, task_id)["state"] == "done"


def test_mark_findings_patched(db, clock):
    task_id = make_task(db, clock)

    changed = tk.mark_findings_patched(db, task_id, clock=clock, actor="alice")

    assert changed == 2
    assert status_of(db, WEB, MS17_010) == "patched"
    assert status_of(db, DB, SWEET32) == "patched"
    event = events_for(db, "finding", finding_id(db, WEB, MS17_010))[-1]
    assert (event["old"], event["new"], event["note"]) == ("open", "patched", f"task {task_id} done")


def test_rescan_verifies_then_reopens(db, clock):
    task_id = make_task(db, clock)
    for number in range(1, 9):
        tk.tick_step(db, task_id, number, clock=clock)
    tk.mark_findings_patched(db, task_id, clock=clock)

    import_round(db, 2, clock)
    verified = only(db, task_id)
    import_round(db, 3, clock)
    back = only(db, task_id)

    assert (verified["state"], verified["fixed"], verified["reopened"]) == ("verified", 2, 0)
    assert (back["state"], back["fixed"], back["reopened"]) == ("done", 1, 1)
    reopened = [f["id"] for f in store.task_findings(db, task_id) if f["reopened"]]
    assert reopened == [finding_id(db, WEB, MS17_010)]


def test_verified_needs_every_finding_fixed(db, clock):
    task_id = make_task(db, clock, finding_ids=(finding_id(db, WEB, MS17_010),
                                                finding_id(db, DB, SMB_SIGNING)))

    import_round(db, 2, clock)

    row = only(db, task_id)
    assert (row["state"], row["fixed"], row["findings"]) == ("open", 1, 2)


def test_step_edits_keep_numbers(db, clock):
    task_id = make_task(db, clock)

    tk.remove_step(db, task_id, 4, clock=clock)
    tk.rename_step(db, task_id, 6, "Reboot web01", clock=clock)
    number = tk.add_step(db, task_id, "Update the CMDB", clock=clock)

    steps = store.task_steps(db, task_id)
    assert number == 9
    assert [(s["number"], s["title"]) for s in steps] == [
        (1, "Back up or snapshot"), (2, "Test on staging"), (3, "Get approval"),
        (5, "Deploy in the window"), (6, "Reboot web01"), (7, "Check services"), (8, "Rescan"),
        (9, "Update the CMDB")]
    removed = [s for s in store.task_steps(db, task_id, removed=True) if s["removed"]]
    assert [(s["number"], s["title"]) for s in removed] == [(4, "Notify users")]
    assert only(db, task_id)["steps"] == 8
    actions = [(e["action"], e["old"], e["new"]) for e in events_for(db, "task", task_id)][-3:]
    assert actions == [("step_remove", "4. Notify users", "removed"),
                       ("step_rename", "6. Reboot if needed", "6. Reboot web01"),
                       ("step_add", None, "9. Update the CMDB")]


def test_removed_step_not_needed_for_done(db, clock):
    task_id = make_task(db, clock, steps=("Deploy", "Reboot"))
    tk.tick_step(db, task_id, 1, clock=clock)

    tk.remove_step(db, task_id, 2, clock=clock)

    assert only(db, task_id)["state"] == "done"
    with pytest.raises(InputError, match="step 2 of task 1 was removed"):
        tk.tick_step(db, task_id, 2, clock=clock)


def test_add_findings_to_existing_task(db, clock):
    task_id = make_task(db, clock)

    added = tk.add_findings(db, task_id, (finding_id(db, DB, SMB_SIGNING), finding_id(db, DB, SWEET32)),
                            clock=clock)

    assert added == 1
    assert only(db, task_id)["findings"] == 3


@pytest.mark.parametrize("changes, error, message", [
    ({"title": " "}, InputError, "a task title is required"),
    ({"finding_ids": (999,)}, NotFoundError, "no finding with id 999"),
    ({"window_start": "next friday"}, InputError, "invalid window start 'next friday'"),
    ({"window_end": "2026-03-07 21:00"}, InputError, "the window ends"),
    ({"window_start": None}, InputError, "a window end needs a window start"),
    ({"hosts": ("nas01",)}, NotFoundError, "'nas01'"),
])
def test_bad_task_input_changes_nothing(db, clock, changes, error, message):
    with pytest.raises(error, match=message):
        make_task(db, clock, **changes)

    assert db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM events WHERE entity = 'task'").fetchone()[0] == 0


def test_unknown_step_and_task(db, clock):
    task_id = make_task(db, clock)

    with pytest.raises(NotFoundError, match=f"task {task_id} has no step 12"):
        tk.tick_step(db, task_id, 12, clock=clock)
    with pytest.raises(NotFoundError, match="no task with id 77"):
        tk.tick_step(db, 77, 1, clock=clock)


def test_closed_task_is_kept_and_frozen(db, clock):
    task_id = make_task(db, clock)

    tk.close_task(db, task_id, "replaced by a vendor upgrade", clock=clock)

    assert only(db, task_id)["state"] == "closed"
    with pytest.raises(InputError, match="is closed"):
        tk.tick_step(db, task_id, 1, clock=clock)
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        db.conn.execute("DELETE FROM task_steps")


def test_edit_window_records_event(db, clock):
    task_id = make_task(db, clock)

    changed = tk.edit_task(db, task_id, {"window_start": "2026-03-08 22:00",
                                         "window_end": "2026-03-08 23:00"}, clock=clock)

    assert changed == ["window_start", "window_end"]
    event = [e for e in events_for(db, "task", task_id) if e["action"] == "set_window_start"][0]
    assert (event["old"], event["new"]) == ("2026-03-07T22:00:00Z", "2026-03-08T22:00:00Z")


def test_tasks_sorted_by_window(db, clock):
    late = make_task(db, clock, title="late", window_start="2026-03-20 22:00", window_end=None)
    unplanned = make_task(db, clock, title="unplanned", window_start=None, window_end=None)
    early = make_task(db, clock, title="early", window_start="2026-03-06 22:00", window_end=None)

    assert [row["id"] for row in tk.list_tasks(db)] == [early, late, unplanned]


def test_policy_template_starts_checklist(db, clock):
    policy = load_policy(db)
    save_policy(db, replace(policy, task_template=("Snapshot", "Patch", "Rescan")), clock=clock)

    task_id = make_task(db, clock)

    assert [step["title"] for step in store.task_steps(db, task_id)] == ["Snapshot", "Patch", "Rescan"]


def test_fixed_finding_not_linked(db, clock):
    import_round(db, 2, clock)
    fixed = finding_id(db, WEB, MS17_010)
    assert status_of(db, WEB, MS17_010) == "fixed"

    with pytest.raises(InputError, match=rf"cannot link finding {fixed} \(fixed\): a task links "
                                         "only findings that still need work"):
        make_task(db, clock, finding_ids=(fixed,))

    assert db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 0


def test_false_positive_not_added(db, clock):
    task_id = make_task(db, clock)
    signing = finding_id(db, DB, SMB_SIGNING)
    tk.set_status(db, [signing], "false_positive", "signing is enforced by GPO", clock=clock)

    with pytest.raises(InputError, match=rf"cannot link finding {signing} \(false_positive\)"):
        tk.add_findings(db, task_id, (signing,), clock=clock)

    assert only(db, task_id)["findings"] == 2


def test_task_without_findings_never_verified(db, clock):
    task_id = make_task(db, clock, finding_ids=(), steps=("Deploy",))
    tk.tick_step(db, task_id, 1, clock=clock)

    assert only(db, task_id)["state"] == "done"


def test_past_window_warning(db, clock):
    assert tk.past_window_warning("2026-03-02T22:00:00Z", clock) == (
        "the window starts 2026-03-02 22:00 UTC, which is in the past")
    assert tk.past_window_warning("2026-03-07T22:00:00Z", clock) is None
    assert tk.past_window_warning(None, clock) is None
