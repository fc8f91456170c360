"""Typed access to the running patchtui app from its screens and widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from patchtui.tui.app import PatchtuiApp


class UsesApp:
    """Mixin for screens and widgets that use the app's database, clock or actor."""

    @property
    def patchtui(self) -> PatchtuiApp:
        """The running app, typed."""
        return self.app  # type: ignore[attr-defined,no-any-return]
