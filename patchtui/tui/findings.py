"""The findings list: the home screen, where the admin filters, sorts, selects and triages."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from patchtui.clock import to_text
from patchtui.store import open_db
from patchtui.store.pages import SORT_KEYS, FindingPager, ListQuery
from patchtui.triage.exceptions import expire_due
from patchtui.tui.app_access import UsesApp
from patchtui.tui.dialogs import FilterDialog, StatusDialog
from patchtui.tui.finding_table import FindingTable
from patchtui.tui.plain import STATUS_LABELS, one_line

if TYPE_CHECKING:
    pass

SORT_TITLES = {
    "priority": "priority", "severity": "severity", "status": "status", "host": "host", "port": "port", "cvss": "CVSS",
    "name": "name", "cves": "CVEs", "first_seen": "first seen", "last_seen": "last seen",
    "due": "due date",
}
DESCENDING_FIRST = {"priority", "severity", "cvss", "first_seen", "last_seen"}
"""Sort keys whose first press lists the highest (or newest) first. The others, text
columns and the port, start A to Z or lowest first; the due date starts soonest,
so the most overdue findings lead."""
SELECT_ALL_LIMIT = 10_000
"""Most findings ``ctrl+a`` selects at once, so a bulk change stays one quick transaction."""


def _hidden_words(query: ListQuery) -> str:
    """Return what the hidden-findings rules of ``pages.FindingPager.where`` hide for ``query``.

    A severity filter shows info findings when it includes them, and a status
    filter shows fixed and false-positive findings, so only the rest is named.
    """
    if query.show_hidden:
        return "all shown (i)"
    hidden = []
    if not query.severities:
        hidden.append("info")
    hidden.append("QoD")
    if not query.statuses:
        hidden.append("fixed")
    return "/".join(hidden) + " hidden (i)"


class FindingsScreen(UsesApp, Screen):
    """Every finding that matches the filters, highest priority first."""

    CSS_PATH = "findings.tcss"

    HELP_NOTES = ("Sev: crit, high, med, low, info. Status: \"false pos.\" is false positive. "
                  "Pri: priority, higher comes first.")

    BINDINGS = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("o", "set_status", "Set status"),
        Binding("e", "accept_risk", "Accept risk"),
        Binding("t", "add_to_task", "Add to task"),
        Binding("v", "filters", "Filters"),
        Binding("i", "toggle_hidden", "Show hidden"),
        Binding("greater_than_sign", "cycle_sort(1)", "Next sort column", key_display=">"),
        Binding("less_than_sign", "cycle_sort(-1)", "Previous sort column", key_display="<",
                show=False),
        Binding("r", "reverse_sort", "Reverse sort"),
        Binding("c", "clear_filters", "Clear filters", show=False),
        Binding("ctrl+a", "select_all", "Select all matching", show=False),
        Binding("u", "unselect", "Unselect all", show=False),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self, query: ListQuery | None = None, *, title: str | None = None) -> None:
        super().__init__()
        self.base_query = query or ListQuery()
        self.scope_title = title
        self.count_generation = 0
        self.match_count: int | None = None
        self.count_connection: sqlite3.Connection | None = None

    def compose(self) -> ComposeResult:
        pager = FindingPager(self.patchtui.db)
        yield Input(placeholder="search name, CVE, host, plugin output; enter applies, escape closes",
                    id="search")
        yield FindingTable(pager, self.base_query, id="findings")
        yield Static(id="status-line", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        expire_due(self.patchtui.db, clock=self.patchtui.clock, actor=self.patchtui.actor)
        self.table.load()
        self.table.focus()
        # Counting a million rows competes for the CPU, so it starts once the first page shows.
        self.call_after_refresh(self.start_count)

    def _explain_empty(self) -> None:
        """Say why the list is empty: no findings at all, or none matching."""
        table = self.table
        if table.rows:
            return
        query = table.query
        if not query.show_hidden and table.pager.first(query.with_changes(show_hidden=True), 1):
            table.empty_message = "Only info, low-QoD or resolved findings match: press i."
        elif table.pager.first(ListQuery(show_hidden=True), 1):
            table.empty_message = "No findings match. Press c to clear the filters."
        else:
            table.empty_message = "No findings yet. Press s, then i, to import a report."

    def on_screen_resume(self) -> None:
        # Another screen may have changed findings (a status, an import) since this one showed.
        if self.count_generation:
            expire_due(self.patchtui.db, clock=self.patchtui.clock, actor=self.patchtui.actor)
            self.table.reload()
            self.start_count()

    @property
    def table(self) -> FindingTable:
        """The findings list widget."""
        return self.query_one(FindingTable)

    # -- query changes -------------------------------------------------------------

    def apply_query(self, query: ListQuery) -> None:
        """Show the list for ``query`` from its start and recount."""
        expire_due(self.patchtui.db, clock=self.patchtui.clock, actor=self.patchtui.actor)
        self.table.load(query)
        self.start_count()

    def start_count(self) -> None:
        """Count the matches in a worker thread; the status line shows the count when ready.

        A count still running for an earlier query is interrupted, so quick
        filter changes do not pile up counts of a million rows.
        """
        self.count_generation += 1
        self.match_count = None
        self.update_status()
        running = self.count_connection
        if running is not None:
            running.interrupt()
        self.count_matches(self.table.query, self.count_generation)

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def count_matches(self, query: ListQuery, generation: int) -> None:
        """Count the findings matching ``query`` on a connection of this thread."""
        db = open_db(self.patchtui.db_path, migrate_schema=False)
        self.count_connection = db.conn
        try:
            count = FindingPager(db).count(query)
        except sqlite3.OperationalError:
            return  # interrupted by a newer count
        finally:
            if self.count_connection is db.conn:
                self.count_connection = None
            db.conn.close()
        self.app.call_from_thread(self._show_count, generation, count)

    def _show_count(self, generation: int, count: int) -> None:
        if generation == self.count_generation:
            self.match_count = count
            self.table.place_end(count)
            self.update_status()

    @on(FindingTable.Moved)
    def _moved(self) -> None:
        self._explain_empty()
        if self.match_count is not None:
            self.table.place_end(self.match_count)
        self.update_status()

    def update_status(self) -> None:
        """Write the status line: matches, position, sort, filters and selection."""
        table, query = self.table, self.table.query
        if self.match_count is None:
            matched = "counting…"
        else:
            matched = f"{self.match_count:,} finding{'s' if self.match_count != 1 else ''}"
        parts = [matched]
        if table.selected:
            parts.append(f"{len(table.selected):,} selected")
        parts += self._filter_words(query)
        arrow = "\u25bc" if query.descending else "\u25b2"
        parts.append(f"by {SORT_TITLES[query.sort]} {arrow}")
        if table.rows and table.position is not None:
            parts.append(f"row {table.position + 1:,}")
        parts.append(_hidden_words(query))
        self.query_one("#status-line", Static).update(Content(" · ".join(parts)))

    def _filter_words(self, query: ListQuery) -> list[str]:
        words = []
        if self.scope_title:
            words.append(one_line(self.scope_title))
        if query.severities:
            words.append("sev: " + ",".join(query.severities))
        if query.statuses:
            words.append("status: " + ",".join(STATUS_LABELS[s] for s in query.statuses))
        if query.scanners:
            words.append("scanner: " + ",".join(query.scanners))
        if query.host:
            words.append(f"host: {one_line(query.host)}")
        if query.overdue_at:
            words.append("overdue")
        if query.search:
            words.append(f"search: {one_line(query.search)}")
        return words

    # -- actions -------------------------------------------------------------------

    def action_search(self) -> None:
        """Open the search line."""
        search = self.query_one("#search", Input)
        search.value = self.table.query.search or ""
        search.add_class("-open")
        search.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.input.remove_class("-open")
        text = event.value.strip() or None
        self.apply_query(self.table.query.with_changes(search=text))
        self.table.focus()

    def action_back(self) -> None:
        """Close the search line, or go back as escape does elsewhere (see ``PatchtuiApp.action_back``)."""
        search = self.query_one("#search", Input)
        if search.has_class("-open"):
            search.remove_class("-open")
            self.table.focus()
        else:
            self.patchtui.action_back()

    def action_toggle_hidden(self) -> None:
        """Show or hide info findings, OpenVAS results below QoD 70, and fixed or false-positive ones."""
        query = self.table.query
        self.apply_query(query.with_changes(show_hidden=not query.show_hidden))

    def action_cycle_sort(self, step: int) -> None:
        """Sort by the next (or previous) column."""
        keys = [key for key in SORT_KEYS
                if key not in ("due", "priority") or self.table.pager.has_due]
        query = self.table.query
        following = keys[(keys.index(query.sort) + step) % len(keys)]
        self.apply_query(query.with_changes(sort=following,
                                            descending=following in DESCENDING_FIRST))

    def action_reverse_sort(self) -> None:
        """Flip the sort direction."""
        query = self.table.query
        self.apply_query(query.with_changes(descending=not query.descending))

    def action_clear_filters(self) -> None:
        """Drop the search and every filter this screen added, keep the sort."""
        query = self.table.query
        self.apply_query(self.base_query.with_changes(sort=query.sort, descending=query.descending))

    def action_filters(self) -> None:
        """Open the filter dialog."""
        def chosen(query: ListQuery | None) -> None:
            if query is not None:
                self.apply_query(query)

        overdue_at = to_text(self.patchtui.clock())
        self.app.push_screen(FilterDialog(self.table.query, has_due=self.table.pager.has_due,
                                          overdue_at=overdue_at), chosen)

    def action_select_all(self) -> None:
        """Select every matching finding, up to a limit."""
        ids = self.table.pager.ids(self.table.query, SELECT_ALL_LIMIT + 1)
        if len(ids) > SELECT_ALL_LIMIT:
            self.patchtui.say(f"More than {SELECT_ALL_LIMIT:,} findings match; narrow the "
                              "filters before selecting them all.", severity="warning")
            return
        self.table.select_ids(ids)
        self.update_status()

    def action_unselect(self) -> None:
        """Unselect every finding."""
        self.table.clear_selection()
        self.update_status()

    def action_set_status(self) -> None:
        """Set the status of the selected findings, or of the one under the cursor."""
        table = self.table
        ids = self._chosen_ids()
        if not ids:
            self.patchtui.say("No finding to change.", severity="warning")
            return
        subject = table.current.name if len(ids) == 1 and table.current else None

        def done(changed: int | None) -> None:
            if changed is None:
                return
            table.clear_selection()
            table.reload()
            self.start_count()

        self.app.push_screen(StatusDialog(ids, subject=subject), done)

    def _chosen_ids(self) -> list[int]:
        """Return the selected findings, or the one under the cursor when none is selected."""
        table = self.table
        if table.selected:
            return sorted(table.selected)
        if table.current is not None:
            return [table.current.id]
        return []

    def _changed(self, result: int | None) -> None:
        if result is not None:
            self.table.clear_selection()
            self.table.reload()
            self.start_count()

    def action_accept_risk(self) -> None:
        """Record an exception over the selected findings, or the one under the cursor."""
        from patchtui.tui.exceptions import new_exception_for

        new_exception_for(self.patchtui, self._chosen_ids(), self._changed)

    def action_add_to_task(self) -> None:
        """Add the selected findings, or the one under the cursor, to a new or open task."""
        from patchtui.tui.tasks import add_findings_to_task

        add_findings_to_task(self.patchtui, self._chosen_ids(), self._changed)

    @on(FindingTable.Opened)
    def _open(self, event: FindingTable.Opened) -> None:
        from patchtui.tui.detail import FindingDetailScreen

        self.app.push_screen(FindingDetailScreen(event.row.id))
