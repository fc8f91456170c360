"""``patchtui tasks`` and ``patchtui task add|show|tick|untick|link|edit|close|step``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from patchtui.commands.common import (
    command_clock,
    db_option,
    echo_json,
    fail,
    open_database,
    plural,
    safe,
)
from patchtui.errors import PatchtuiError
from patchtui.importers.model import SEVERITIES
from patchtui.store import tasks as store
from patchtui.store.events import events_for
from patchtui.triage import tasks as rules

JSON_OPTION = click.option("--json", "as_json", is_flag=True,
                           help="Print the task as JSON (see README).")


def task_json(db: Database, row: dict[str, Any]) -> dict[str, Any]:
    """Shape one task row from ``triage.tasks.list_tasks`` for ``--json``."""
    findings = store.task_findings(db, row["id"])
    return {
        "id": row["id"],
        "title": row["title"],
        "state": rules.task_state(row),
        "description": row["description"],
        "window_start": row["window_start"],
        "window_end": row["window_end"],
        "rollback_plan": row["rollback_plan"],
        "notes": row["notes"],
        "created_at": row["created_at"],
        "created_by": row["created_by"],
        "closed_at": row["closed_at"],
        "progress": {"ticked": row["ticked"], "steps": row["steps"]},
        "findings": {
            "linked": row["findings"],
            "fixed": row["fixed"],
            "reopened": row["reopened"],
            "ids": [finding["id"] for finding in findings],
            "reopened_ids": [finding["id"] for finding in findings if finding["reopened"]],
        },
        "assets": store.task_assets(db, row["id"]),
        "steps": [
            {"number": step["number"], "title": step["title"], "ticked": step["ticked_at"] is not None,
             "ticked_at": step["ticked_at"], "ticked_by": step["ticked_by"], "note": step["note"]}
            for step in store.task_steps(db, row["id"])
        ],
    }


def _run(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except PatchtuiError as err:
        fail(str(err))


def _line(row: dict[str, Any]) -> str:
    state = rules.task_state(row)
    window = (row["window_start"] or "-")[:16].replace("T", " ")
    findings = f"{row['fixed']}/{row['findings']} fixed"
    if row["reopened"]:
        findings += f", {row['reopened']} reopened"
    return (f"{row['id']:>4} {state:<11} {row['ticked']}/{row['steps']:<4} {window:<16} "
            f"{findings:<22} {safe(row['title'])[:60]}")


@click.command("tasks")
@click.option("--state", "states", multiple=True, type=click.Choice(rules.STATES),
              help="Only tasks in this state (repeat for several).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (see README).")
@db_option
def tasks_command(states: tuple[str, ...], as_json: bool, db_path: Path | None) -> None:
    """List manual patch tasks by planned window (unplanned last)."""
    db = open_database(db_path)
    rows = rules.list_tasks(db, states)
    if as_json:
        echo_json([task_json(db, row) for row in rows])
        return
    click.echo(f"{'ID':>4} {'STATE':<11} {'STEPS':<6} {'WINDOW (UTC)':<16} {'FINDINGS':<22} TITLE")
    for row in rows:
        click.echo(_line(row))
    click.echo(plural(len(rows), "task"))


@click.group("task")
def task_group() -> None:
    """Create a manual patch task and tick off its checklist."""


def _show(db: Database, task_id: int, as_json: bool, message: str | None = None,
          extra: dict[str, Any] | None = None) -> None:
    row = _run(lambda: rules.existing_task(db, task_id))
    if as_json:
        echo_json({"ok": True, "task": task_json(db, row), **(extra or {})})
        return
    if message:
        click.echo(message)
    for line in _detail_lines(db, row):
        click.echo(line)


def _detail_lines(db: Database, row: dict[str, Any]) -> list[str]:
    window = "not planned"
    if row["window_start"]:
        window = f"{row['window_start']} to {row['window_end'] or '?'}"
    lines = [
        f"task {row['id']}: {safe(row['title'])} ({rules.task_state(row)}, "
        f"{row['ticked']}/{row['steps']} steps)",
        f"  window:   {window}",
        f"  rollback: {safe(row['rollback_plan'] or '-')}",
        f"  assets:   {safe(', '.join(store.task_assets(db, row['id'])) or '-')}",
    ]
    if row["description"]:
        lines.append(f"  description: {safe(row['description'])}")
    if row["notes"]:
        lines.append(f"  notes:    {safe(row['notes'])}")
    lines.append("steps:")
    for step in store.task_steps(db, row["id"]):
        mark = "x" if step["ticked_at"] else " "
        who = f"  ({safe(step['ticked_by'])} {step['ticked_at']})" if step["ticked_at"] else ""
        note = f"  note: {safe(step['note'])}" if step["note"] else ""
        lines.append(f"  [{mark}] {step['number']}. {safe(step['title'])}{who}{note}")
    lines.append("findings:")
    for finding in store.task_findings(db, row["id"]):
        back = "  (reopened)" if finding["reopened"] else ""
        lines.append(f"  {finding['id']:>6} {finding['status']:<14} {SEVERITIES[finding['severity']]:<8} "
                     f"{safe(finding['host']):<16} {safe(finding['name'])[:44]}{back}")
    return lines


@task_group.command("add")
@click.option("--title", required=True, help="Short name of the task.")
@click.option("--description", help="What the change is.")
@click.option("--finding", "finding_ids", multiple=True, type=int, metavar="ID",
              help="Link this finding (repeat for several); its asset is linked too.")
@click.option("--asset", "hosts", multiple=True, metavar="HOST",
              help="Link this asset by IP address or host name (repeatable).")
@click.option("--window-start", metavar="DATETIME",
              help="Start of the maintenance window, such as '2027-03-20 22:00' (UTC unless "
                   "an offset like +02:00 is given).")
@click.option("--window-end", metavar="DATETIME", help="End of the maintenance window.")
@click.option("--rollback", help="How to undo the change.")
@click.option("--notes", help="Free notes.")
@click.option("--step", "steps", multiple=True, metavar="TITLE",
              help="A checklist step (repeat for each); without it the default checklist is used.")
@JSON_OPTION
@db_option
def add_command(title: str, description: str | None, finding_ids: tuple[int, ...],
                hosts: tuple[str, ...], window_start: str | None, window_end: str | None,
                rollback: str | None, notes: str | None, steps: tuple[str, ...], as_json: bool,
                db_path: Path | None) -> None:
    """Create a task with a checklist.

    Example: patchtui task add --title "Patch SMB on web01" --finding 2
    --window-start "2027-03-20 22:00" --window-end "2027-03-20 23:30"
    --rollback "restore the VM snapshot"
    """
    db = open_database(db_path)
    draft = rules.TaskDraft(title=title, description=description, finding_ids=finding_ids,
                            hosts=hosts, window_start=window_start, window_end=window_end,
                            rollback_plan=rollback, notes=notes, steps=steps or None)
    clock = command_clock()
    task_id = _run(lambda: rules.create_task(db, draft, clock=clock))
    warning = rules.past_window_warning(rules.existing_task(db, task_id)["window_start"], clock)
    if warning:
        click.echo(f"warning: {warning}; change it with 'patchtui task edit {task_id} "
                   "--window-start' if that was a mistake", err=True)
    _show(db, task_id, as_json, f"task {task_id} created")


@task_group.command("show")
@click.argument("task_id", type=int, metavar="TASK")
@JSON_OPTION
@db_option
def show_command(task_id: int, as_json: bool, db_path: Path | None) -> None:
    """Show a task with its steps and findings."""
    db = open_database(db_path)
    if as_json:
        row = _run(lambda: rules.existing_task(db, task_id))
        shaped = task_json(db, row)
        shaped["events"] = events_for(db, "task", task_id)
        echo_json(shaped)
        return
    _show(db, task_id, False)


def _tick(task_id: int, number: int, ticked: bool, note: str | None, patch: bool,
          as_json: bool, db_path: Path | None) -> None:
    db = open_database(db_path)
    clock = command_clock()
    outcome = _run(lambda: rules.tick_step(db, task_id, number, ticked, note, clock=clock))
    patched = 0
    if patch and outcome.became_done:
        patched = _run(lambda: rules.mark_findings_patched(db, task_id, clock=clock))
    message = outcome.message or f"step {number} of task {task_id} {'ticked' if ticked else 'unticked'}"
    if outcome.became_done:
        message += f"; task {task_id} is done"
        if patched:
            message += f" and {plural(patched, 'finding')} marked patched"
        elif outcome.patchable:
            still = len(outcome.patchable)
            message += (f"; {plural(still, 'linked finding')} {'is' if still == 1 else 'are'} "
                        "still open: "
                        f"rerun with --patch-findings or use 'patchtui task patch {task_id}'")
    extra = {"changed": outcome.changed, "became_done": outcome.became_done,
             "patched": patched, "message": message}
    _show(db, task_id, as_json, message, extra)


@task_group.command("tick")
@click.argument("task_id", type=int, metavar="TASK")
@click.argument("number", type=int, metavar="STEP")
@click.option("--note", help="A note on the step (replaces its earlier note).")
@click.option("--patch-findings", is_flag=True,
              help="When this tick finishes the task, mark its open findings patched.")
@JSON_OPTION
@db_option
def tick_command(task_id: int, number: int, note: str | None, patch_findings: bool,
                 as_json: bool, db_path: Path | None) -> None:
    """Tick step STEP (its number) of task TASK, recording who and when."""
    _tick(task_id, number, True, note, patch_findings, as_json, db_path)


@task_group.command("untick")
@click.argument("task_id", type=int, metavar="TASK")
@click.argument("number", type=int, metavar="STEP")
@click.option("--note", help="A note on the step (replaces its earlier note).")
@JSON_OPTION
@db_option
def untick_command(task_id: int, number: int, note: str | None, as_json: bool,
                   db_path: Path | None) -> None:
    """Untick step STEP of task TASK."""
    _tick(task_id, number, False, note, False, as_json, db_path)


@task_group.command("patch")
@click.argument("task_id", type=int, metavar="TASK")
@JSON_OPTION
@db_option
def patch_command(task_id: int, as_json: bool, db_path: Path | None) -> None:
    """Mark the task's open and in-progress findings patched (waiting for a rescan)."""
    db = open_database(db_path)
    patched = _run(lambda: rules.mark_findings_patched(db, task_id, clock=command_clock()))
    _show(db, task_id, as_json, f"{plural(patched, 'finding')} marked patched", {"patched": patched})


