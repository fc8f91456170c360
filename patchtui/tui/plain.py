"""Report text made safe for the screen: never markup, never raw control characters.

Every string that comes from a report (names, host names, plugin output,
file names) reaches a widget through these helpers. ``Content(...)`` is never
parsed as markup, and ``visible()`` turns ESC and other control characters
into visible symbols, which ``Content`` alone would pass to the terminal.
"""

from __future__ import annotations

from textual.content import Content

from patchtui.importers.model import SEVERITIES
from patchtui.text import visible

STATUS_LABELS = {
    "open": "open",
    "in_progress": "in progress",
    "patched": "patched",
    "fixed": "fixed",
    "false_positive": "false positive",
    "accepted": "accepted",
}
"""How each status is written on screen."""

STATUS_SHORT = STATUS_LABELS | {"false_positive": "false pos."}
"""Each status in at most 11 cells, for the status column of lists; the help explains it."""

SEVERITY_SHORT = ("info", "low", "med", "high", "crit")
"""Four-letter severity labels, by rank."""


def plain(text: str | None) -> Content:
    """Return report text as content shown literally, line breaks kept."""
    return Content(visible(text))


def one_line(text: str | None) -> str:
    """Return report text for one table cell or message line: no line breaks, no controls."""
    return visible("" if text is None else str(text), single_line=True)


def labelled(label: str, value: str | None, *, style: str = "bold") -> Content:
    """Return ``label`` in ``style`` followed by report text shown literally."""
    return Content.assemble((label, style), visible(value) if value else "-")


def severity_name(rank: int) -> str:
    """Return the severity name of a rank, such as ``critical`` for 4."""
    return SEVERITIES[rank] if 0 <= rank < len(SEVERITIES) else str(rank)


def short_date(timestamp: str | None) -> str:
    """Return the date part of a stored UTC timestamp."""
    return (timestamp or "")[:10]
