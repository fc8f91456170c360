"""Opening the terminal interface."""

from __future__ import annotations

from pathlib import Path

from patchtui.commands.common import fail


def run_tui(db_path: Path | None) -> None:
    """Open the TUI on the database."""
    fail("the terminal interface is not available yet; use 'patchtui findings'")
