"""Small modal dialogs of the findings screens: setting a status and choosing filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from patchtui.errors import PatchtuiError
from patchtui.importers.model import SEVERITIES
from patchtui.store.pages import ListQuery
from patchtui.text import plural
from patchtui.triage.status import ADMIN_STATUSES, NOTE_REQUIRED, set_status
from patchtui.tui.plain import STATUS_LABELS, one_line

if TYPE_CHECKING:
    from patchtui.tui.app import PatchtuiApp

SCANNERS = ("nessus", "openvas")


DIGIT_STATUSES = "".join(str(number) for number in range(1, len(ADMIN_STATUSES) + 1))
"""The digits that pick a status in the status list, in ``ADMIN_STATUSES`` order."""


class StatusList(OptionList):
    """The status choices: digits pick a status here, other typed characters go to the note.

    Digit keys belong to this list only, so a note such as "CHG-42" typed into
    the note box never changes the status. A letter typed while this list has
    focus is not dropped: the dialog moves it, and the focus, to the note.
    """

    BINDINGS = [Binding("enter", "screen.save", "Save", show=False)]

    def on_key(self, event: events.Key) -> None:
        if not (event.is_printable and event.character):
            return
        event.stop()
        event.prevent_default()
        # Bindings are checked only once a key bubbles up to the app, by which time fast
        # typing may have moved the focus, so digits are handled here. Keys queued here
        # before the focus moved to the note belong to the note.
        if event.character in DIGIT_STATUSES and self.screen.focused is self:
            self.screen.action_choose(DIGIT_STATUSES.index(event.character))  # type: ignore[attr-defined]
        else:
            self.screen.type_into_note(event.character)  # type: ignore[attr-defined]


class StatusDialog(ModalScreen[int | None]):
    """Choose a status and write a note; saving changes the findings at once.

    Dismisses with the number of findings changed, or None when cancelled.
    """

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        *(Binding(f"alt+{number}", f"choose({number - 1}, False)",
                  f"Choose {STATUS_LABELS[status]}", show=False)
          for number, status in enumerate(ADMIN_STATUSES, start=1)),
    ]

    def __init__(self, finding_ids: list[int], *, subject: str | None = None) -> None:
        super().__init__()
        self.finding_ids = finding_ids
        self.subject = subject

    def compose(self) -> ComposeResult:
        if len(self.finding_ids) == 1 and self.subject:
            title = Content.assemble(("Set the status of: ", "bold"), one_line(self.subject))
        else:
            title = Content.assemble(
                (f"Set the status of {plural(len(self.finding_ids), 'finding', grouped=True)}", "bold"))
        with Vertical(id="dialog"):
            yield Static(title, id="title")
            yield StatusList(
                *(Option(f"{number}  {STATUS_LABELS[status]}", id=status)
                  for number, status in enumerate(ADMIN_STATUSES, start=1)),
                id="statuses",
            )
            # Keeps a written note when focus comes back, where selecting it all would let
            # the next key replace it.
            yield Input(placeholder="note (required for false positive)", id="note",
                        select_on_focus=False)
            yield Static(id="error", markup=False)
            yield Static("up/down, 1-4 or alt+1-4 chooses · tab moves · enter saves"
                         " · escape cancels", classes="hint", markup=False)

    def on_mount(self) -> None:
        statuses = self.query_one("#statuses", OptionList)
        statuses.highlighted = 0
        statuses.focus()

    def action_choose(self, index: int, to_note: bool = True) -> None:
        """Highlight one status; from the status list, move on to the note."""
        self.query_one("#statuses", OptionList).highlighted = index
        if to_note:
            self._focus_note()

    def type_into_note(self, character: str) -> None:
        """Focus the note and insert a character typed while the status list had focus."""
        self._focus_note().insert_text_at_cursor(character)

    def _focus_note(self) -> Input:
        # Widget.focus() takes effect only after the keys already queued, so with fast
        # typing a digit meant for the note would still reach the list and pick a status.
        note = self.query_one("#note", Input)
        self.set_focus(note)
        return note

    @on(OptionList.OptionSelected, "#statuses")
    def _status_clicked(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def action_save(self) -> None:
        """Set the highlighted status with the note in the box, or show why it failed."""
        app: PatchtuiApp = self.app  # type: ignore[assignment]
        statuses = self.query_one("#statuses", OptionList)
        index = statuses.highlighted if statuses.highlighted is not None else 0
        status = ADMIN_STATUSES[index]
        note = self.query_one("#note", Input).value
        try:
            changed = set_status(app.db, self.finding_ids, status, note, clock=app.clock,
                                 actor=app.actor)
        except PatchtuiError as err:
            self.query_one("#error", Static).update(Content(one_line(str(err))))
            if status in NOTE_REQUIRED:
                self.query_one("#note", Input).focus()
            return
        unchanged = len(self.finding_ids) - changed
        message = f"{plural(changed, 'finding', grouped=True)} set to {STATUS_LABELS[status]}"
        if unchanged:
            message += f"; {unchanged:,} already had it"
        app.say(message)
        self.dismiss(changed)

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)


class FilterDialog(ModalScreen[ListQuery | None]):
    """Choose severities, statuses, scanners, a host and the overdue filter.

    Dismisses with the new query, or None when cancelled.
    """

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, query: ListQuery, *, has_due: bool, overdue_at: str) -> None:
        super().__init__()
        self.original = query
        self.has_due = has_due
        self.overdue_at = overdue_at

    def compose(self) -> ComposeResult:
        query = self.original
        with Vertical(id="dialog", classes="filters"):
            yield Static(Content.assemble(("Filters", "bold"), " (none ticked: no restriction)"))
            with Horizontal(id="lists"):
                yield SelectionList[str](
                    *(Selection(name, name, name in query.severities) for name in reversed(SEVERITIES)),
                    id="severities",
                )
                yield SelectionList[str](
                    *(Selection(label, status, status in query.statuses)
                      for status, label in STATUS_LABELS.items()),
                    id="statuses",
                )
                yield SelectionList[str](
                    *(Selection(name, name, name in query.scanners) for name in SCANNERS),
                    id="scanners",
                )
            yield Input(value=query.host or "", placeholder="host: part of an IP address or name",
                        id="host")
            if self.has_due:
                yield Checkbox("only overdue findings", query.overdue_at is not None, id="overdue")
            with Horizontal(id="buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Cancel", id="cancel")
            yield Static("space ticks · tab moves · enter in the host line applies",
                         classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#severities", SelectionList).focus()

    @on(Button.Pressed, "#apply")
    @on(Input.Submitted, "#host")
    def _apply(self) -> None:
        severities = self.query_one("#severities", SelectionList).selected
        statuses = self.query_one("#statuses", SelectionList).selected
        scanners = self.query_one("#scanners", SelectionList).selected
        overdue = self.has_due and self.query_one("#overdue", Checkbox).value
        query = self.original.with_changes(
            severities=tuple(name for name in SEVERITIES if name in severities),
            statuses=tuple(status for status in STATUS_LABELS if status in statuses),
            scanners=tuple(name for name in SCANNERS if name in scanners),
            host=self.query_one("#host", Input).value.strip() or None,
            overdue_at=self.overdue_at if overdue else None,
        )
        self.dismiss(query)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without changing the filters."""
        self.dismiss(None)
