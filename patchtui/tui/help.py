"""The help screen, generated from the keys active where the admin pressed ``?``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from patchtui.tui.plain import one_line


class HelpScreen(ModalScreen[None]):
    """A list of keys and what they do; any of escape, q or ? closes it."""

    CSS_PATH = "help.tcss"

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close help"),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False),
        Binding("down,j", "scroll(1)", "Scroll down", show=False),
        Binding("pageup", "scroll(-10)", "Scroll a page up", show=False),
        Binding("pagedown,space", "scroll(10)", "Scroll a page down", show=False),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str]], notes: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys
        self.notes = notes
        """Text shown under the keys, such as what a screen's abbreviations mean."""

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self.keys), default=4) + 2
        lines = [Content.assemble((key.ljust(width), "bold"), one_line(description))
                 for key, description in self.keys]
        with Vertical(id="help"):
            yield Static(Content.assemble((f"Keys: {self.title_text}", "bold")), id="help-title")
            with VerticalScroll(id="help-keys"):
                if self.notes:
                    yield Static(self.notes, id="help-notes", markup=False)
                yield Static(Content("\n").join(lines))
            yield Static("escape closes", classes="hint", markup=False)

    def action_scroll(self, lines: int) -> None:
        """Scroll the list of keys."""
        self.query_one("#help-keys", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
