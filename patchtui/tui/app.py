"""The patchtui application: its areas, their keys and the app factory.

Areas
-----
Each top-level screen is an *area*: a Textual mode with its own screen stack,
reached from anywhere (outside dialogs) by one key, listed in the help and in
the command palette. To add a screen:

1. write it as a ``Screen`` subclass in its own module under ``patchtui/tui/``,
   with its own stylesheet (``CSS_PATH = "exceptions.tcss"``) and ``BINDINGS``
   that all carry a description (a test checks this);
2. add one ``Area`` line to ``AREAS`` below, with a free key.

Screens reach the database through ``self.app.db`` (a connection for the
main thread), worker threads open their own with ``open_db(self.app.db_path,
migrate_schema=False)``, and the time of any change comes from
``self.app.clock``, the actor from ``self.app.actor``. Screens that show
findings changed elsewhere refresh in ``on_screen_resume``. Report text goes
through ``patchtui.tui.plain`` and messages through ``self.app.say``, never
through markup.

App keys: ``q`` quit, ``?`` help, ``escape`` back (home to the findings from an area's
top screen), ``ctrl+p`` command palette,
and one key per area (``f`` findings, ``a`` assets, ``s`` scans, ``x`` exceptions,
``p`` patch tasks, ``d`` overdue review, ``y`` policy).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

from patchtui.clock import Clock, current_actor, system_clock
from patchtui.store import open_db
from patchtui.text import visible
from patchtui.tui.commands import PatchtuiCommands
from patchtui.tui.help import HelpScreen


@dataclass(frozen=True, slots=True)
class Area:
    """A top-level screen, its key, and where its class lives."""

    name: str
    """Mode name, also used in the command palette."""
    key: str
    description: str
    screen: str
    """``module:Class`` of the screen, imported when the area first opens."""


AREAS: tuple[Area, ...] = (
    Area("findings", "f", "Findings", "patchtui.tui.findings:FindingsScreen"),
    Area("assets", "a", "Assets", "patchtui.tui.assets:AssetsScreen"),
    Area("scans", "s", "Scans and import", "patchtui.tui.scans:ScansScreen"),
    Area("exceptions", "x", "Exceptions", "patchtui.tui.exceptions:ExceptionsScreen"),
    Area("tasks", "p", "Patch tasks", "patchtui.tui.tasks:TasksScreen"),
    Area("overdue", "d", "Overdue review", "patchtui.tui.overdue:OverdueScreen"),
    Area("policy", "y", "Policy and threat data", "patchtui.tui.policy:PolicyScreen"),
)
"""Every area, in the order the help and the palette list them; the first opens at start."""


_SCREEN_BASE_ACTIONS = {Binding(*b).action if isinstance(b, tuple) else b.action
                        for b in Screen.BINDINGS}
"""Actions every Textual screen binds (focus moves, copy); the help lists them last."""


def _screen_factory(area: Area) -> Callable[[], Screen]:
    module_name, class_name = area.screen.split(":")

    def build() -> Screen:
        return getattr(importlib.import_module(module_name), class_name)()

    return build


class PatchtuiApp(App[None]):
    """The terminal interface over one patchtui database."""

    TITLE = "patchtui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {PatchtuiCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("escape", "back", "Back", show=False),
        *(Binding(area.key, f"area('{area.name}')", area.description, show=False)
          for area in AREAS),
    ]

    def __init__(self, db_path: Path, *, db: Database, clock: Clock = system_clock,
                 actor: str | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.db = db
        self.clock = clock
        self.actor = actor or current_actor()
        for area in AREAS:
            self.add_mode(area.name, _screen_factory(area))

    def on_mount(self) -> None:
        self.switch_mode(AREAS[0].name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Letters typed in a dialog must not switch areas or quit behind it.
        if action in ("area", "quit", "back") and isinstance(self.screen, ModalScreen):
            return False
        return True

    def action_area(self, name: str) -> None:
        """Switch to an area, keeping the screens it had open."""
        self.switch_mode(name)

    def action_back(self) -> None:
        """Close the screen on top, or from the top screen of an area go home to the findings."""
        if len(self.screen_stack) > 1:
            self.pop_screen()
        elif self.current_mode != AREAS[0].name:
            self.switch_mode(AREAS[0].name)

    def action_help(self) -> None:
        """Show the keys active on the current screen: its own, the focused widget's, the app's."""
        screen = self.screen
        groups: dict[tuple[int, str], list[str]] = {}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if binding.system or not binding.description:
                continue
            if active.node is self:
                rank = 2
            elif active.node is screen:
                rank = 3 if binding.action in _SCREEN_BASE_ACTIONS else 0
            else:
                rank = 1
            display = binding.key_display or self.get_key_display(binding.with_key(key))
            groups.setdefault((rank, binding.description), []).append(display)
        keys = [(", ".join(displays), description)
                for (_, description), displays in sorted(groups.items(), key=lambda item: item[0][0])]
        self.push_screen(HelpScreen(type(screen).__name__.removesuffix("Screen"), keys,
                                    getattr(screen, "HELP_NOTES", "")))

    def show_asset_findings(self, asset_id: int, title: str) -> None:
        """Open a findings list limited to one asset."""
        from patchtui.store.pages import ListQuery
        from patchtui.tui.findings import FindingsScreen

        self.push_screen(FindingsScreen(ListQuery(asset_id=asset_id), title=title))

    def say(self, message: str, *, severity: SeverityLevel = "information") -> None:
        """Show a notification; report text in ``message`` is shown literally."""
        self.notify(visible(message), severity=severity, markup=False)


def create_app(db_path: Path | str, *, clock: Clock = system_clock, actor: str | None = None
               ) -> PatchtuiApp:
    """Open (creating and migrating if needed) the database at ``db_path`` and build the app.

    Opening the database also expires the exceptions whose last day is before ``clock``'s day.
    """
    path = Path(db_path)
    return PatchtuiApp(path, db=open_db(path, clock=clock), clock=clock, actor=actor)
