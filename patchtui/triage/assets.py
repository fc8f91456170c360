"""The admin's edits to assets: tier, owner and notes, each recorded as an event."""

from __future__ import annotations

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock, to_text
from patchtui.errors import InputError, NotFoundError
from patchtui.store.asset_admin import get_asset, update_asset

TIERS = ("public", "internal", "dev")
"""How exposed an asset is: internet-facing, internal (the default), or development."""

_UNSET = object()


def edit_asset(db: Database, asset_id: int, *, tier: str | None = None,
               owner: str | None | object = _UNSET, notes: str | None | object = _UNSET,
               clock: Clock = system_clock, actor: str | None = None) -> list[str]:
    """Change an asset's tier, owner or notes and return the fields that changed.

    Arguments left out keep their value; an empty owner or notes clears it.
    """
    if tier is not None and tier not in TIERS:
        raise InputError(f"invalid tier {tier!r}: choose one of {', '.join(TIERS)}")
    if get_asset(db, asset_id) is None:
        raise NotFoundError(f"no asset with id {asset_id}")

    changes: dict[str, str | None] = {}
    if tier is not None:
        changes["tier"] = tier
    for field, value in (("owner", owner), ("notes", notes)):
        if value is not _UNSET:
            changes[field] = str(value or "").strip() or None
    return update_asset(db, asset_id, changes, at=to_text(clock()), actor=actor or current_actor())
