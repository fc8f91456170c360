"""Tier changes in bulk, with due dates and priorities following in the same transaction."""

from __future__ import annotations

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock, to_text
from patchtui.errors import InputError, NotFoundError
from patchtui.store.assets import change_tier, existing_asset_ids
from patchtui.triage.policy import require_tier


def set_tier(db: Database, asset_ids: list[int], tier: str, note: str | None = None, *,
             clock: Clock = system_clock, actor: str | None = None) -> int:
    """Set the tier of assets and return how many changed.

    Each change is an event, and the due dates and priorities of the assets'
    findings follow the new tier in the same transaction.
    """
    require_tier(tier)
    if not asset_ids:
        raise InputError("no assets given")
    ids = list(dict.fromkeys(int(asset_id) for asset_id in asset_ids))
    missing = sorted(set(ids) - existing_asset_ids(db, ids))
    if missing:
        raise NotFoundError(f"no asset with id {', '.join(map(str, missing[:10]))}")
    return change_tier(db, ids, tier, at=to_text(clock()), actor=actor or current_actor(),
                       note=(note or "").strip() or None)
