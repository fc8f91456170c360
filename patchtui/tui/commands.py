"""The command palette's patchtui commands: areas, the current screen's keys, and hosts."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from patchtui.store.asset_admin import asset_labels
from patchtui.tui.plain import one_line

if TYPE_CHECKING:
    from patchtui.tui.app import PatchtuiApp

HOST_LIMIT = 2000
"""Most hosts the palette offers; beyond that, filter the findings list by host instead."""


class PatchtuiCommands(Provider):
    """Go to an area, run a key of the current screen, or list a host's findings."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        from patchtui.tui.app import AREAS

        app: PatchtuiApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, Callable[[], Any], str]] = [
            (f"Go to {area.description.lower()}", partial(app.action_area, area.name),
             f"key {area.key}") for area in AREAS
        ]
        # One binding such as "up,k" is one entry per key in active_bindings; the palette
        # lists it once, with all its keys.
        keys: dict[tuple[str, str, int], list[str]] = {}
        runs: dict[tuple[str, str, int], Callable[[], Any]] = {}
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if binding.system or not binding.description or binding.action.startswith("area("):
                continue
            entry = (binding.description, binding.action, id(active.node))
            runs.setdefault(entry, partial(app.run_action, binding.action, active.node))
            display = binding.key_display or key
            if display not in keys.setdefault(entry, []):
                keys[entry].append(display)
        for entry, run in runs.items():
            commands.append((entry[0], run, "key " + ", ".join(keys[entry])))
        return commands

    def _host_commands(self) -> list[tuple[str, Callable[[], Any]]]:
        app: PatchtuiApp = self.app  # type: ignore[assignment]
        hosts = []
        for asset_id, key, name in asset_labels(app.db, HOST_LIMIT):
            label = f"Findings on {one_line(key)}" + (f" ({one_line(name)})" if name else "")
            hosts.append((label, partial(app.show_asset_findings, asset_id, label)))
        return hosts

    async def discover(self) -> Hits:
        for text, command, help_text in self._commands():
            yield DiscoveryHit(Content(text), command, text=text, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        candidates = [(text, command, help_text) for text, command, help_text in self._commands()]
        candidates += [(text, command, None) for text, command in self._host_commands()]
        for text, command, help_text in candidates:
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, self._highlight(query, text), command, text=text, help=help_text)

    def _highlight(self, query: str, text: str) -> Content:
        """Highlight the matched letters without reading ``text`` as markup.

        ``Matcher.highlight`` parses its candidate as markup, which host names must never be.
        """
        content = Content(text)
        matcher = self.matcher(query)
        score, offsets = matcher.fuzzy_search.match(matcher.query, text)
        if score and matcher.match_style is not None:
            for offset in offsets:
                content = content.stylize(matcher.match_style, offset, offset + 1)
        return content
