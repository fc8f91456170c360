"""A findings list that holds only the rows near the cursor and pages the rest from SQLite.

Textual's DataTable keeps and measures every row, which freezes the screen
for minutes at a million findings. This widget keeps a window of at most
``MAX_ROWS`` rows around the cursor and fetches the next or previous page by
keyset (``patchtui.store.pages``) when the cursor walks off either end. It
has no scrollbar, because a scrollbar needs the total count and random access
by offset. The screen shows the position in its status line instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from patchtui.clock import system_clock, to_text
from patchtui.store.pages import FindingPager, ListQuery, ListRow
from patchtui.tui.plain import SEVERITY_SHORT, STATUS_SHORT, one_line, short_date

PAGE = 100
"""Rows fetched per query."""
MAX_ROWS = 5 * PAGE
"""Rows kept in memory; the window is trimmed on the side away from the cursor."""
MIN_NAME_WIDTH = 24


def _port(row: ListRow) -> str:
    return f"{row.port}/{row.protocol}" if row.port else f"-/{row.protocol}"


def _cvss(row: ListRow) -> str:
    return "" if row.cvss is None else f"{row.cvss:4.1f}"


def _cves(row: ListRow) -> str:
    cves = [cve for cve in (row.cves or "").split(", ") if cve]
    if len(cves) > 1:
        return f"{cves[0]} +{len(cves) - 1}"
    return cves[0] if cves else ""


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the list: its sort key, title, width and how a row shows in it."""

    key: str
    title: str
    width: int
    value: Callable[[ListRow], str]


COLUMNS = (
    Column("severity", "Sev", 4, lambda row: SEVERITY_SHORT[row.severity]),
    Column("status", "Status", 11, lambda row: STATUS_SHORT.get(row.status, row.status)),
    Column("host", "Host", 15, lambda row: one_line(row.host)),
    Column("port", "Port", 9, _port),
    Column("cvss", "CVSS", 4, _cvss),
    Column("name", "Name", MIN_NAME_WIDTH, lambda row: one_line(row.name)),
    Column("cves", "CVEs", 19, _cves),
    Column("first_seen", "First seen", 10, lambda row: short_date(row.first_seen)),
    Column("last_seen", "Last seen", 10, lambda row: short_date(row.last_seen)),
)
"""Columns left to right; the name column takes the width the others leave on screen."""

DUE_COLUMN = Column("due", "Due", 10, lambda row: short_date(row.due_at))
PRIORITY_COLUMN = Column("priority", "Pri", 3,
                         lambda row: "" if row.priority is None else str(row.priority))

DUE_SOON = timedelta(days=7)
"""A due date closer than this shows in the due-soon colour; a past one in the overdue colour."""


