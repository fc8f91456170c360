"""Form dialogs shared by the exceptions and tasks areas: the base form, a prompt, a question."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from patchtui.errors import PatchtuiError
from patchtui.tui.app_access import UsesApp
from patchtui.tui.plain import one_line


def field_row(label: str, widget: Input) -> Horizontal:
    """Return a one-line form row: a fixed-width label, then the input."""
    return Horizontal(Static(label, classes="label", markup=False), widget, classes="field")


class FormDialog(UsesApp, ModalScreen[int | None]):
    """A dialog that writes through ``save()`` and shows what went wrong in ``#error``."""

    CSS_PATH = "forms.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def show_error(self, message: str) -> None:
        """Show why the input was rejected; nothing was written."""
        self.query_one("#error", Static).update(Content(one_line(message)))

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        raise NotImplementedError


class TextPrompt(FormDialog):
    """Ask for one line of text and pass it to ``save``, which may raise PatchtuiError.

    Dismisses with 1 when saved, or None when cancelled.
    """

    def __init__(self, heading: str, label: str, save: Callable[[str], None], *,
                 value: str = "") -> None:
        super().__init__()
        self.heading = heading
        self.label = label
        self.save_text = save
        self.value = value

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="small"):
            yield Static(Content(one_line(self.heading)), classes="heading")
            yield field_row(self.label, Input(self.value, id="text", compact=True))
            yield Static(id="error", markup=False)
            yield Static("enter saves · escape cancels", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    @on(Input.Submitted, "#text")
    def action_save(self) -> None:
        """Hand the text to the caller's save function."""
        try:
            self.save_text(self.query_one("#text", Input).value)
        except PatchtuiError as err:
            self.show_error(str(err))
            return
        self.dismiss(1)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question: ``y`` or enter answers yes, ``n`` or escape no."""

    CSS_PATH = "forms.tcss"

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="small"):
            yield Static(Content(one_line(self.question)), classes="heading")
            with Horizontal(classes="buttons"):
                yield Button("Yes", variant="primary", id="yes")
                yield Button("No", id="no")
            yield Static("y yes · n no", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
