"""The tasks area: manual patch tasks by window, and one task with its checklist."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from patchtui.errors import PatchtuiError
from patchtui.store import tasks as store
from patchtui.triage import tasks as rules
from patchtui.tui.app_access import UsesApp
from patchtui.tui.forms import ConfirmDialog, TextPrompt
from patchtui.tui.plain import STATUS_LABELS, one_line, severity_name
from patchtui.tui.task_dialogs import NEW_TASK, TaskForm, TaskPicker

if TYPE_CHECKING:
    from patchtui.tui.app import PatchtuiApp

FILTERS = (("open", "in_progress", "done", "verified"), ("open", "in_progress"), ("done",),
           ("verified",), ("closed",), ())
"""State groups that ``v`` cycles through; the first hides closed tasks."""
FILTER_NAMES = ("not closed", "to do", "done", "verified", "closed", "all")
STATE_LABELS = {"open": "open", "in_progress": "in progress", "done": "done",
                "verified": "verified", "closed": "closed"}


def window_text(start: str | None, end: str | None) -> str:
    """Return a window as ``2026-03-20 22:00-23:30`` (UTC), or an empty string."""
    if not start:
        return ""
    text = start[:16].replace("T", " ")
    if end:
        text += "-" + (end[11:16] if end[:10] == start[:10] else end[:16].replace("T", " "))
    return text


def progress_text(row: dict[str, Any]) -> str:
    """Return ``4/8`` steps ticked."""
    return f"{row['ticked']}/{row['steps']}"


def findings_text(row: dict[str, Any]) -> str:
    """Return the linked findings' state, such as ``1/2 fixed, 1 reopened``."""
    if not row["findings"]:
        return "no findings"
    text = f"{row['fixed']}/{row['findings']} fixed"
    if row["reopened"]:
        text += f", {row['reopened']} reopened"
    return text


def add_findings_to_task(app: PatchtuiApp, finding_ids: list[int],
                         done: Callable[[int | None], None] | None = None) -> None:
    """Ask which task gets ``finding_ids`` (or start a new one) and link them.

    ``done`` is called with the task id once the findings are linked.
    """
    if not finding_ids:
        app.say("No finding chosen: select findings with space first.", severity="warning")
        return

    def linked(task_id: int | None) -> None:
        if task_id is not None and done is not None:
            done(task_id)

    def picked(choice: int | None) -> None:
        if choice is None:
            return
        if choice == NEW_TASK:
            app.push_screen(TaskForm(finding_ids), linked)
            return
        try:
            added = rules.add_findings(app.db, choice, tuple(finding_ids), clock=app.clock,
                                       actor=app.actor)
        except PatchtuiError as err:
            app.say(str(err), severity="error")
            return
        app.say(f"{added} finding{'s' if added != 1 else ''} added to task {choice}")
        linked(choice)

    app.push_screen(TaskPicker(len(finding_ids)), picked)


