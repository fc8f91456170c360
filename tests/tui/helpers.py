"""Helpers for the TUI tests: the app on a fixed clock, and reading the screen back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from patchtui.tui.app import PatchtuiApp, create_app

NOW = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
ACTOR = "tester"


def fixed_clock() -> datetime:
    """Return the tests' fixed time."""
    return NOW


def make_app(db_path: Path, clock: Callable[[], datetime] = fixed_clock) -> PatchtuiApp:
    """Build the app the way the CLI does, on the tests' clock and actor."""
    return create_app(db_path, clock=clock, actor=ACTOR)


def screen_lines(app: PatchtuiApp) -> list[str]:
    """Return the text of every line on screen, as the terminal would show it.

    NOTE: this reads Textual's compositor, a private API, because Textual has
    no public way to read back the rendered screen as text.
    """
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app: PatchtuiApp) -> str:
    """Return the whole screen as one string, lines joined by newlines."""
    return "\n".join(screen_lines(app))


async def settle(pilot) -> None:
    """Wait for the app's counting, import and asset workers to finish, then for a repaint.

    The directory tree's loader is a worker that never ends, so waiting for
    every worker would hang while the import dialog is open.
    """
    await pilot.pause()  # lets a screen that just opened start its workers
    while True:
        workers = [worker for worker in pilot.app.workers
                   if worker.group in ("count", "import", "assets") and not worker.is_finished]
        if not workers:  # an empty list would mean every worker
            break
        await pilot.app.workers.wait_for_complete(workers)
    await pilot.pause()
