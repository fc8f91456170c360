"""Dialogs of the tasks area: the task form and the task picker."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from patchtui.errors import PatchtuiError
from patchtui.text import plural
from patchtui.triage import tasks as rules
from patchtui.tui.app_access import UsesApp
from patchtui.tui.forms import FormDialog, field_row
from patchtui.tui.long_text import LongText
from patchtui.tui.plain import one_line

NEW_TASK = -1
"""What ``TaskPicker`` dismisses with when the admin chooses to start a new task."""


def _window_text(value: str | None) -> str:
    return (value or "")[:16].replace("T", " ")


class TaskForm(FormDialog):
    """Create a task (linking ``finding_ids``) or edit one. Dismisses with its id, or None."""

    def __init__(self, finding_ids: list[int] | None = None, *,
                 task: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.finding_ids = finding_ids or []
        self.editing = task

    def compose(self) -> ComposeResult:
        task = self.editing or {}
        if self.editing:
            heading = f"Edit task {task['id']}"
        else:
            count = len(self.finding_ids)
            heading = f"New task for {count} finding{'s' if count != 1 else ''}"
        with VerticalScroll(id="dialog", classes="form"):
            yield Static(Content.assemble((heading, "bold")))
            yield field_row("Title", Input(task.get("title") or "", id="title", compact=True))
            yield field_row("Description", Input(task.get("description") or "", id="description",
                                              compact=True))
            yield field_row("Window start", Input(_window_text(task.get("window_start")),
                                               placeholder="YYYY-MM-DD HH:MM (UTC)",
                                               id="window-start", compact=True))
            yield field_row("Window end", Input(_window_text(task.get("window_end")),
                                             placeholder="YYYY-MM-DD HH:MM (UTC)",
                                             id="window-end", compact=True))
            yield Static("Rollback plan (ctrl+e: $EDITOR)", classes="label", markup=False)
            yield LongText(task.get("rollback_plan") or "", id="rollback")
            yield Static("Notes", classes="label", markup=False)
            yield LongText(task.get("notes") or "", id="notes")
            yield Static(id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
            hint = "tab moves · ctrl+s saves · escape cancels"
            if not self.editing:
                hint += " · the default checklist is added"
            yield Static(hint, classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def _values(self) -> dict[str, str | None]:
        return {
            "title": self.query_one("#title", Input).value,
            "description": self.query_one("#description", Input).value,
            "window_start": self.query_one("#window-start", Input).value,
            "window_end": self.query_one("#window-end", Input).value,
            "rollback_plan": self.query_one("#rollback", LongText).text,
            "notes": self.query_one("#notes", LongText).text,
        }

    def action_save(self) -> None:
        """Validate and record the task."""
        app = self.patchtui
        values = self._values()
        try:
            if self.editing:
                rules.edit_task(app.db, self.editing["id"], values, clock=app.clock, actor=app.actor)
                task_id = int(self.editing["id"])
                app.say(f"Task {task_id} saved")
            else:
                draft = rules.TaskDraft(finding_ids=tuple(self.finding_ids), **values)
                task_id = rules.create_task(app.db, draft, clock=app.clock, actor=app.actor)
                created = f"Task {task_id} created with {plural(len(self.finding_ids), 'finding')}"
                warning = rules.past_window_warning(
                    rules.existing_task(app.db, task_id)["window_start"], app.clock)
                if warning:
                    app.say(f"{created}; {warning}: press w on the task to change it", severity="warning")
                else:
                    app.say(created)
        except PatchtuiError as err:
            self.show_error(str(err))
            return
        self.dismiss(task_id)


class TaskPicker(UsesApp, ModalScreen[int | None]):
    """Choose an open task to add findings to, or a new one.

    Dismisses with the task id, ``NEW_TASK``, or None when cancelled.
    """

    CSS_PATH = "forms.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        tasks = rules.list_tasks(self.patchtui.db, ("open", "in_progress", "done"))
        options = [Option(Content("New task\u2026"), id=str(NEW_TASK))]
        for task in tasks:
            label = (f"{task['id']:>4}  {rules.task_state(task):<11} "
                     f"{_window_text(task['window_start']) or 'no window':<16}  {one_line(task['title'])}")
            options.append(Option(Content(label), id=str(task["id"])))
        with VerticalScroll(id="dialog", classes="picker"):
            word = f"{self.count} finding{'s' if self.count != 1 else ''}"
            yield Static(Content.assemble((f"Add {word} to a task", "bold")))
            yield OptionList(*options, id="tasks")
            yield Static("enter chooses · escape cancels", classes="hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one("#tasks", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#tasks")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or NEW_TASK))

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
