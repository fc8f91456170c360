"""The patch policy: response times, exception limits, the task checklist and its review date.

The policy lives in the database as one document (the same keys as its TOML
form, see ``patchtui.triage.policy_toml``). Saving a changed policy rewrites
the response-time table the store computes due dates from, recomputes the due
dates of every finding that has one, and records an event, all in one
transaction.

Response time for a severity on a tier: the tier's own time for that severity
when it sets one (``[tiers.<tier>.response]``), else the base time times the
tier's factor, raised to the tier's minimum. ``"none"`` means no due date.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock, to_text
from patchtui.errors import InputError
from patchtui.importers.model import SEVERITIES
from patchtui.store import policy as policy_store
from patchtui.text import plural
from patchtui.triage.due import format_duration, parse_duration

TIERS = ("public", "internal", "dev")
NONE = "none"
"""The word that means "no due date" in a response time."""


@dataclass(frozen=True, slots=True)
class TierRule:
    """Rule by which a tier scales the base response times."""

    factor: float = 1.0
    minimum: timedelta | None = None
    response: dict[str, timedelta | None] = field(default_factory=dict)
    """Times that replace the computed one for some severities; None means no due date."""


DEFAULT_CHECKLIST = (
    "Back up or snapshot",
    "Test on staging",
    "Get approval",
    "Notify users",
    "Deploy in the window",
    "Reboot if needed",
    "Check services",
    "Rescan",
)


@dataclass(frozen=True, slots=True)
class Policy:
    """The whole patch policy."""

    response: dict[str, timedelta | None]
    """Base response time per severity name; None means no due date."""
    tiers: dict[str, TierRule]
    exception_max: timedelta
    """Maximum time an exception may run before it expires."""
    exception_expiring: timedelta
    """How long before its expiry an exception shows as expiring."""
    task_template: tuple[str, ...]
    """Checklist steps a new patch task starts with."""
    review_interval_months: int
    next_review: date
    """When the policy itself is next due for review."""

    def response_time(self, severity: str, tier: str) -> timedelta | None:
        """Return the response time for a severity name on a tier, None for no due date."""
        rule = self.tiers.get(tier, TierRule())
        if severity in rule.response:
            return rule.response[severity]
        base = self.response[severity]
        if base is None:
            return None
        scaled = timedelta(seconds=round(base.total_seconds() * rule.factor))
        if rule.minimum is not None and scaled < rule.minimum:
            return rule.minimum
        return scaled

    def explain_response(self, severity: str, tier: str) -> str:
        """Return how the response time for a severity on a tier comes about, in words."""
        rule = self.tiers.get(tier, TierRule())
        result = self.response_time(severity, tier)
        shown = "no due date" if result is None else format_duration(result)
        if severity in rule.response:
            return f"{severity}, {tier} tier: {shown}, set for the {tier} tier"
        base = self.response[severity]
        if base is None:
            return f"{severity}: no due date"
        steps = format_duration(base)
        if rule.factor != 1.0:
            steps += f" x {rule.factor:g}"
        if rule.minimum is not None:
            steps += f", at least {format_duration(rule.minimum)}"
        if steps == shown:
            return f"{severity}, {tier} tier: {shown}"
        return f"{severity}, {tier} tier: {steps} = {shown}"

    @property
    def exception_max_days(self) -> int:
        """Maximum time an exception may run, in whole days."""
        return self.exception_max.days

    @property
    def exception_expiring_days(self) -> int:
        """How many days before expiry an exception shows as expiring."""
        return self.exception_expiring.days


def add_months(day: date, months: int) -> date:
    """Return ``day`` plus whole months, keeping to the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_policy(today: date) -> Policy:
    """Return the built-in policy, with its first review due a quarter after ``today``."""
    return Policy(
        response={"critical": timedelta(days=2), "high": timedelta(days=2),
                  "medium": timedelta(days=14), "low": timedelta(days=30), "info": None},
        tiers={"public": TierRule(factor=0.5, minimum=timedelta(days=1)),
               "internal": TierRule(factor=1.0),
               "dev": TierRule(factor=2.0)},
        exception_max=timedelta(days=90),
        exception_expiring=timedelta(days=14),
        task_template=DEFAULT_CHECKLIST,
        review_interval_months=3,
        next_review=add_months(today, 3),
    )


# -- document form -------------------------------------------------------------


def _time_text(value: timedelta | None) -> str:
    return NONE if value is None else format_duration(value)


def policy_document(policy: Policy) -> dict[str, Any]:
    """Return the policy as plain data: the TOML layout, times as ``"2d"`` text."""
    tiers: dict[str, Any] = {}
    for name in TIERS:
        rule = policy.tiers.get(name, TierRule())
        entry: dict[str, Any] = {"factor": rule.factor}
        if rule.minimum is not None:
            entry["minimum"] = format_duration(rule.minimum)
        if rule.response:
            entry["response"] = {sev: _time_text(rule.response[sev])
                                 for sev in reversed(SEVERITIES) if sev in rule.response}
        tiers[name] = entry
    return {
        "response": {sev: _time_text(policy.response[sev]) for sev in reversed(SEVERITIES)},
        "tiers": tiers,
        "exceptions": {"max_duration": format_duration(policy.exception_max),
                       "expiring_notice": format_duration(policy.exception_expiring)},
        "review": {"interval_months": policy.review_interval_months,
                   "next_review": policy.next_review.isoformat()},
        "tasks": {"checklist": list(policy.task_template)},
    }


def flatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Return ``{"tiers.public.factor": 0.5, ...}`` for a nested document."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


# -- checking a document -------------------------------------------------------

SECTIONS = ("response", "tiers", "exceptions", "review", "tasks")
TIER_KEYS = ("factor", "minimum", "response")
MAX_FACTOR = 100.0
MAX_STEPS = 40
MAX_STEP_LENGTH = 200


def _literal(value: Any) -> str:
    if isinstance(value, dict):
        return "(a table)"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Reader:
    """Checks one policy document, naming the source, key and value in every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, value: Any, problem: str) -> InputError:
        return InputError(f"{self.source}: {key} = {_literal(value)}: {problem}")

    def table(self, data: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(key, data, "must be a table")
        for name in data:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                raise InputError(f"{self.source}: unknown key {where!r}: expected one of "
                                 f"{', '.join(allowed)}")
        return data

    def duration(self, value: Any, key: str, *, allow_none: bool = False,
                 least: timedelta = timedelta(hours=1)) -> timedelta | None:
        if allow_none and isinstance(value, str) and value.strip().lower() == NONE:
            return None
        if not isinstance(value, str):
            raise self.fail(key, value, 'must be a quoted time such as "48h" or "2d"'
                            + (' or "none"' if allow_none else ""))
        try:
            duration = parse_duration(value)
        except ValueError as err:
            raise self.fail(key, value, str(err) + (' (or "none" for no due date)'
                                                    if allow_none else "")) from err
        if duration < least:
            raise self.fail(key, value, f"must be at least {format_duration(least)}")
        return duration

    def severity_times(self, data: Any, key: str) -> dict[str, timedelta | None]:
        table = self.table(data, key, tuple(reversed(SEVERITIES)))
        return {sev: self.duration(value, f"{key}.{sev}", allow_none=True)
                for sev, value in table.items()}

    def tier(self, data: Any, key: str) -> TierRule:
        table = self.table(data, key, TIER_KEYS)
        factor = table.get("factor", 1.0)
        if isinstance(factor, bool) or not isinstance(factor, int | float) or not (
                0 < factor <= MAX_FACTOR):
            raise self.fail(f"{key}.factor", factor,
                            f"must be a number above 0 and at most {MAX_FACTOR:g}, such as 0.5")
        minimum = None
        if "minimum" in table:
            minimum = self.duration(table["minimum"], f"{key}.minimum")
        response = self.severity_times(table.get("response", {}), f"{key}.response")
        return TierRule(factor=float(factor), minimum=minimum, response=response)

    def review_date(self, value: Any, key: str) -> date:
        if isinstance(value, datetime):
            raise self.fail(key, value, "must be a date without a time, such as 2027-04-01")
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(key, value, "must be a date such as 2027-04-01")

    def checklist(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, value, "must be a non-empty list of quoted steps")
        if len(value) > MAX_STEPS:
            raise self.fail(key, f"{len(value)} steps", f"at most {MAX_STEPS} steps are allowed")
        steps = []
        for index, step in enumerate(value, start=1):
            if not isinstance(step, str) or not step.strip():
                raise self.fail(f"{key}[{index}]", step, "must be a non-empty quoted text")
            if len(step) > MAX_STEP_LENGTH or any(ord(char) < 32 for char in step):
                raise self.fail(f"{key}[{index}]", step, f"must be one line of at most "
                                f"{MAX_STEP_LENGTH} characters")
            steps.append(step.strip())
        return tuple(steps)


def policy_from_document(document: Any, *, source: str, today: date,
                         next_review: date | None = None) -> Policy:
    """Check a policy document (parsed TOML or the stored JSON) and return the policy.

    Settings the document leaves out take the built-in defaults, except the next
    review date, which keeps ``next_review`` (the stored date) when given.
    Raises ``InputError`` naming ``source``, the key and the value of the first
    invalid setting.
    """
    reader = _Reader(source)
    top = reader.table(document, "", SECTIONS)
    base = default_policy(today)

    response = dict(base.response)
    response.update(reader.severity_times(top.get("response", {}), "response"))
    tiers = dict(base.tiers)
    for name, data in reader.table(top.get("tiers", {}), "tiers", TIERS).items():
        tiers[name] = reader.tier(data, f"tiers.{name}")

    exceptions = reader.table(top.get("exceptions", {}), "exceptions",
                              ("max_duration", "expiring_notice"))
    exception_max = base.exception_max
    if "max_duration" in exceptions:
        exception_max = reader.duration(exceptions["max_duration"], "exceptions.max_duration",
                                        least=timedelta(days=1)) or exception_max
    expiring = base.exception_expiring
    if "expiring_notice" in exceptions:
        expiring = reader.duration(exceptions["expiring_notice"], "exceptions.expiring_notice",
                                   least=timedelta(0)) or timedelta(0)
    if expiring > exception_max:
        raise reader.fail("exceptions.expiring_notice", format_duration(expiring),
                          "must not be longer than exceptions.max_duration "
                          f"({format_duration(exception_max)})")

    review = reader.table(top.get("review", {}), "review", ("interval_months", "next_review"))
    interval = review.get("interval_months", base.review_interval_months)
    if isinstance(interval, bool) or not isinstance(interval, int) or not 1 <= interval <= 24:
        raise reader.fail("review.interval_months", interval, "must be a whole number from 1 to 24")
    review_day = next_review or add_months(today, interval)
    if "next_review" in review:
        review_day = reader.review_date(review["next_review"], "review.next_review")

    tasks = reader.table(top.get("tasks", {}), "tasks", ("checklist",))
    checklist = base.task_template
    if "checklist" in tasks:
        checklist = reader.checklist(tasks["checklist"], "tasks.checklist")

    return Policy(response=response, tiers=tiers, exception_max=exception_max,
                  exception_expiring=expiring, task_template=checklist,
                  review_interval_months=interval, next_review=review_day)


# -- reading and saving --------------------------------------------------------


@dataclass(slots=True)
class PolicyChange:
    """Changes that saving a policy made."""

    changes: list[str]
    """One ``key: old -> new`` line per changed setting; empty when nothing changed."""
    due_dates_changed: int = 0


def load_policy(db: Database) -> Policy:
    """Return the policy stored in the database (the defaults when none is stored yet)."""
    stored = policy_store.read_policy_document(db)
    if stored is None:
        return default_policy(date.today())
    return policy_from_document(json.loads(stored), source="the stored policy",
                                today=date.today())


def response_rows(policy: Policy) -> list[tuple[int, str, int | None]]:
    """Return (severity rank, tier, seconds or None) for every severity and tier."""
    rows = []
    for rank, severity in enumerate(SEVERITIES):
        for tier in TIERS:
            time = policy.response_time(severity, tier)
            rows.append((rank, tier, None if time is None else int(time.total_seconds())))
    return rows


def describe_changes(old: Policy | None, new: Policy) -> list[str]:
    """Return ``key: old -> new`` lines for the settings that differ."""
    before = flatten(policy_document(old)) if old is not None else {}
    after = flatten(policy_document(new))
    lines = []
    for key in after.keys() | before.keys():
        if before.get(key) != after.get(key):
            lines.append(f"{key}: {_shown(before.get(key))} -> {_shown(after.get(key))}")
    return sorted(lines)


def _shown(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, list):
        return f"{len(value)} steps"
    return str(value)


def save_policy(db: Database, policy: Policy, *, note: str | None = None,
                clock: Clock = system_clock, actor: str | None = None) -> PolicyChange:
    """Store ``policy``, recompute due dates and record an event; one transaction.

    Saving a policy equal to the stored one changes nothing and records no event.
    """
    old = load_policy(db) if policy_store.read_policy_document(db) is not None else None
    change = PolicyChange(describe_changes(old, policy))
    if not change.changes:
        return change

    at, actor_name = to_text(clock()), actor or current_actor()
    document = json.dumps(policy_document(policy), sort_keys=True)
    with db.atomic():
        old_document = policy_store.read_policy_document(db)
        policy_store.write_policy(db, document, response_rows(policy), at=at, actor=actor_name)
        change.due_dates_changed = policy_store.refresh_due_findings(db)
        summary = "; ".join(change.changes)
        policy_store.add_policy_event(
            db, at=at, actor=actor_name, action="update", old=old_document, new=document,
            note=f"{summary}. Due dates changed for {plural(change.due_dates_changed, 'finding')}."
            + (f" {note}" if note else ""),
        )
    return change


def mark_reviewed(db: Database, *, note: str | None = None, clock: Clock = system_clock,
                  actor: str | None = None) -> Policy:
    """Record that the admin reviewed the policy and move its next review a full interval on."""
    now: datetime = clock()
    policy = load_policy(db)
    reviewed = replace(policy, next_review=add_months(now.date(), policy.review_interval_months))
    at, actor_name = to_text(now), actor or current_actor()
    document = json.dumps(policy_document(reviewed), sort_keys=True)
    with db.atomic():
        policy_store.write_policy(db, document, response_rows(reviewed), at=at, actor=actor_name)
        policy_store.add_policy_event(
            db, at=at, actor=actor_name, action="review", old=policy.next_review.isoformat(),
            new=reviewed.next_review.isoformat(), note=note,
        )
    return reviewed


def policy_review_due(policy: Policy, today: date) -> bool:
    """Return True when the policy's own review date has passed."""
    return policy.next_review < today


def require_tier(tier: str) -> str:
    """Return ``tier`` when it is a known tier, else raise ``InputError``."""
    if tier not in TIERS:
        raise InputError(f"invalid tier {tier!r}: choose one of {', '.join(TIERS)}")
    return tier
