"""The exceptions area: every risk exception by expiry, and one exception in full."""

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

from patchtui.store import exceptions as store
from patchtui.store.events import events_for
from patchtui.text import plural
from patchtui.triage import exceptions as rules
from patchtui.tui.app_access import UsesApp
from patchtui.tui.exception_dialogs import ExceptionForm, ExtendDialog, RevokeDialog
from patchtui.tui.plain import STATUS_LABELS, one_line, plain, severity_name

if TYPE_CHECKING:
    from patchtui.tui.app import PatchtuiApp

FILTERS = ((), ("active", "expiring"), ("expiring",), ("expired",), ("revoked",))
"""State groups that ``v`` cycles through: all, in force, expiring, expired, revoked."""
FILTER_NAMES = ("all", "in force", "expiring", "expired", "revoked")
STATE_LABELS = {"active": "active", "expiring": "expiring", "expired": "EXPIRED",
                "revoked": "revoked"}


def findings_word(row: dict[str, Any]) -> str:
    """Return what an exception's findings look like now, such as ``3 covered, 1 fixed``."""
    if row["all_fixed"]:
        return f"all {row['linked']} fixed"
    words = f"{row['covered']} covered"
    if row["fixed"]:
        words += f", {row['fixed']} fixed"
    return words


class _ExceptionActions:
    """``e`` extend and ``R`` revoke, shared by the list and the detail screen."""

    app: Any

    def current_exception(self) -> dict[str, Any] | None:
        raise NotImplementedError

    def refresh_exceptions(self) -> None:
        raise NotImplementedError

    def _after(self, changed: int | None) -> None:
        if changed is not None:
            self.refresh_exceptions()

    def action_extend(self) -> None:
        """Give the exception a new expiry date."""
        row = self.current_exception()
        if row is None:
            return
        if row["state"] == "revoked":
            self.app.say("A revoked exception stays revoked; record a new one.", severity="warning")
            return
        self.app.push_screen(ExtendDialog(row["id"], row["title"], row["expires_on"]), self._after)

    def action_revoke(self) -> None:
        """Revoke the exception after a confirmation."""
        row = self.current_exception()
        if row is None:
            return
        if row["state"] == "revoked":
            self.app.say(f"Exception {row['id']} is already revoked.", severity="warning")
            return
        self.app.push_screen(RevokeDialog(row["id"], row["title"], row["covered"]), self._after)


