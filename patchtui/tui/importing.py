"""Importing a report from the TUI: pick a file, watch the progress, cancel, read the summary.

The import runs in a worker thread with its own SQLite connection. Its
progress callback reports how much of the file the parser has read, about
ten times a second. Once the admin cancels, the callback raises
``ImportCancelled`` and the import's transaction rolls back, so a cancelled
import writes nothing.
"""

from __future__ import annotations

import threading
from pathlib import Path
from time import monotonic

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, ProgressBar, Static

from patchtui.errors import ImportCancelled, PatchtuiError
from patchtui.importers.common import read_fraction
from patchtui.store import open_db
from patchtui.store.ingest import ImportSummary
from patchtui.text import visible
from patchtui.triage.importing import import_file
from patchtui.tui.app_access import UsesApp
from patchtui.tui.plain import one_line

PROGRESS_INTERVAL = 0.1
"""Seconds between progress updates sent to the screen."""


class SafeDirectoryTree(DirectoryTree):
    """A directory tree that shows file names with control characters made visible."""

    def process_label(self, label: str | Text) -> Text:
        text = label.plain if isinstance(label, Text) else label
        return Text(visible(text, single_line=True))


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def summary_lines(summary: ImportSummary) -> list[str]:
    """Describe one import's result in a few lines of plain text."""
    if summary.duplicate_of is not None:
        return [f"{summary.file}: already imported as scan {summary.duplicate_of}; nothing changed."]
    lines = [
        f"{summary.file}: imported as scan {summary.scan_id} ({summary.format}, "
        f"{_count(summary.hosts, 'host')}, {_count(summary.findings, 'finding')})",
        f"new {summary.new:,} · seen again {summary.seen_again:,} · fixed {summary.fixed:,}"
        f" · reopened {summary.reopened:,} · not verifiable {summary.not_verifiable:,}"
        f" · skipped {summary.skipped:,}",
    ]
    lines += [f"note: {warning}" for warning in summary.warnings[:8]]
    if len(summary.warnings) > 8:
        lines.append(f"… and {len(summary.warnings) - 8} more notes (patchtui import --json lists them)")
    return lines


class ImportDialog(UsesApp, ModalScreen[bool]):
    """Pick a report file and import it; dismisses with True when something was imported."""

    CSS_PATH = "importing.tcss"

    BINDINGS = [Binding("escape", "escape", "Cancel or close")]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self.start = start or Path.cwd()
        self.cancel_requested = threading.Event()
        self.state = "pick"
        """``pick``, ``running`` or ``done``."""
        self.imported = False

    def compose(self) -> ComposeResult:
        with Vertical(id="import"):
            yield Static(Content.assemble(("Import a report", "bold"),
                                          " (Nessus or Greenbone/OpenVAS, XML or CSV)"), id="title")
            yield Input(placeholder="path of the report file; enter imports", id="path")
            yield SafeDirectoryTree(self.start, id="tree")
            with Vertical(id="running"):
                yield Static(id="progress-label", markup=False)
                yield ProgressBar(total=100, show_eta=False, id="progress")
            yield Static(id="result", markup=False)
            yield Static("tab moves between the path and the files · enter imports · escape closes",
                         id="import-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(DirectoryTree.FileSelected)
    def _file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = str(event.path)
        self.begin(event.path)

    @on(Input.Submitted, "#path")
    def _path_entered(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            self.begin(Path(text).expanduser())

    def begin(self, path: Path) -> None:
        """Start importing ``path`` in a worker thread."""
        if self.state == "running":
            return
        self.state = "running"
        self.cancel_requested.clear()
        self.set_class(False, "-done")
        self.set_class(True, "-running")
        self.query_one("#result", Static).update("")
        self.query_one("#progress", ProgressBar).update(total=100, progress=0)
        self._label(f"Importing {path} … (escape cancels)")
        self.run_import(path)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def run_import(self, path: Path) -> None:
        """Import ``path`` on a connection of this thread, posting progress to the screen."""
        app = self.patchtui
        last_update = 0.0

        def progress(found: int) -> None:
            nonlocal last_update
            if self.cancel_requested.is_set():
                raise ImportCancelled(f"import of {path} cancelled")
            now = monotonic()
            if now - last_update >= PROGRESS_INTERVAL:
                last_update = now
                app.call_from_thread(self._progress, read_fraction(), found)

        db = open_db(app.db_path, migrate_schema=False)
        try:
            summary = import_file(db, path, clock=app.clock, actor=app.actor, progress=progress)
        except ImportCancelled:
            app.call_from_thread(self._finished, None, "Import cancelled; nothing was written.")
        except PatchtuiError as err:
            app.call_from_thread(self._finished, None, f"Import failed: {err}")
        else:
            app.call_from_thread(self._finished, summary, None)
        finally:
            db.conn.close()

    def _label(self, text: str) -> None:
        self.query_one("#progress-label", Static).update(Content(one_line(text)))

    def _progress(self, fraction: float | None, found: int) -> None:
        if self.state != "running":
            return
        if fraction is not None:
            self.query_one("#progress", ProgressBar).update(progress=round(fraction * 100, 1))
        cancelling = " · cancelling…" if self.cancel_requested.is_set() else " · escape cancels"
        self._label(f"{found:,} findings read{cancelling}")

    def _finished(self, summary: ImportSummary | None, error: str | None) -> None:
        self.state = "done"
        self.set_class(False, "-running")
        self.set_class(True, "-done")
        if summary is not None:
            self.query_one("#progress", ProgressBar).update(progress=100)
            self.imported = summary.duplicate_of is None
            text = "\n".join(summary_lines(summary))
        else:
            text = error or ""
        self.query_one("#result", Static).update(Content(visible(text)))
        self.query_one("#import-hint", Static).update(
            Content("escape closes · enter in the path line imports another file"))
        self.query_one("#path", Input).focus()

    def action_escape(self) -> None:
        """Cancel a running import, or close the dialog."""
        if self.state == "running":
            self.cancel_requested.set()
            self._label("Cancelling…")
            return
        self.dismiss(self.imported)
