"""Manual patch tasks: creating them from findings, the checklist, and their state.

A task's state follows from its record: ``closed`` once closed, else
``verified`` when it links at least one finding and a rescan verified every
one of them fixed, else ``done`` when every step is ticked, ``in_progress`` when some are,
and ``open`` otherwise. A linked finding that came back after the task linked
it counts as reopened. A task links only findings that still need work, so a
finding already ``fixed`` or ``false_positive`` cannot be linked: the task
would show ``verified`` before any work was done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock, to_text
from patchtui.errors import InputError, NotFoundError
from patchtui.store import tasks as store
from patchtui.store.exceptions import finding_statuses
from patchtui.triage.exceptions import resolve_hosts
from patchtui.triage.policy import load_policy
from patchtui.triage.status import set_status

STATES = ("open", "in_progress", "done", "verified", "closed")
PATCHABLE = ("open", "in_progress")
"""Statuses of linked findings that finishing a task offers to mark ``patched``."""
NO_WORK = ("fixed", "false_positive")
"""Statuses of findings a task does not link, because there is nothing left to patch."""


@dataclass(slots=True)
class TaskDraft:
    """What the admin enters for a new task."""

    title: str
    description: str | None = None
    finding_ids: tuple[int, ...] = ()
    hosts: tuple[str, ...] = ()
    window_start: str | None = None
    """Start of the maintenance window, ISO 8601 (``2026-03-20 22:00``); UTC unless an offset is given."""
    window_end: str | None = None
    rollback_plan: str | None = None
    notes: str | None = None
    steps: tuple[str, ...] | None = None
    """The checklist; None starts from the policy's task template."""


@dataclass(slots=True)
class TickOutcome:
    """What a tick changed and what the task looks like afterwards."""

    task_id: int
    number: int
    changed: bool
    became_done: bool
    patchable: list[int] = field(default_factory=list)
    """Linked findings still open or in progress, offered for marking ``patched``."""
    message: str | None = None


def parse_time(text: str | None, what: str) -> str | None:
    """Parse an ISO 8601 date and time into the stored UTC text; a time without offset is UTC."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as err:
        raise InputError(f"invalid {what} {text!r}: write it as YYYY-MM-DD HH:MM (UTC) "
                         "or add an offset such as +02:00") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return to_text(moment)


def _window(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    window_start = parse_time(start, "window start")
    window_end = parse_time(end, "window end")
    if window_end is not None and window_start is None:
        raise InputError("a window end needs a window start")
    if window_start is not None and window_end is not None and window_end <= window_start:
        raise InputError(f"the window ends ({window_end}) before it starts ({window_start})")
    return window_start, window_end


def _check_findings(db: Database, finding_ids: tuple[int, ...]) -> list[int]:
    ids = list(dict.fromkeys(finding_ids))
    statuses = finding_statuses(db, ids)
    missing = [str(i) for i in ids if i not in statuses]
    if missing:
        raise NotFoundError(f"no finding with id {', '.join(missing[:10])}")

    finished = [f"{i} ({statuses[i]})" for i in ids if statuses[i] in NO_WORK]
    if finished:
        word = "finding" if len(finished) == 1 else "findings"
        raise InputError(f"cannot link {word} {', '.join(finished[:10])}: a task links only "
                         "findings that still need work; leave out fixed and false-positive "
                         "findings")
    return ids


def past_window_warning(window_start: str | None, clock: Clock = system_clock) -> str | None:
    """Return a warning when a stored window start is already in the past, else None.

    A window in the past is allowed, because the admin may record work already done.
    """
    now = to_text(clock())
    if window_start is None or window_start >= now:
        return None
    return f"the window starts {window_start[:16].replace('T', ' ')} UTC, which is in the past"


def _title(text: str | None, what: str = "a task title") -> str:
    title = " ".join((text or "").split())
    if not title:
        raise InputError(f"{what} is required")
    return title


def create_task(db: Database, draft: TaskDraft, *, clock: Clock = system_clock,
                actor: str | None = None) -> int:
    """Validate and record a task with its checklist; return its id."""
    title = _title(draft.title)
    finding_ids = _check_findings(db, draft.finding_ids)
    asset_ids = resolve_hosts(db, draft.hosts)
    window_start, window_end = _window(draft.window_start, draft.window_end)
    steps = [_title(step, "a step title") for step in (draft.steps or load_policy(db).task_template)]
    fields = {
        "title": title,
        "description": (draft.description or "").strip() or None,
        "window_start": window_start,
        "window_end": window_end,
        "rollback_plan": (draft.rollback_plan or "").strip() or None,
        "notes": (draft.notes or "").strip() or None,
    }
    return store.insert_task(db, fields, steps, finding_ids, asset_ids, at=to_text(clock()),
                             actor=actor or current_actor())


def existing_task(db: Database, task_id: int) -> dict[str, Any]:
    """Return a task or raise NotFoundError."""
    row = store.get_task(db, task_id)
    if row is None:
        raise NotFoundError(f"no task with id {task_id}")
    return row


def _open_task(db: Database, task_id: int) -> dict[str, Any]:
    row = existing_task(db, task_id)
    if row["closed_at"] is not None:
        raise InputError(f"task {task_id} is closed; closed tasks are kept as they were")
    return row


def add_findings(db: Database, task_id: int, finding_ids: tuple[int, ...], *,
                 clock: Clock = system_clock, actor: str | None = None) -> int:
    """Link more findings to a task; return how many were new to it."""
    _open_task(db, task_id)
    ids = _check_findings(db, finding_ids)
    if not ids:
        raise InputError("choose at least one finding to add")
    return store.link_findings(db, task_id, ids, at=to_text(clock()),
                               actor=actor or current_actor())


def edit_task(db: Database, task_id: int, changes: dict[str, str | None], *,
              clock: Clock = system_clock, actor: str | None = None) -> list[str]:
    """Change a task's fields (see ``store.tasks.TASK_FIELDS``); return the names changed."""
    row = _open_task(db, task_id)
    values = {name: (value or "").strip() or None for name, value in changes.items()}
    if "title" in values:
        values["title"] = _title(values["title"])
    if "window_start" in values or "window_end" in values:
        start = changes.get("window_start", row["window_start"])
        end = changes.get("window_end", row["window_end"])
        values["window_start"], values["window_end"] = _window(start, end)
    return store.update_task(db, task_id, values, at=to_text(clock()),
                             actor=actor or current_actor())