class ExceptionsScreen(UsesApp, _ExceptionActions, Screen):
    """Every exception, soonest expiry first, with its state and findings."""

    CSS_PATH = "exceptions.tcss"

    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("n", "new", "New rule exception"),
        Binding("e", "extend", "Extend"),
        Binding("R", "revoke", "Revoke", key_display="R"),
        Binding("v", "cycle_filter", "Next state filter"),
        Binding("ctrl+r", "refresh", "Refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_index = 0
        self.rows: dict[int, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield DataTable(id="exceptions", cursor_type="row", zebra_stripes=True)
        yield Static(id="status-line", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "State", "Expires", "Left", "Risk", "Findings", "Covers: title")
        self.refresh_exceptions()
        table.focus()

    def on_screen_resume(self) -> None:
        # Time passes and other screens change findings: expiry is decided again here.
        self.refresh_exceptions()

    def refresh_exceptions(self) -> None:
        """Expire what is due, then list the exceptions the filter shows."""
        app = self.patchtui
        table = self.query_one(DataTable)
        keep = self.current_exception()
        rows = rules.list_exceptions(app.db, clock=app.clock, states=FILTERS[self.filter_index])
        self.rows = {row["id"]: row for row in rows}
        table.clear()
        for row in rows:
            table.add_row(*self._cells(row), key=str(row["id"]))
        if keep is not None and keep["id"] in self.rows:
            table.move_cursor(row=table.get_row_index(str(keep["id"])))
        self._status(rows)

    def _cells(self, row: dict[str, Any]) -> list[Text]:
        state = STATE_LABELS[row["view_state"]]
        left = str(row["days_left"]) if row["state"] == "active" else ""
        covers = f"{rules.describe_scope(row)}: {row['title']}"
        style = {"expiring": "bold yellow", "expired": "bold red", "revoked": "dim"}.get(
            row["view_state"], "")
        return [Text(str(row["id"])), Text(state, style=style), Text(row["expires_on"]),
                Text(left, justify="right"), Text(row["residual_risk"]),
                Text(findings_word(row)), Text(one_line(covers))]

    def _status(self, rows: list[dict[str, Any]]) -> None:
        counts = {name: 0 for name in STATE_LABELS}
        for row in rows:
            counts[row["view_state"]] += 1
        parts = [f"{len(rows)} exception{'s' if len(rows) != 1 else ''}",
                 f"showing {FILTER_NAMES[self.filter_index]} (v)"]
        parts += [f"{count} {name}" for name, count in counts.items() if count]
        self.query_one("#status-line", Static).update(Content(" · ".join(parts)))

    def current_exception(self) -> dict[str, Any] | None:
        """Return the exception under the cursor, if any."""
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return self.rows.get(int(key or 0))

    def action_refresh(self) -> None:
        """Read the exceptions again."""
        self.refresh_exceptions()

    def action_cycle_filter(self) -> None:
        """Show the next group: all, in force, expiring, expired, revoked."""
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.refresh_exceptions()

    def action_new(self) -> None:
        """Record an exception for a check or hosts typed in the form."""
        self.app.push_screen(ExceptionForm([]), self._after)

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        """Show the exception under the cursor in full."""
        row = self.current_exception()
        if row is not None:
            self.app.push_screen(ExceptionDetailScreen(row["id"]))


class ExceptionDetailScreen(UsesApp, _ExceptionActions, Screen):
    """One exception: its note, controls, people, dates, findings and history."""

    CSS_PATH = "exceptions.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("e", "extend", "Extend"),
        Binding("R", "revoke", "Revoke", key_display="R"),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False),
        Binding("down,j", "scroll(1)", "Scroll down", show=False),
        Binding("pageup", "scroll_page(-1)", "Page up", show=False),
        Binding("pagedown,space", "scroll_page(1)", "Page down", show=False),
    ]

    def __init__(self, exception_id: int) -> None:
        super().__init__()
        self.exception_id = exception_id
        self.row: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="body")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_exceptions()

    def current_exception(self) -> dict[str, Any] | None:
        """Return the exception shown."""
        return self.row

    def refresh_exceptions(self) -> None:
        """Read the exception again and rebuild the page."""
        app = self.patchtui
        rows = rules.list_exceptions(app.db, clock=app.clock)
        self.row = next((row for row in rows if row["id"] == self.exception_id), None)
        body = self.query_one("#body", VerticalScroll)
        body.remove_children()
        if self.row is None:
            body.mount(Static(f"Exception {self.exception_id} does not exist.", markup=False))
            return
        body.mount_all(self._widgets(self.row))
        body.focus()

    def _widgets(self, row: dict[str, Any]) -> list[Static]:
        def line(label: str, value: str | None) -> Static:
            return Static(Content.assemble((f"{label:<15}", "bold"), one_line(value) or "-"))

        state = STATE_LABELS[row["view_state"]]
        if row["state"] == "active":
            state += f", {plural(row['days_left'], 'day')} left"
        widgets = [
            Static(Content.assemble((f"Exception {row['id']}: ", "bold"), (one_line(row["title"]), "bold"))),
            line("State", f"{state} (since {row['state_at']})"),
            line("Covers", rules.describe_scope(row)),
            line("Expires", f"{row['expires_on']} (end of day, UTC)"),
            line("Residual risk", row["residual_risk"]),
            line("Requested by", row["requested_by"]),
            line("Approved by", row["approved_by"]),
            line("Created", row["created_at"]),
        ]
        if row["all_fixed"]:
            which = ("Its one finding has" if row["linked"] == 1
                     else f"Every one of its {row['linked']:,} findings has")
            widgets.append(Static(f"{which} been verified fixed by a rescan; the exception is "
                                  "no longer needed.",
                                  classes="good", markup=False))
        widgets += [Static(Content.assemble(("Risk note", "bold underline")), classes="section"),
                    Static(plain(row["risk_note"])),
                    Static(Content.assemble(("Compensating controls", "bold underline")), classes="section"),
                    Static(plain(row["controls"] or "-"))]
        widgets += self._findings()
        widgets += self._history()
        return widgets

    def _findings(self) -> list[Static]:
        findings = store.linked_findings(self.patchtui.db, self.exception_id)
        widgets = [Static(Content.assemble((f"Findings ({len(findings)})", "bold underline")),
                          classes="section")]
        for finding in findings:
            released = f" ({finding['released_reason']})" if finding["released_reason"] else ""
            if finding["review"]:
                released += " REVIEW"
            text = (f"{finding['id']:>6}  {STATUS_LABELS.get(finding['status'], finding['status']):<11} "
                    f"{severity_name(finding['severity']):<8} {one_line(finding['host']):<15} "
                    f"{one_line(finding['name'])}{released}")
            widgets.append(Static(Content(text), classes="finding"))
        return widgets

    def _history(self) -> list[Static]:
        events = events_for(self.patchtui.db, "exception", self.exception_id)
        widgets = [Static(Content.assemble((f"History ({len(events)})", "bold underline")),
                          classes="section")]
        for event in events:
            change = event["new"] or ""
            if event["old"]:
                change = f"{event['old']} \u2192 {change}"
            parts: list[str | tuple[str, str]] = [(f"{event['at']}  ", "dim"), one_line(event["actor"]),
                                                  f"  {event['action']} ", one_line(change)]
            if event["note"]:
                parts += ["  ", (one_line(event["note"]), "italic")]
            widgets.append(Static(Content.assemble(*parts)))
        return widgets

    def action_back(self) -> None:
        """Go back to the list."""
        self.app.pop_screen()

    def action_scroll(self, lines: int) -> None:
        """Scroll the page by lines."""
        body = self.query_one("#body", VerticalScroll)
        body.scroll_relative(y=lines, animate=False)

    def action_scroll_page(self, direction: int) -> None:
        """Scroll the page by a screen."""
        body = self.query_one("#body", VerticalScroll)
        body.scroll_relative(y=direction * max(body.size.height - 1, 1), animate=False)


