"""Manual patch tasks in SQL: tasks, their checklist steps and the findings and assets they link.

``patchtui.triage.tasks`` validates input and calls these functions. Every
writer adds its events in the same transaction; nothing is ever deleted, a
step is removed by a flag and a task is closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from patchtui.store.events import add_event
from patchtui.text import plural

TASK_FIELDS = ("title", "description", "window_start", "window_end", "rollback_plan", "notes")
"""Task fields the admin edits after creating the task."""

LIST_SQL = (
    "SELECT t.*,"
    " (SELECT count(*) FROM task_steps s WHERE s.task_id = t.id AND s.removed = 0) AS steps,"
    " (SELECT count(*) FROM task_steps s WHERE s.task_id = t.id AND s.removed = 0"
    "  AND s.ticked_at IS NOT NULL) AS ticked,"
    " (SELECT count(*) FROM task_findings l WHERE l.task_id = t.id) AS findings,"
    " (SELECT count(*) FROM task_findings l JOIN findings f ON f.id = l.finding_id"
    "  WHERE l.task_id = t.id AND f.status = 'fixed') AS fixed,"
    " (SELECT count(*) FROM task_findings l JOIN findings f ON f.id = l.finding_id"
    "  WHERE l.task_id = t.id AND f.reopened_count > l.reopened_base) AS reopened"
    " FROM tasks t"
)


def _rows(db: Database, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def insert_task(db: Database, fields: dict[str, str | None], steps: list[str],
                finding_ids: list[int], asset_ids: list[int], *, at: str, actor: str) -> int:
    """Insert a task with its checklist and links; return its id."""
    with db.atomic():
        cursor = db.conn.execute(
            "INSERT INTO tasks (title, description, window_start, window_end, rollback_plan,"
            " notes, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (*(fields.get(name) for name in TASK_FIELDS), at, actor),
        )
        task_id = int(cursor.lastrowid or 0)
        add_event(db, at=at, actor=actor, entity="task", entity_id=task_id, action="create",
                  new=fields["title"], note=f"{plural(len(steps), 'step')}, {plural(len(finding_ids), 'finding')}")
        db.conn.executemany(
            "INSERT INTO task_steps (task_id, number, title, removed) VALUES (?, ?, ?, 0)",
            [(task_id, number, title) for number, title in enumerate(steps, 1)],
        )
        link_findings(db, task_id, finding_ids, at=at, actor=actor)
        link_assets(db, task_id, asset_ids, at=at, actor=actor)
    return task_id


def link_findings(db: Database, task_id: int, finding_ids: Iterable[int], *, at: str,
                  actor: str) -> int:
    """Link findings (and their assets) to a task; return how many were not linked before."""
    added = 0
    with db.atomic():
        for finding_id in finding_ids:
            cursor = db.conn.execute(
                "INSERT OR IGNORE INTO task_findings (task_id, finding_id, linked_at, reopened_base)"
                " SELECT ?, id, ?, reopened_count FROM findings WHERE id = ?",
                (task_id, at, finding_id),
            )
            if cursor.rowcount:
                added += 1
                add_event(db, at=at, actor=actor, entity="task", entity_id=task_id,
                          action="link_finding", new=str(finding_id))
        db.conn.execute(
            "INSERT OR IGNORE INTO task_assets (task_id, asset_id, linked_at)"
            " SELECT DISTINCT ?, f.asset_id, ? FROM task_findings l"
            " JOIN findings f ON f.id = l.finding_id WHERE l.task_id = ?",
            (task_id, at, task_id),
        )
    return added


def link_assets(db: Database, task_id: int, asset_ids: Iterable[int], *, at: str,
                actor: str) -> int:
    """Link assets to a task; return how many were not linked before."""
    added = 0
    with db.atomic():
        for asset_id in asset_ids:
            cursor = db.conn.execute(
                "INSERT OR IGNORE INTO task_assets (task_id, asset_id, linked_at) VALUES (?, ?, ?)",
                (task_id, asset_id, at),
            )
            if cursor.rowcount:
                added += 1
                add_event(db, at=at, actor=actor, entity="task", entity_id=task_id,
                          action="link_asset", new=str(asset_id))
    return added


def update_task(db: Database, task_id: int, changes: dict[str, str | None], *, at: str,
                actor: str) -> list[str]:
    """Set task fields, one event per field whose value changes; return the changed names."""
    changed = []
    with db.atomic():
        row = get_task(db, task_id)
        if row is None:
            return changed
        for name, value in changes.items():
            if name not in TASK_FIELDS:
                raise ValueError(f"not an editable task field: {name}")
            if row[name] == value:
                continue
            db.conn.execute(f"UPDATE tasks SET {name} = ? WHERE id = ?", (value, task_id))
            add_event(db, at=at, actor=actor, entity="task", entity_id=task_id,
                      action=f"set_{name}", old=row[name], new=value)
            changed.append(name)
    return changed


def close_task(db: Database, task_id: int, note: str | None, *, at: str, actor: str) -> None:
    """Close a task so it leaves the working lists; it is kept with its history."""
    with db.atomic():
        db.conn.execute("UPDATE tasks SET closed_at = ?, closed_by = ? WHERE id = ?",
                        (at, actor, task_id))
        add_event(db, at=at, actor=actor, entity="task", entity_id=task_id, action="close",
                  new="closed", note=note)


def add_step(db: Database, task_id: int, title: str, *, at: str, actor: str) -> int:
    """Append a step to a task's checklist; return its number."""
    with db.atomic():
        row = db.conn.execute("SELECT coalesce(max(number), 0) + 1 FROM task_steps"
                              " WHERE task_id = ?", (task_id,)).fetchone()
        number = int(row[0])
        db.conn.execute("INSERT INTO task_steps (task_id, number, title, removed)"
                        " VALUES (?, ?, ?, 0)", (task_id, number, title))
        add_event(db, at=at, actor=actor, entity="task", entity_id=task_id, action="step_add",
                  new=f"{number}. {title}")
    return number


