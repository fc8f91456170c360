"""Status changes the admin makes, with their rules."""

from __future__ import annotations

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock, to_text
from patchtui.errors import InputError, NotFoundError
from patchtui.store.findings import existing_ids
from patchtui.store.triage import change_status

ADMIN_STATUSES = ("open", "in_progress", "patched", "false_positive")
"""Statuses the admin sets by hand. ``fixed`` comes only from a rescan and
``accepted`` only from an exception."""

NOTE_REQUIRED = ("false_positive",)


def set_status(db: Database, finding_ids: list[int], status: str, note: str | None = None, *,
               clock: Clock = system_clock, actor: str | None = None) -> int:
    """Set the status of findings and return how many changed; every change is an event."""
    if status not in ADMIN_STATUSES:
        raise InputError(
            f"invalid status {status!r}: choose one of {', '.join(ADMIN_STATUSES)} "
            "(fixed comes from a rescan, accepted from an exception)"
        )
    note = (note or "").strip() or None
    if status in NOTE_REQUIRED and note is None:
        raise InputError(f"a note is required to mark a finding {status}: say why it is not real")
    if not finding_ids:
        raise InputError("no findings given")
    missing = sorted(set(finding_ids) - existing_ids(db, finding_ids))
    if missing:
        raise NotFoundError(f"no finding with id {', '.join(map(str, missing[:10]))}")
    return change_status(db, list(dict.fromkeys(finding_ids)), status, at=to_text(clock()),
                         actor=actor or current_actor(), note=note)