def new_exception_for(app: PatchtuiApp, finding_ids: list[int],
                      done: Callable[[int | None], None] | None = None) -> None:
    """Open the exception form over chosen findings; ``done`` gets the new id or None."""
    if not finding_ids:
        app.say("No finding chosen: select findings with space first.", severity="warning")
        return
    choices = rules.scope_choices(app.db, finding_ids)
    names = sorted({fact["name"] for fact in store.finding_facts(app.db, finding_ids)})
    subject = names[0] if len(names) == 1 else f"{len(names)} different checks"
    app.push_screen(ExceptionForm(choices, subject), done)


def covering_lines(db: Any, finding_id: int) -> list[Content]:
    """Return lines for a finding's detail: the exceptions covering it, or its review flag."""
    lines = []
    for exception_id in store.covering(db, [finding_id]).get(finding_id, []):
        row = store.get_exception(db, exception_id)
        if row is not None:
            lines.append(Content.assemble(("Accepted by exception ", "bold"), str(exception_id),
                                          f" until {row['expires_on']}: ", one_line(row["title"])))
    flagged = store.review_flags(db, [finding_id]).get(finding_id)
    if flagged is not None:
        lines.append(Content.assemble(("Review: ", "bold red"),
                                      f"exception {flagged} expired; decide what to do next"))
    return lines