class TasksScreen(UsesApp, Screen):
    """Manual patch tasks by planned window, with their progress and findings."""

    CSS_PATH = "tasks.tcss"

    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("n", "new", "New task"),
        Binding("v", "cycle_filter", "Next state filter"),
        Binding("ctrl+r", "refresh", "Refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_index = 0
        self.rows: dict[int, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
        yield Static(id="status-line", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "State", "Steps", "Window (UTC)", "Findings", "Title")
        self.refresh_tasks()
        table.focus()

    def on_screen_resume(self) -> None:
        # Ticks, imports and status changes elsewhere change what this list shows.
        self.refresh_tasks()

    def refresh_tasks(self) -> None:
        """List the tasks the filter shows."""
        table = self.query_one(DataTable)
        keep = self.current_task()
        rows = rules.list_tasks(self.patchtui.db, FILTERS[self.filter_index])
        self.rows = {row["id"]: row for row in rows}
        table.clear()
        for row in rows:
            table.add_row(*self._cells(row), key=str(row["id"]))
        if keep is not None and keep["id"] in self.rows:
            table.move_cursor(row=table.get_row_index(str(keep["id"])))
        count = f"{len(rows)} task{'s' if len(rows) != 1 else ''}"
        self.query_one("#status-line", Static).update(
            Content(f"{count} · showing {FILTER_NAMES[self.filter_index]} (v)"))

    def _cells(self, row: dict[str, Any]) -> list[Text]:
        style = {"verified": "bold green", "done": "green", "closed": "dim"}.get(row["state"], "")
        findings_style = "bold red" if row["reopened"] else ""
        return [Text(str(row["id"])), Text(STATE_LABELS[row["state"]], style=style),
                Text(progress_text(row), justify="right"),
                Text(window_text(row["window_start"], row["window_end"])),
                Text(findings_text(row), style=findings_style), Text(one_line(row["title"]))]

    def current_task(self) -> dict[str, Any] | None:
        """Return the task under the cursor, if any."""
        table = self.query_one(DataTable)
        if not self.rows or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return self.rows.get(int(key or 0))

    def action_refresh(self) -> None:
        """Read the tasks again."""
        self.refresh_tasks()

    def action_cycle_filter(self) -> None:
        """Show the next group of tasks."""
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.refresh_tasks()

    def action_new(self) -> None:
        """Create a task without findings (link them later from the findings view)."""
        def created(task_id: int | None) -> None:
            if task_id is not None:
                self.refresh_tasks()
                self.app.push_screen(TaskDetailScreen(task_id))

        self.app.push_screen(TaskForm([]), created)

    @on(DataTable.RowSelected, "#tasks")
    def action_open(self) -> None:
        """Show the task under the cursor with its checklist."""
        row = self.current_task()
        if row is not None:
            self.app.push_screen(TaskDetailScreen(row["id"]))


class TaskDetailScreen(UsesApp, Screen):
    """One task: its window and plan, the checklist to tick, and its findings."""

    CSS_PATH = "tasks.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("space", "toggle_tick", "Tick/untick", key_display="space"),
        Binding("n", "note", "Step note"),
        Binding("a", "add_step", "Add step"),
        Binding("r", "rename_step", "Rename step"),
        Binding("d", "remove_step", "Remove step"),
        Binding("w", "edit", "Edit task"),
        Binding("m", "patch", "Mark findings patched"),
        Binding("C", "close_task", "Close task", key_display="C", show=False),
    ]

    def __init__(self, task_id: int) -> None:
        super().__init__()
        self.task_id = task_id
        self.row: dict[str, Any] | None = None
        self.steps: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Static(id="summary")
        yield DataTable(id="steps", cursor_type="row")
        with VerticalScroll(id="linked"):
            yield Static(id="findings")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#steps", DataTable)
        table.add_columns("", "No", "Step", "Ticked", "Note")
        self.refresh_task()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_task()

    def refresh_task(self) -> None:
        """Read the task again and redraw it, keeping the cursor on the same step."""
        db = self.patchtui.db
        self.row = store.get_task(db, self.task_id)
        if self.row is None:
            self.query_one("#summary", Static).update(Content(f"Task {self.task_id} does not exist."))
            return
        self.row["state"] = rules.task_state(self.row)
        self._summary(self.row)
        self._checklist(store.task_steps(db, self.task_id))
        self._findings(store.task_findings(db, self.task_id))

    def _summary(self, row: dict[str, Any]) -> None:
        window = window_text(row["window_start"], row["window_end"])
        window = f"{window} UTC" if window else "not planned"
        assets = ", ".join(store.task_assets(self.patchtui.db, self.task_id)) or "-"
        lines = Content.assemble(
            (f"Task {row['id']}: ", "bold"), (one_line(row["title"]), "bold"),
            f"   {STATE_LABELS[row['state']]}, {progress_text(row)} steps, {findings_text(row)}",
            ("\nWindow ", "bold"), window, ("   Assets ", "bold"), one_line(assets),
            ("\nRollback ", "bold"), one_line(row["rollback_plan"]) or "-",
        )
        self.query_one("#summary", Static).update(lines)

    def _checklist(self, steps: list[dict[str, Any]]) -> None:
        table = self.query_one("#steps", DataTable)
        cursor = table.cursor_row
        self.steps = steps
        table.clear()
        for step in steps:
            ticked = step["ticked_at"] is not None
            who = f"{one_line(step['ticked_by'])} {step['ticked_at'][:16].replace('T', ' ')}" if ticked else ""
            table.add_row(Text("[x]" if ticked else "[ ]", style="bold green" if ticked else ""),
                          Text(str(step["number"])), Text(one_line(step["title"])), Text(who),
                          Text(one_line(step["note"])), key=str(step["number"]))
        if steps:
            table.move_cursor(row=min(cursor, len(steps) - 1))

    def _findings(self, findings: list[dict[str, Any]]) -> None:
        parts: list[str | tuple[str, str]] = [(f"Findings ({len(findings)})", "bold underline")]
        for finding in findings:
            back = " REOPENED" if finding["reopened"] and finding["status"] != "fixed" else ""
            parts.append(f"\n{finding['id']:>6}  {STATUS_LABELS.get(finding['status'], finding['status']):<11} "
                         f"{severity_name(finding['severity']):<8} {one_line(finding['host']):<15} "
                         f"{one_line(finding['name'])}")
            if back:
                parts.append((back, "bold red"))
        self.query_one("#findings", Static).update(Content.assemble(*parts))

    def current_step(self) -> dict[str, Any] | None:
        """Return the step under the cursor, if any."""
        table = self.query_one("#steps", DataTable)
        if not self.steps or table.row_count == 0:
            return None
        return self.steps[table.cursor_row]

    def _run(self, change: Any) -> bool:
        try:
            change()
        except PatchtuiError as err:
            self.patchtui.say(str(err), severity="error")
            return False
        return True

    def action_toggle_tick(self) -> None:
        """Tick the step under the cursor, or untick it; the tick records who and when."""
        app, step = self.patchtui, self.current_step()
        if step is None:
            return
        ticked = step["ticked_at"] is None
        outcomes: list[rules.TickOutcome] = []
        if not self._run(lambda: outcomes.append(rules.tick_step(
                app.db, self.task_id, step["number"], ticked, clock=app.clock, actor=app.actor))):
            return
        self.refresh_task()
        outcome = outcomes[0]
        if outcome.became_done:
            self._offer_patch(outcome)

    def _offer_patch(self, outcome: rules.TickOutcome) -> None:
        app = self.patchtui
        if not outcome.patchable:
            app.say(f"Task {self.task_id} is done.")
            return
        count = len(outcome.patchable)

        def answered(yes: bool | None) -> None:
            if yes:
                self.action_patch()

        app.push_screen(ConfirmDialog(f"Task {self.task_id} is done. Mark its {count} open "
                                      f"finding{'s' if count != 1 else ''} patched?"), answered)

    def action_patch(self) -> None:
        """Mark the task's open and in-progress findings patched, waiting for a rescan."""
        app = self.patchtui
        changed: list[int] = []
        if self._run(lambda: changed.append(rules.mark_findings_patched(
                app.db, self.task_id, clock=app.clock, actor=app.actor))):
            app.say(f"{changed[0]} finding{'s' if changed[0] != 1 else ''} marked patched")
            self.refresh_task()

    def _prompt(self, heading: str, label: str, save: Any, value: str = "") -> None:
        def closed(result: int | None) -> None:
            if result is not None:
                self.refresh_task()

        self.app.push_screen(TextPrompt(heading, label, save, value=value), closed)

    def action_note(self) -> None:
        """Write a note on the step under the cursor."""
        app, step = self.patchtui, self.current_step()
        if step is None:
            return

        def save(text: str) -> None:
            rules.set_step_note(app.db, self.task_id, step["number"], text, clock=app.clock,
                                actor=app.actor)

        self._prompt(f"Note on step {step['number']}: {step['title']}", "Note", save,
                     step["note"] or "")

    def action_add_step(self) -> None:
        """Append a step to the checklist."""
        app = self.patchtui

        def save(text: str) -> None:
            rules.add_step(app.db, self.task_id, text, clock=app.clock, actor=app.actor)

        self._prompt(f"New step for task {self.task_id}", "Step", save)

    def action_rename_step(self) -> None:
        """Give the step under the cursor a new title."""
        app, step = self.patchtui, self.current_step()
        if step is None:
            return

        def save(text: str) -> None:
            rules.rename_step(app.db, self.task_id, step["number"], text, clock=app.clock,
                              actor=app.actor)

        self._prompt(f"Rename step {step['number']}", "Step", save, step["title"])

    def action_remove_step(self) -> None:
        """Remove the step under the cursor after a confirmation; the record keeps it."""
        app, step = self.patchtui, self.current_step()
        if step is None:
            return

        def answered(yes: bool | None) -> None:
            if yes and self._run(lambda: rules.remove_step(app.db, self.task_id, step["number"],
                                                           clock=app.clock, actor=app.actor)):
                self.refresh_task()

        app.push_screen(ConfirmDialog(f"Remove step {step['number']} ({step['title']})?"), answered)

    def action_edit(self) -> None:
        """Edit the title, window, rollback plan and notes."""
        if self.row is None:
            return

        def saved(task_id: int | None) -> None:
            if task_id is not None:
                self.refresh_task()

        self.app.push_screen(TaskForm(task=self.row), saved)

    def action_close_task(self) -> None:
        """Ask why the task is closed, then close it; it stays in the record."""
        app = self.patchtui

        def save(note: str) -> None:
            rules.close_task(app.db, self.task_id, note, clock=app.clock, actor=app.actor)

        self._prompt(f"Close task {self.task_id}? It is kept, but no longer ticked or listed "
                     "as open.", "Why", save)

    def action_back(self) -> None:
        """Go back to the list."""
        self.app.pop_screen()
