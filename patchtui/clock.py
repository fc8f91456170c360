"""Time in one place, so tests and the TUI can run on a clock they control."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def system_clock() -> datetime:
    """Return the current time in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def to_text(moment: datetime) -> str:
    """Format an aware datetime as the ISO 8601 UTC text the database stores."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware datetime")
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def from_text(text: str) -> datetime:
    """Parse the database's ISO 8601 UTC text back into an aware datetime."""
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)


def current_actor() -> str:
    """Return the OS user name recorded as the actor of every change."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or f"uid-{os.getuid()}"
