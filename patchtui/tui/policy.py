"""The policy screen: the patch policy, the threat data it uses, and their upkeep.

Saving the policy and loading threat data recompute due dates, which takes
seconds at a million findings, so both run in a worker thread on a
connection of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static

from patchtui.clock import to_text
from patchtui.errors import PatchtuiError
from patchtui.store import open_db
from patchtui.store.pages import MIN_QOD
from patchtui.store.policy import count_overdue, count_overdue_below_qod, policy_updated
from patchtui.text import plural
from patchtui.triage.enrich import LABELS, enrich_file, threat_status
from patchtui.triage.explain import policy_lines, when
from patchtui.triage.policy import Policy, PolicyChange, load_policy, mark_reviewed, save_policy
from patchtui.triage.policy_toml import import_policy_file, policy_to_toml
from patchtui.tui.app_access import UsesApp
from patchtui.tui.plain import one_line
from patchtui.tui.policy_form import PolicyForm

WORKER_GROUP = "policy"
"""Worker group of the slow policy and threat-data changes (tests wait for it)."""


class TextDialog(ModalScreen[str | None]):
    """Ask for one line of text (a file name, a note); dismisses with it, or None."""

    CSS_PATH = "policy.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "",
                 required: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content.assemble((self.title_text, "bold")))
            yield Input(self.value, placeholder=self.placeholder, id="text")
            yield Static(id="error", markup=False)
            yield Static("enter confirms · escape cancels", classes="hint", markup=False)

    @on(Input.Submitted, "#text")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self.required and not text:
            self.query_one("#error", Static).update("Type a value, or press escape.")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        """Close without a value."""
        self.dismiss(None)


def overdue_line(db: Any, now: str) -> str:
    """Return the overdue count, saying how many of them the overdue review hides by default."""
    overdue = count_overdue(db, now)
    hidden = count_overdue_below_qod(db, now, MIN_QOD)
    if not hidden:
        return f"Overdue findings: {overdue:,} (d opens the overdue review)"
    return (f"Overdue findings: {overdue:,} (d opens the overdue review; {hidden:,} of them "
            f"{'is' if hidden == 1 else 'are'} below QoD {MIN_QOD} and hidden there until i "
            "shows them)")


class PolicyScreen(UsesApp, Screen):
    """The patch policy, the loaded threat data and how many findings are overdue."""

    CSS_PATH = "policy.tcss"

    BINDINGS = [
        Binding("e", "edit", "Edit policy"),
        Binding("m", "mark_reviewed", "Record policy review"),
        Binding("l", "load", "Load threat data"),
        Binding("x", "export", "Export TOML"),
        Binding("i", "import_file", "Import TOML"),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False),
        Binding("down,j", "scroll(1)", "Scroll down", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="body")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def on_screen_resume(self) -> None:
        self.show()

    def show(self) -> None:
        """Read the policy and the threat data again and rebuild the page."""
        app = self.patchtui
        now = app.clock()
        body = self.query_one("#body", VerticalScroll)
        body.remove_children()
        updated = policy_updated(app.db)
        title = "Patch policy"
        if updated:
            title += f" ({updated[2]} {when(updated[0])} by {one_line(updated[1])})"
        lines = [Static(Content(overdue_line(app.db, to_text(now))), classes="line")]

        loaded = {status.kind: status for status in threat_status(app.db, now)}
        for kind, label in LABELS.items():
            status = loaded.get(kind)
            text = one_line(status.describe()) if status else f"{label}: not loaded (l loads a file)"
            stale = "line stale" if status is not None and status.stale else "line"
            lines.append(Static(Content(text), classes=stale))

        lines.append(Static(Content.assemble((title, "bold")), classes="title"))
        lines += [Static(Content(line), classes="line") for line in
                  policy_lines(load_policy(app.db), now.date())]
        body.mount_all(lines)

    def action_scroll(self, lines: int) -> None:
        """Scroll the page."""
        self.query_one("#body", VerticalScroll).scroll_relative(y=lines, animate=False)

    # -- changes ---------------------------------------------------------------

    def action_edit(self) -> None:
        """Open the policy form; saving it recomputes due dates."""
        def edited(policy: Policy | None) -> None:
            if policy is not None:
                self.run_change(lambda db: self._save(db, policy))

        self.app.push_screen(PolicyForm(load_policy(self.patchtui.db)), edited)

    def action_mark_reviewed(self) -> None:
        """Record that the policy was reviewed, with an optional note."""
        def noted(note: str | None) -> None:
            if note is None:
                return
            policy = mark_reviewed(self.patchtui.db, note=note or None, clock=self.patchtui.clock,
                                   actor=self.patchtui.actor)
            self.patchtui.say(f"Policy review recorded; next review due "
                              f"{policy.next_review.isoformat()}")
            self.show()

        self.app.push_screen(TextDialog("Record a review of the policy", required=False,
                                        placeholder="note: what the review found (optional)"),
                             noted)

    def action_load(self) -> None:
        """Load a KEV catalogue or an EPSS scores file."""
        def chosen(path: str | None) -> None:
            if path:
                self.run_change(lambda db: self._enrich(db, Path(path).expanduser()))

        self.app.push_screen(TextDialog(
            "Load threat data: CISA KEV (JSON or CSV) or EPSS scores (CSV, gzipped or not)",
            placeholder="path of the file on this machine"), chosen)

    def action_export(self) -> None:
        """Write the policy to a TOML file."""
        def chosen(path: str | None) -> None:
            if not path:
                return
            target = Path(path).expanduser()
            try:
                target.write_text(policy_to_toml(load_policy(self.patchtui.db)), encoding="utf-8")
            except OSError as err:
                self.patchtui.say(f"{target}: cannot write the file: {err.strerror}",
                                  severity="error")
                return
            self.patchtui.say(f"Wrote the policy to {target}")

        self.app.push_screen(TextDialog("Export the policy as TOML to", value="patchtui-policy.toml"),
                             chosen)

    def action_import_file(self) -> None:
        """Replace the policy with a TOML file's."""
        def chosen(path: str | None) -> None:
            if path:
                self.run_change(lambda db: self._import(db, Path(path).expanduser()))

        self.app.push_screen(TextDialog("Import the policy from a TOML file",
                                        placeholder="path of the file on this machine"), chosen)

    @work(thread=True, exclusive=True, group=WORKER_GROUP, exit_on_error=False)
    def run_change(self, change: Callable[[Database], str]) -> None:
        """Run ``change`` on a connection of this thread and show the message it returns."""
        app = self.patchtui
        db = open_db(app.db_path, migrate_schema=False)
        try:
            message = change(db)
        except PatchtuiError as err:
            app.call_from_thread(app.say, str(err), severity="error")
            return
        finally:
            db.conn.close()
        app.call_from_thread(self._changed, message)

    def _save(self, db: Database, policy: Policy) -> str:
        app = self.patchtui
        return _describe(save_policy(db, policy, clock=app.clock, actor=app.actor))

    def _import(self, db: Database, path: Path) -> str:
        app = self.patchtui
        return _describe(import_policy_file(db, path, clock=app.clock, actor=app.actor))

    def _enrich(self, db: Database, path: Path) -> str:
        app = self.patchtui
        summary = enrich_file(db, path, clock=app.clock, actor=app.actor)
        if summary.duplicate:
            return f"{path.name}: already loaded; nothing changed"
        message = (f"Loaded the {LABELS[summary.kind]} "
                   f"({plural(summary.rows, 'entry', 'entries', grouped=True)}); due dates or priorities "
                   f"changed for {plural(summary.findings_changed, 'finding', grouped=True)}")
        if summary.stale:
            message += f". The data is {plural(summary.age_days, 'day')} old: load a newer file"
        return message

    def _changed(self, message: str) -> None:
        self.patchtui.say(message)
        self.show()


def _describe(change: PolicyChange) -> str:
    if not change.changes:
        return "The policy is unchanged"
    count = len(change.changes)
    return (f"Policy saved ({plural(count, 'setting')} changed); due dates changed for "
            f"{plural(change.due_dates_changed, 'finding', grouped=True)}")
