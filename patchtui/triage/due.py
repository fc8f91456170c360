"""Due-date rules shared by the policy, the store and the overdue review.

A finding in one of ``DUE_STATUSES`` has a due date: the start of its current
exposure plus the policy's response time for its severity and its asset's
tier. The start is its first sighting, or the time it was reopened when a scan
saw it again after it was ``patched`` or ``fixed``. A finding whose CVE is in
the CISA Known Exploited Vulnerabilities catalogue is due by the sooner of that
date and the end of the catalogue's due date (UTC). A target date set in an
overdue review replaces both until the finding leaves the statuses below or is
reopened.

``patched`` keeps its due date: the work is claimed but not proven, and only a
rescan that no longer reports the finding (``fixed``) ends the obligation.
This module imports nothing from the store, so the store can use it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from patchtui.clock import to_text
from patchtui.errors import InputError

DUE_STATUSES = ("open", "in_progress", "patched")
"""Statuses that carry a due date. ``accepted``, ``false_positive`` and ``fixed`` have none."""

END_OF_DAY = "T23:59:59Z"
"""A date given without a time (KEV due dates, review targets) means the end of that day in UTC."""

MAX_DURATION = timedelta(days=3650)
"""Maximum time any policy setting accepts, so date arithmetic stays in range."""

_DURATION = re.compile(r"\s*(\d{1,6})\s*([hd])\s*", re.IGNORECASE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_duration(text: str) -> timedelta:
    """Parse ``"48h"`` or ``"2d"`` into a timedelta.

    Raises ``ValueError`` with a message fit for the admin when the text is
    not a whole number of hours or days.
    """
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError('invalid time: write whole hours or days, such as "48h" or "2d"')
    number, unit = int(match.group(1)), match.group(2).lower()
    duration = timedelta(hours=number) if unit == "h" else timedelta(days=number)
    if duration > MAX_DURATION:
        raise ValueError(f"time too long: the maximum is {MAX_DURATION.days}d")
    return duration


def format_duration(duration: timedelta) -> str:
    """Format a duration as the policy writes it: whole days as ``"14d"``, else hours ``"36h"``.

    A factor such as 0.3 can give times that are not whole hours. Those come out as
    fractional hours for display only, because ``parse_duration`` rejects them.
    """
    seconds = int(duration.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds / 3600:.2f}h"


def end_of_day(day: date) -> str:
    """Return the stored time text for the end of ``day`` in UTC."""
    return day.isoformat() + END_OF_DAY


def parse_target(text: str, now: datetime) -> str:
    """Parse a review's new target: a date ``YYYY-MM-DD`` (end of that day, UTC) or a time
    from now such as ``"14d"``. Returns the stored time text.

    Raises ``InputError`` for anything else, or for a target that is not in the future.
    """
    text = text.strip()
    if _DATE.fullmatch(text):
        try:
            target = end_of_day(date.fromisoformat(text))
        except ValueError as err:
            raise InputError(f"invalid target date {text!r}: {err}") from err
    else:
        try:
            target = to_text(now + parse_duration(text))
        except ValueError as err:
            raise InputError(f"invalid target {text!r}: write a date such as 2027-03-31 "
                             'or a time from now such as "14d"') from err
    if target <= to_text(now):
        raise InputError(f"target {text!r} is not in the future: give a later date")
    return target


def overdue_days(due_at: str, now: datetime) -> int:
    """Return how many whole days ``due_at`` lies in the past (0 when due within the last day)."""
    due = datetime.strptime(due_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return max(0, (now - due).days)
