"""The scans view: imported scans, and importing a report file from inside the TUI."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from patchtui.store.scans import list_scans
from patchtui.tui.app_access import UsesApp
from patchtui.tui.importing import ImportDialog
from patchtui.tui.plain import one_line

NAME_WIDTH = 24

COLUMNS = (("ID", 4), ("Scan time", 17), ("Scanner", 7), ("Name", NAME_WIDTH), ("Findings", 8),
           ("New", 6), ("Fixed", 6), ("Reop.", 5), ("N/V", 5), ("Imported by", 12),
           ("Imported at", 16), ("File", 40))


def _name(scan: dict[str, Any]) -> str:
    """Return the scan's name, or its file's name, keeping the end of a long one.

    Weekly scans of one policy share the start of their names and differ at
    the end (a date, a number), so the start is what gets cut.
    """
    name = one_line(scan["name"] or PurePath(scan["file_name"] or "").name) or "-"
    if len(name) > NAME_WIDTH:
        name = "…" + name[-(NAME_WIDTH - 1):]
    return name


def _cells(scan: dict[str, Any]) -> list[Text]:
    def number(value: int | None) -> Text:
        return Text("-" if value is None else f"{value:,}", justify="right")

    started = (scan["started_at"] or "").replace("T", " ")[:16]
    if scan["time_source"] == "file-mtime":
        started += "*"
    return [
        number(scan["id"]), Text(started), Text(one_line(scan["scanner"])),
        Text(_name(scan)), number(scan["findings"]), number(scan["new"]),
        number(scan["fixed"]), number(scan["reopened"]), number(scan["not_verifiable"]),
        Text(one_line(scan["imported_by"])), Text((scan["imported_at"] or "").replace("T", " ")[:16]),
        Text(one_line(scan["file_name"])),
    ]


class ScansScreen(UsesApp, Screen):
    """Every imported scan, newest first; ``i`` imports another report."""

    CSS_PATH = "scans.tcss"

    BINDINGS = [
        Binding("i", "import_file", "Import a report"),
        Binding("ctrl+r", "refresh", "Refresh", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Scans, newest first · * time from the file's date · N/V not verifiable",
                     id="scans-title", markup=False)
        table: DataTable[Text] = DataTable(id="scans", cursor_type="row", zebra_stripes=True)
        for title, width in COLUMNS:
            table.add_column(title, width=width)
        yield table
        yield Static(id="scans-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.load()

    def load(self) -> None:
        """Read the scans again."""
        table = self.query_one(DataTable)
        scans = list_scans(self.patchtui.db)
        table.clear()
        for scan in scans:
            table.add_row(*_cells(scan), key=str(scan["id"]))
        self.query_one("#scans-status", Static).update(
            Content(f"{len(scans):,} scan{'s' if len(scans) != 1 else ''} · i: import a report"))

    def action_import_file(self) -> None:
        """Pick a report file and import it with progress."""
        def done(imported: bool | None) -> None:
            self.load()

        self.app.push_screen(ImportDialog(), done)

    def action_refresh(self) -> None:
        """Read the scans again."""
        self.load()