def close_task(db: Database, task_id: int, note: str | None = None, *,
               clock: Clock = system_clock, actor: str | None = None) -> None:
    """Close a task that will not be worked on; it stays in the record."""
    _open_task(db, task_id)
    store.close_task(db, task_id, (note or "").strip() or None, at=to_text(clock()),
                     actor=actor or current_actor())


def _step(db: Database, task_id: int, number: int) -> dict[str, Any]:
    for step in store.task_steps(db, task_id, removed=True):
        if step["number"] == number:
            if step["removed"]:
                raise InputError(f"step {number} of task {task_id} was removed")
            return step
    raise NotFoundError(f"task {task_id} has no step {number}")


def tick_step(db: Database, task_id: int, number: int, ticked: bool = True,
              note: str | None = None, *, clock: Clock = system_clock,
              actor: str | None = None) -> TickOutcome:
    """Tick (or untick) one step; ticking the last open step makes the task done."""
    _open_task(db, task_id)
    step = _step(db, task_id, number)
    note = (note or "").strip() or None
    already = (step["ticked_at"] is not None) == ticked
    if already and note is None:
        word = "ticked" if ticked else "not ticked"
        return TickOutcome(task_id, number, False, False,
                           message=f"step {number} of task {task_id} is already {word}")

    at, who = to_text(clock()), actor or current_actor()
    if already:
        store.set_step_note(db, task_id, number, note, at=at, actor=who)
    else:
        store.set_tick(db, task_id, number, ticked, note, at=at, actor=who)
    row = existing_task(db, task_id)
    became_done = ticked and not already and row["steps"] == row["ticked"]
    patchable = [f["id"] for f in store.task_findings(db, task_id) if f["status"] in PATCHABLE]
    return TickOutcome(task_id, number, not already, became_done,
                       patchable if became_done else [])


def set_step_note(db: Database, task_id: int, number: int, note: str | None, *,
                  clock: Clock = system_clock, actor: str | None = None) -> None:
    """Replace the note on a step; an empty note clears it."""
    _open_task(db, task_id)
    _step(db, task_id, number)
    store.set_step_note(db, task_id, number, (note or "").strip() or None, at=to_text(clock()),
                        actor=actor or current_actor())


def mark_findings_patched(db: Database, task_id: int, *, clock: Clock = system_clock,
                          actor: str | None = None) -> int:
    """Mark the task's open and in-progress findings ``patched``; return how many changed."""
    existing_task(db, task_id)
    ids = [f["id"] for f in store.task_findings(db, task_id) if f["status"] in PATCHABLE]
    if not ids:
        return 0
    return set_status(db, ids, "patched", f"task {task_id} done", clock=clock, actor=actor)


def add_step(db: Database, task_id: int, title: str, *, clock: Clock = system_clock,
             actor: str | None = None) -> int:
    """Append a step to a task's checklist; return its number."""
    _open_task(db, task_id)
    return store.add_step(db, task_id, _title(title, "a step title"), at=to_text(clock()),
                          actor=actor or current_actor())


def rename_step(db: Database, task_id: int, number: int, title: str, *,
                clock: Clock = system_clock, actor: str | None = None) -> None:
    """Give a step a new title."""
    _open_task(db, task_id)
    step = _step(db, task_id, number)
    title = _title(title, "a step title")
    if title != step["title"]:
        store.rename_step(db, task_id, number, title, at=to_text(clock()),
                          actor=actor or current_actor())


def remove_step(db: Database, task_id: int, number: int, *, clock: Clock = system_clock,
                actor: str | None = None) -> None:
    """Remove a step from the checklist; the record keeps it, flagged as removed."""
    _open_task(db, task_id)
    _step(db, task_id, number)
    store.remove_step(db, task_id, number, at=to_text(clock()), actor=actor or current_actor())


def task_state(row: dict[str, Any]) -> str:
    """Return the state of a task row from ``store.tasks.list_tasks``."""
    if row["closed_at"] is not None:
        return "closed"
    if row["findings"] and row["fixed"] == row["findings"]:
        return "verified"
    if row["steps"] and row["ticked"] == row["steps"]:
        return "done"
    if row["ticked"]:
        return "in_progress"
    return "open"


def list_tasks(db: Database, states: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Return tasks by planned window with their ``state``, optionally only some states."""
    rows = []
    for row in store.list_tasks(db):
        row["state"] = task_state(row)
        if not states or row["state"] in states:
            rows.append(row)
    return rows
