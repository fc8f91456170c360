"""Keys are data: every binding has a description, and the help screen lists the active ones."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

import patchtui.tui
from patchtui.tui.app import AREAS, PatchtuiApp
from patchtui.tui.help import HelpScreen
from tests.tui.helpers import make_app, screen_text, settle


def tui_classes() -> list[type[DOMNode]]:
    """Return every app, screen and widget class defined in patchtui.tui."""
    classes = []
    for info in pkgutil.iter_modules(patchtui.tui.__path__):
        module = importlib.import_module(f"patchtui.tui.{info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, DOMNode) and value.__module__ == module.__name__:
                classes.append(value)
    return classes


def test_every_binding_has_description() -> None:
    classes = tui_classes()
    assert PatchtuiApp in classes
    for cls in classes:
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding), f"{cls.__name__}: use Binding(...) for {binding}"
            assert binding.description, f"{cls.__name__}: {binding.key} has no description"


def test_area_keys_are_unique() -> None:
    keys = [area.key for area in AREAS] + ["q", "question_mark", "escape"]
    assert len(keys) == len(set(keys))


async def test_help_lists_active_keys(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(screen_text(app).split())
        for line in ("/ Search", "o Set status", "v Filters", "r Reverse sort"):
            assert line in text, line
        for _ in range(3):
            await pilot.press("pagedown")
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        for line in ("space Select", "q Quit", "a Assets", "s Scans and import",
                     "^p palette"):
            assert line in text, line
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_dialog_keys_stay_in_dialog(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o", "q", "a")  # letters typed into the status dialog's note
        await pilot.pause()
        assert app.is_running
        assert type(app.screen).__name__ == "StatusDialog"


async def test_escape_goes_home_from_areas(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, area in [("a", "assets"), ("s", "scans"), ("x", "exceptions"), ("p", "tasks"),
                          ("d", "overdue"), ("y", "policy")]:
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == area
            await pilot.press("escape")
            await settle(pilot)
            assert app.current_mode == "findings", area


async def test_palette_lists_keys_once(small_db: Path) -> None:
    app = make_app(small_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"finding")
        await settle(pilot)
        await pilot.pause(0.3)
        text = screen_text(app)
        assert text.count("Last finding") == 1, text
        assert text.count("First finding") == 1, text
        assert "key end, G" in text