def rename_step(db: Database, task_id: int, number: int, title: str, *, at: str,
                actor: str) -> None:
    """Give a step a new title."""
    with db.atomic():
        old = _step_value(db, task_id, number, "title")
        db.conn.execute("UPDATE task_steps SET title = ? WHERE task_id = ? AND number = ?",
                        (title, task_id, number))
        add_event(db, at=at, actor=actor, entity="task", entity_id=task_id,
                  action="step_rename", old=f"{number}. {old}", new=f"{number}. {title}")


def remove_step(db: Database, task_id: int, number: int, *, at: str, actor: str) -> None:
    """Mark a step removed; it stays in the record and keeps its number."""
    with db.atomic():
        title = _step_value(db, task_id, number, "title")
        db.conn.execute("UPDATE task_steps SET removed = 1, removed_at = ?"
                        " WHERE task_id = ? AND number = ?", (at, task_id, number))
        add_event(db, at=at, actor=actor, entity="task", entity_id=task_id,
                  action="step_remove", old=f"{number}. {title}", new="removed")


def set_tick(db: Database, task_id: int, number: int, ticked: bool, note: str | None, *,
             at: str, actor: str) -> None:
    """Tick or untick a step, recording who and when; a given note replaces the step's note."""
    with db.atomic():
        title = _step_value(db, task_id, number, "title")
        db.conn.execute(
            "UPDATE task_steps SET ticked_at = ?, ticked_by = ? WHERE task_id = ? AND number = ?",
            (at if ticked else None, actor if ticked else None, task_id, number),
        )
        add_event(db, at=at, actor=actor, entity="task", entity_id=task_id,
                  action="tick" if ticked else "untick", new=f"{number}. {title}", note=note)
        if note is not None:
            _set_step_note(db, task_id, number, note, at=at, actor=actor)


def set_step_note(db: Database, task_id: int, number: int, note: str | None, *, at: str,
                  actor: str) -> None:
    """Replace a step's note (None clears it)."""
    with db.atomic():
        _set_step_note(db, task_id, number, note, at=at, actor=actor)


def _set_step_note(db: Database, task_id: int, number: int, note: str | None, *, at: str,
                   actor: str) -> None:
    old = _step_value(db, task_id, number, "note")
    if old == note:
        return
    db.conn.execute("UPDATE task_steps SET note = ? WHERE task_id = ? AND number = ?",
                    (note, task_id, number))
    add_event(db, at=at, actor=actor, entity="task", entity_id=task_id, action="step_note",
              old=old, new=note, note=f"step {number}")


def _step_value(db: Database, task_id: int, number: int, column: str) -> Any:
    row = db.conn.execute(f"SELECT {column} FROM task_steps WHERE task_id = ? AND number = ?",
                          (task_id, number)).fetchone()
    return row[0]


# -- reading -----------------------------------------------------------------


def list_tasks(db: Database) -> list[dict[str, Any]]:
    """Return every task with its step and finding counts, by planned window (unplanned last)."""
    return _rows(db, f"{LIST_SQL} ORDER BY t.window_start IS NULL, t.window_start, t.id")


def get_task(db: Database, task_id: int) -> dict[str, Any] | None:
    """Return one task with its counts, or None."""
    rows = _rows(db, f"{LIST_SQL} WHERE t.id = ?", [task_id])
    return rows[0] if rows else None


def task_steps(db: Database, task_id: int, *, removed: bool = False) -> list[dict[str, Any]]:
    """Return a task's steps in order; removed steps only when ``removed`` is set."""
    condition = "" if removed else " AND removed = 0"
    return _rows(db, "SELECT number, title, note, ticked_at, ticked_by, removed, removed_at"
                     f" FROM task_steps WHERE task_id = ?{condition} ORDER BY number", [task_id])


def task_findings(db: Database, task_id: int) -> list[dict[str, Any]]:
    """Return the findings linked to a task with their status and whether they came back."""
    return _rows(
        db,
        "SELECT f.id, f.host, f.scanner, f.plugin_id, f.name, f.port, f.protocol, f.severity,"
        " f.status, l.linked_at, f.reopened_count > l.reopened_base AS reopened"
        " FROM task_findings l JOIN findings f ON f.id = l.finding_id"
        " WHERE l.task_id = ? ORDER BY f.id",
        [task_id],
    )


def task_assets(db: Database, task_id: int) -> list[str]:
    """Return the keys of the assets linked to a task."""
    rows = db.execute("SELECT a.key FROM task_assets l JOIN assets a ON a.id = l.asset_id"
                      " WHERE l.task_id = ? ORDER BY a.key", [task_id])
    return [row[0] for row in rows]