class FindingTable(Widget, can_focus=True):
    """The paged findings list, with a cursor, a selection and sorting by column."""

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "first", "First finding", show=False),
        Binding("end,G", "last", "Last finding", show=False),
        Binding("left", "scroll_columns(-8)", "Scroll columns left", show=False),
        Binding("right", "scroll_columns(8)", "Scroll columns right", show=False),
        Binding("space", "toggle_select", "Select", key_display="space"),
        Binding("enter", "open", "Open"),
    ]

    COMPONENT_CLASSES = {
        "finding-table--header",
        "finding-table--cursor",
        "finding-table--selected",
        "finding-table--empty",
        *(f"finding-table--sev-{rank}" for rank in range(5)),
        "finding-table--overdue",
        "finding-table--due-soon",
    }

    selection_size: reactive[int] = reactive(0)

    class Moved(Message):
        """The cursor moved, or the rows under it changed."""

        def __init__(self, row: ListRow | None, position: int | None) -> None:
            self.row = row
            self.position = position
            super().__init__()

    class Opened(Message):
        """The admin pressed enter on a row."""

        def __init__(self, row: ListRow) -> None:
            self.row = row
            super().__init__()

    def __init__(self, pager: FindingPager, query: ListQuery, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pager = pager
        self.query = query
        self.rows: list[ListRow] = []
        self.top = 0
        self.cursor = 0
        self.base: int | None = 0
        """Position in the whole list of ``rows[0]``, None after a jump to the end."""
        self.at_start = True
        self.at_end = True
        self.selected: set[int] = set()
        self.column_offset = 0
        self.empty_message = "No findings match."

    # -- loading ---------------------------------------------------------------

    def load(self, query: ListQuery | None = None) -> None:
        """Show the start of the list for ``query`` (or the current query again)."""
        if query is not None:
            self.query = query
        self.rows = self.pager.first(self.query, PAGE)
        self.at_start, self.at_end = True, len(self.rows) < PAGE
        self.top = self.cursor = 0
        self.base = 0
        self._changed()

    def reload(self) -> None:
        """Fetch the rows again around the first visible one, after data changed."""
        if not self.rows:
            self.load()
            return
        anchor = self.rows[self.top]
        offset = self.cursor - self.top
        earlier = self.pager.before(self.query, anchor, PAGE)
        rest = (self.pager.after(self.query, earlier[-1], 2 * PAGE) if earlier
                else self.pager.first(self.query, 2 * PAGE))
        if self.base is not None:
            self.base = max(0, self.base + self.top - len(earlier))
        self.rows = earlier + rest
        self.at_start, self.at_end = len(earlier) < PAGE, len(rest) < 2 * PAGE
        self.top = min(len(earlier), max(0, len(self.rows) - 1))
        self.cursor = min(self.top + offset, max(0, len(self.rows) - 1))
        self._changed()

    def _extend_forward(self) -> bool:
        if self.at_end or not self.rows:
            return False
        more = self.pager.after(self.query, self.rows[-1], PAGE)
        self.at_end = len(more) < PAGE
        self.rows += more
        self._trim(keep_end=True)
        return bool(more)

    def _extend_backward(self) -> bool:
        if self.at_start or not self.rows:
            return False
        more = self.pager.before(self.query, self.rows[0], PAGE)
        self.at_start = len(more) < PAGE
        self.rows = more + self.rows
        self.top += len(more)
        self.cursor += len(more)
        if self.base is not None:
            self.base = max(0, self.base - len(more))
        self._trim(keep_end=False)
        return bool(more)

    def _trim(self, *, keep_end: bool) -> None:
        excess = len(self.rows) - MAX_ROWS
        if excess <= 0:
            return
        if keep_end:
            excess = min(excess, self.top)
            del self.rows[:excess]
            self.top -= excess
            self.cursor -= excess
            if self.base is not None:
                self.base += excess
            self.at_start = self.at_start and excess == 0
        else:
            keep = max(MAX_ROWS, self.top + self.size.height + PAGE)
            if len(self.rows) > keep:
                del self.rows[keep:]
                self.at_end = False

    # -- what is shown -----------------------------------------------------------

    @property
    def current(self) -> ListRow | None:
        """The row under the cursor."""
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def position(self) -> int | None:
        """Position of the cursor in the whole list, from 0, when known."""
        return None if self.base is None else self.base + self.cursor

    def place_end(self, count: int) -> None:
        """Number the rows from the end once the list's length is known, after a jump there.

        ``count`` comes from a separate count query, so a change to the findings
        between the two can put the numbers off by that change until the next jump.
        """
        if self.base is None and self.at_end:
            self.base = max(0, count - len(self.rows))

    def columns(self) -> list[Column]:
        """Return the columns shown, with the name column sized to the screen."""
        columns = list(COLUMNS)
        if self.pager.has_due:
            # The due date goes before the name so it shows at 80 columns.
            columns.insert(columns.index(COLUMNS[5]), DUE_COLUMN)
            columns.insert(columns.index(COLUMNS[5]) + 1, PRIORITY_COLUMN)
        name_at = next(index for index, column in enumerate(columns) if column.key == "name")
        before_name = sum(column.width + 1 for column in columns[:name_at]) + 2
        name_width = max(MIN_NAME_WIDTH, self.size.width - before_name - 1)
        return [Column(c.key, c.title, name_width, c.value) if c.key == "name" else c
                for c in columns]

    def total_width(self) -> int:
        """Return the width of a whole row in cells."""
        return 2 + sum(column.width + 1 for column in self.columns())

    def visible_rows(self) -> int:
        """Return how many rows fit under the header."""
        return max(1, self.size.height - 1)

    def _changed(self) -> None:
        self._keep_cursor_visible()
        self.refresh()
        self.post_message(self.Moved(self.current, self.position))

    def _keep_cursor_visible(self) -> None:
        height = self.visible_rows()
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + height:
            self.top = self.cursor - height + 1
        self.top = max(0, min(self.top, max(0, len(self.rows) - 1)))

    # -- actions ---------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        """Move the cursor by ``delta`` rows, fetching pages as needed."""
        if not self.rows:
            return
        # Fetching may trim or prepend rows; both shift self.cursor with them.
        while self.cursor + delta >= len(self.rows) and self._extend_forward():
            pass
        while self.cursor + delta < 0 and self._extend_backward():
            pass
        self.cursor = max(0, min(self.cursor + delta, len(self.rows) - 1))
        self._changed()

    def action_page(self, direction: int) -> None:
        """Move the cursor one screen up or down, keeping its place on the screen."""
        offset = self.cursor - self.top
        self.action_move(direction * self.visible_rows())
        self.top = max(0, self.cursor - offset)
        self._changed()

    def action_first(self) -> None:
        """Go to the first finding of the list."""
        self.load()

    def action_last(self) -> None:
        """Go to the last finding of the list."""
        self.rows = self.pager.last(self.query, PAGE)
        self.at_start, self.at_end = len(self.rows) < PAGE, True
        self.base = 0 if self.at_start else None
        self.cursor = max(0, len(self.rows) - 1)
        self.top = max(0, self.cursor - self.visible_rows() + 1)
        self._changed()

    def action_scroll_columns(self, delta: int) -> None:
        """Scroll the columns sideways to reach those beyond the screen's width."""
        limit = max(0, self.total_width() - self.size.width)
        self.column_offset = max(0, min(self.column_offset + delta, limit))
        self.refresh()

    def action_toggle_select(self) -> None:
        """Select or unselect the row under the cursor, then move down."""
        row = self.current
        if row is None:
            return
        self.selected.symmetric_difference_update({row.id})
        self.selection_size = len(self.selected)
        self.action_move(1)
        self.refresh()

    def clear_selection(self) -> None:
        """Unselect every row."""
        self.selected.clear()
        self.selection_size = 0
        self.refresh()

    def select_ids(self, ids: list[int]) -> None:
        """Add ``ids`` to the selection."""
        self.selected.update(ids)
        self.selection_size = len(self.selected)
        self.refresh()

    def action_open(self) -> None:
        """Ask the screen to open the row under the cursor."""
        if self.current is not None:
            self.post_message(self.Opened(self.current))

    # -- mouse -----------------------------------------------------------------

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.action_move(3)

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.action_move(-3)

    def _on_click(self, event: events.Click) -> None:
        if event.y >= 1 and self.top + event.y - 1 < len(self.rows):
            self.cursor = self.top + event.y - 1
            self._changed()
            if event.chain >= 2:
                self.action_open()

    def _on_resize(self, event: events.Resize) -> None:
        self._keep_cursor_visible()

    # -- rendering ---------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        width = self.size.width
        if y == 0:
            strip = self._header(base + self.get_component_rich_style("finding-table--header"))
        elif self.top + y - 1 < len(self.rows):
            strip = self._row(self.top + y - 1, base)
        elif y == 1 and not self.rows:
            style = base + self.get_component_rich_style("finding-table--empty")
            return Strip([Segment(set_cell_size(" " + self.empty_message, width), style)])
        else:
            return Strip.blank(width, base)
        return strip.crop_extend(self.column_offset, self.column_offset + width, base)

    def _header(self, style: Style) -> Strip:
        segments = [Segment("  ", style)]
        for column in self.columns():
            title = column.title
            if column.key == self.query.sort:
                arrow = "\u25bc" if self.query.descending else "\u25b2"
                # The arrow replaces the end of a title too long for it, so it always shows.
                title = f"{title} {arrow}" if len(title) + 2 <= column.width else (
                    title[:column.width - 1] + arrow)
            segments.append(Segment(set_cell_size(title, column.width) + " ", style))
        return Strip(segments)

    def _row(self, index: int, base: Style) -> Strip:
        row = self.rows[index]
        chosen = row.id in self.selected
        style = base
        if chosen:
            style += self.get_component_rich_style("finding-table--selected")
        if index == self.cursor and self.has_focus:
            style += self.get_component_rich_style("finding-table--cursor")
        elif index == self.cursor:
            style += Style(reverse=True)
        segments = [Segment("\u25cf " if chosen else "  ", style)]
        for column in self.columns():
            cell_style = style
            if column.key == "severity":
                cell_style = style + self.get_component_rich_style(
                    f"finding-table--sev-{row.severity}", partial=True)
            elif column.key == "due" and row.due_at:
                cell_style = style + self._due_style(row.due_at)
            segments.append(Segment(set_cell_size(column.value(row), column.width), cell_style))
            segments.append(Segment(" ", style))
        return Strip(segments)

    def _due_style(self, due_at: str) -> Style:
        clock = getattr(self.app, "clock", system_clock)
        now = clock()
        if due_at < to_text(now):
            return self.get_component_rich_style("finding-table--overdue", partial=True)
        if due_at < to_text(now + DUE_SOON):
            return self.get_component_rich_style("finding-table--due-soon", partial=True)
        return Style()

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()
