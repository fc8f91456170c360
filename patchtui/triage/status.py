"""Status changes the admin makes, with their rules."""

from __future__ import annotations

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock, to_text
from patchtui.errors import InputError, NotFoundError
from patchtui.store.exceptions import covering
from patchtui.store.findings import existing_ids
from patchtui.store.triage import change_status

ADMIN_STATUSES = ("open", "in_progress", "patched", "false_positive")
"""Statuses the admin sets by hand. ``fixed`` comes only from a rescan and
``accepted`` only from an exception."""

NOTE_REQUIRED = ("false_positive",)


def _check_covered(covered: dict[int, list[int]]) -> None:
    if not covered:
        return
    if len(covered) == 1:
        finding_id, exception_ids = next(iter(covered.items()))
        which = "exception" if len(exception_ids) == 1 else "exceptions"
        raise InputError(f"finding {finding_id} is covered by {which} "
                         f"{', '.join(map(str, exception_ids))}: revoke the exception first, "
                         "or leave the finding accepted until the exception expires")
    exception_ids = sorted({i for ids in covered.values() for i in ids})
    raise InputError(f"findings {', '.join(map(str, list(covered)[:10]))} are covered by "
                     f"exception {', '.join(map(str, exception_ids[:10]))}: revoke the "
                     "exception first, or leave out the accepted findings")


def set_status(db: Database, finding_ids: list[int], status: str, note: str | None = None, *,
               clock: Clock = system_clock, actor: str | None = None) -> int:
    """Set the status of findings and return how many changed; every change is an event.

    An ``accepted`` finding that an active exception covers keeps its status,
    so the exception stays in force: ``patched`` leaves such findings accepted
    (a rescan that no longer sees one marks it ``fixed`` and records that on
    the exception), and every other status raises ``InputError`` naming the
    exception.
    """
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

    ids = list(dict.fromkeys(finding_ids))
    covered = covering(db, ids)
    if status == "patched":
        ids = [finding_id for finding_id in ids if finding_id not in covered]
    else:
        _check_covered(covered)
    if not ids:
        return 0
    return change_status(db, ids, status, at=to_text(clock()), actor=actor or current_actor(),
                         note=note)