@task_group.command("link")
@click.argument("task_id", type=int, metavar="TASK")
@click.option("--finding", "finding_ids", multiple=True, type=int, metavar="ID", required=True,
              help="Link this finding (repeat for several).")
@JSON_OPTION
@db_option
def link_command(task_id: int, finding_ids: tuple[int, ...], as_json: bool,
                 db_path: Path | None) -> None:
    """Add findings to an existing task."""
    db = open_database(db_path)
    added = _run(lambda: rules.add_findings(db, task_id, finding_ids, clock=command_clock()))
    _show(db, task_id, as_json, f"{plural(added, 'finding')} added to task {task_id}", {"added": added})


@task_group.command("edit")
@click.argument("task_id", type=int, metavar="TASK")
@click.option("--title", help="New title.")
@click.option("--description", help="New description.")
@click.option("--window-start", metavar="DATETIME", help="New window start (UTC unless an offset is given).")
@click.option("--window-end", metavar="DATETIME", help="New window end.")
@click.option("--rollback", "rollback_plan", help="New rollback plan.")
@click.option("--notes", help="New notes.")
@JSON_OPTION
@db_option
def edit_command(task_id: int, as_json: bool, db_path: Path | None, **fields: str | None) -> None:
    """Change a task's title, description, window, rollback plan or notes."""
    changes = {name: value for name, value in fields.items() if value is not None}
    if not changes:
        raise click.UsageError("give at least one field to change")
    db = open_database(db_path)
    changed = _run(lambda: rules.edit_task(db, task_id, changes, clock=command_clock()))
    _show(db, task_id, as_json, f"task {task_id}: changed {', '.join(changed) or 'nothing'}",
          {"changed": changed})


