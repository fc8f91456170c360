"""The overdue review: the admin's decision on each finding past its due date.

Every review is an event on the finding (action ``overdue_review``, old: the
missed due date, new: the decision) and sets ``findings.reviewed_at``. The
decisions:

- ``keep``: keep working, with a new target date that becomes the finding's
  due date. A target further away than the longest exception the policy
  allows needs an exception instead.
- ``exception``: the risk is to be accepted. The review records the decision
  only; the finding stays overdue until an exception covers it. The TUI writes
  this review only once the exception form is saved, so a cancelled form
  leaves no review behind.
- ``false_positive``: the finding is not real; its status changes with the
  review's note as the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock, to_text
from patchtui.errors import InputError, NotFoundError
from patchtui.store.findings import FindingFilter, existing_ids
from patchtui.store.policy import overdue_ids, write_review
from patchtui.store.triage import change_status
from patchtui.triage.due import parse_target
from patchtui.triage.policy import load_policy

DECISIONS = {
    "keep": "Keep working, with a new target date",
    "exception": "Raise an exception (accept the risk)",
    "false_positive": "Mark as false positive",
}
"""Review decisions and their descriptions, in the order a form offers them."""


@dataclass(slots=True)
class ReviewResult:
    """Outcome of one overdue review."""

    reviewed: int
    decision: str
    target_at: str | None = None


def overdue_filter(now: datetime, base: FindingFilter | None = None) -> FindingFilter:
    """Return ``base`` (or an empty filter) narrowed to findings past their due date at ``now``."""
    where = base or FindingFilter()
    where.extra_where.append("f.due_at < ?")
    where.extra_params.append(to_text(now))
    return where


def _check_target(decision: str, target: str | None, now: datetime, db: Database) -> str | None:
    if decision != "keep":
        if target:
            raise InputError(f"a target date goes with the decision 'keep' only, not {decision!r}")
        return None
    if not target or not target.strip():
        raise InputError("the decision 'keep' needs a new target date, such as 2027-03-31 or 14d")
    target_at = parse_target(target, now)
    longest = load_policy(db).exception_max
    if target_at > to_text(now + longest):
        raise InputError(
            f"target {target!r} is more than {longest.days} days away, the longest exception "
            "the policy allows: choose an earlier date or raise an exception")
    return target_at


@dataclass(slots=True)
class ReviewPlan:
    """A checked overdue review, not yet written: ``due`` maps each finding to its missed due date."""

    due: dict[int, str]
    decision: str
    note: str
    at: str
    actor: str
    target_at: str | None = None


def plan_review(db: Database, finding_ids: list[int], decision: str, note: str, *,
                target: str | None = None, clock: Clock = system_clock,
                actor: str | None = None) -> ReviewPlan:
    """Check an overdue review of findings without writing anything.

    Raises ``InputError`` for an unknown decision, a missing note, a target that
    does not fit the decision, or a finding that is not overdue. Raises
    ``NotFoundError`` for an unknown id.
    """
    if decision not in DECISIONS:
        raise InputError(f"invalid decision {decision!r}: choose one of {', '.join(DECISIONS)}")
    note = (note or "").strip()
    if not note:
        raise InputError("a review needs a note: say why the finding is late and what happens next")
    ids = list(dict.fromkeys(int(finding_id) for finding_id in finding_ids))
    if not ids:
        raise InputError("no findings given")
    missing = sorted(set(ids) - existing_ids(db, ids))
    if missing:
        raise NotFoundError(f"no finding with id {', '.join(map(str, missing[:10]))}")

    now = clock()
    at = to_text(now)
    due = overdue_ids(db, ids, at)
    not_overdue = [finding_id for finding_id in ids if finding_id not in due]
    if not_overdue:
        raise InputError(f"finding {', '.join(map(str, not_overdue[:10]))} is not overdue: only "
                         "findings past their due date are reviewed")
    target_at = _check_target(decision, target, now, db)
    return ReviewPlan(due, decision, note, at, actor or current_actor(), target_at)


def record_review(db: Database, plan: ReviewPlan) -> ReviewResult:
    """Write a checked review in one transaction.

    The findings need not be overdue any more, so a review whose decision was
    ``exception`` can be recorded after the exception that accepts the findings
    is saved.
    """
    recorded = f"keep until {plan.target_at}" if plan.target_at else plan.decision
    with db.atomic():
        write_review(db, plan.due, at=plan.at, actor=plan.actor, decision=recorded,
                     note=plan.note, target_at=plan.target_at)
        if plan.decision == "false_positive":
            change_status(db, list(plan.due), "false_positive", at=plan.at, actor=plan.actor,
                          note=f"overdue review: {plan.note}")
    return ReviewResult(len(plan.due), plan.decision, plan.target_at)


def review_overdue(db: Database, finding_ids: list[int], decision: str, note: str, *,
                   target: str | None = None, clock: Clock = system_clock,
                   actor: str | None = None) -> ReviewResult:
    """Check and record an overdue review of findings in one transaction.

    Raises as ``plan_review`` does; nothing is written when it raises.
    """
    plan = plan_review(db, finding_ids, decision, note, target=target, clock=clock, actor=actor)
    return record_review(db, plan)
