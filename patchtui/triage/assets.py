"""The admin's edits to assets: tier, owner and notes, each recorded as an event."""

from __future__ import annotations

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock, to_text
from patchtui.errors import NotFoundError
from patchtui.store.asset_admin import get_asset, update_asset
from patchtui.triage.policy import TIERS
from patchtui.triage.tiers import set_tier

__all__ = ["TIERS", "edit_asset"]

_UNSET = object()


def edit_asset(db: Database, asset_id: int, *, tier: str | None = None,
               owner: str | None | object = _UNSET, notes: str | None | object = _UNSET,
               clock: Clock = system_clock, actor: str | None = None) -> list[str]:
    """Change an asset's tier, owner or notes in one transaction; return the fields that changed.

    Arguments left out keep their value; an empty owner or notes clears it. A
    tier change goes through ``set_tier``, so the due dates and priorities of
    the asset's findings follow it.
    """
    current = get_asset(db, asset_id)
    if current is None:
        raise NotFoundError(f"no asset with id {asset_id}")
    actor = actor or current_actor()

    changes: dict[str, str | None] = {}
    for field, value in (("owner", owner), ("notes", notes)):
        if value is not _UNSET:
            changes[field] = str(value or "").strip() or None

    changed: list[str] = []
    with db.atomic():
        if tier is not None and tier != current["tier"]:
            set_tier(db, [asset_id], tier, clock=clock, actor=actor)
            changed.append("tier")
        changed += update_asset(db, asset_id, changes, at=to_text(clock()), actor=actor)
    return changed