@task_group.command("close")
@click.argument("task_id", type=int, metavar="TASK")
@click.option("--note", help="Why the task is closed.")
@JSON_OPTION
@db_option
def close_command(task_id: int, note: str | None, as_json: bool, db_path: Path | None) -> None:
    """Close a task that will not be worked on; it is kept with its history."""
    db = open_database(db_path)
    _run(lambda: rules.close_task(db, task_id, note, clock=command_clock()))
    _show(db, task_id, as_json, f"task {task_id} closed")


@task_group.group("step")
def step_group() -> None:
    """Edit a task's checklist: add, rename or remove steps."""


@step_group.command("add")
@click.argument("task_id", type=int, metavar="TASK")
@click.argument("title")
@JSON_OPTION
@db_option
def step_add_command(task_id: int, title: str, as_json: bool, db_path: Path | None) -> None:
    """Append a step to the checklist of task TASK."""
    db = open_database(db_path)
    number = _run(lambda: rules.add_step(db, task_id, title, clock=command_clock()))
    _show(db, task_id, as_json, f"step {number} added to task {task_id}", {"number": number})


@step_group.command("rename")
@click.argument("task_id", type=int, metavar="TASK")
@click.argument("number", type=int, metavar="STEP")
@click.argument("title")
@JSON_OPTION
@db_option
def step_rename_command(task_id: int, number: int, title: str, as_json: bool,
                        db_path: Path | None) -> None:
    """Give step STEP of task TASK a new title."""
    db = open_database(db_path)
    _run(lambda: rules.rename_step(db, task_id, number, title, clock=command_clock()))
    _show(db, task_id, as_json, f"step {number} of task {task_id} renamed")


@step_group.command("remove")
@click.argument("task_id", type=int, metavar="TASK")
@click.argument("number", type=int, metavar="STEP")
@JSON_OPTION
@db_option
def step_remove_command(task_id: int, number: int, as_json: bool, db_path: Path | None) -> None:
    """Remove step STEP from task TASK (it stays in the record, flagged removed)."""
    db = open_database(db_path)
    _run(lambda: rules.remove_step(db, task_id, number, clock=command_clock()))
    _show(db, task_id, as_json, f"step {number} of task {task_id} removed")
