"""Risk exceptions: validating them and their life cycle (create, extend, revoke, expire).

An exception covers chosen findings, or a rule that also covers findings
later scans bring in: one scanner check on chosen assets, one check
everywhere, or everything on chosen assets. Covered findings are
``accepted``. Expiry dates are days in UTC: an exception covers through the
end of its last day and lapses at the next midnight UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock, to_text
from patchtui.errors import InputError, NotFoundError
from patchtui.store import exceptions as store
from patchtui.store.migrations.m0004_exceptions_tasks import RESIDUAL_RISKS
from patchtui.text import plural
from patchtui.triage.policy import load_policy

SCANNERS = ("nessus", "openvas")
STATES = ("active", "expiring", "expired", "revoked")
"""How the exceptions view groups exceptions; ``expiring`` is active and within the window."""


@dataclass(slots=True)
class Scope:
    """What an exception covers.

    ``kind`` is ``findings`` (the ids in ``finding_ids``), ``vulnerability``
    (the check ``scanner``/``plugin_id`` on ``hosts``, or everywhere when
    ``hosts`` is empty) or ``asset`` (everything on ``hosts``).
    """

    kind: str
    finding_ids: tuple[int, ...] = ()
    scanner: str | None = None
    plugin_id: str | None = None
    hosts: tuple[str, ...] = ()
    asset_ids: tuple[int, ...] = ()
    """Asset ids, for callers (the TUI) that already have them; added to ``hosts``."""


@dataclass(slots=True)
class ExceptionDraft:
    """What the admin enters for a new exception."""

    title: str
    risk_note: str
    residual_risk: str
    approved_by: str
    expires: str
    """Last day covered, ``YYYY-MM-DD``."""
    controls: str | None = None
    requested_by: str | None = None
    """Defaults to the OS user."""


@dataclass(slots=True)
class Outcome:
    """The result of a change: the exception, how many findings changed, and warnings."""

    exception_id: int
    changed: int = 0
    warnings: list[str] = field(default_factory=list)
    old_expires_on: str | None = None
    """The expiry date before an extension or shortening; None for other changes."""
    expires_on: str | None = None
    """The expiry date after an extension or shortening; None for other changes."""


def today_of(clock: Clock) -> date:
    """Return the clock's current day in UTC."""
    return clock().date()


def parse_date(text: str, what: str = "expiry date") -> date:
    """Parse ``YYYY-MM-DD``, raising InputError with the value on failure."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as err:
        raise InputError(f"invalid {what} {text!r}: write it as YYYY-MM-DD") from err


def max_days(db: Database) -> int:
    """Return the longest an exception may run under the policy, in days from today."""
    return load_policy(db).exception_max_days


def expiring_days(db: Database) -> int:
    """Return how many days before its last day the policy lists an exception as expiring."""
    return load_policy(db).exception_expiring_days


def check_expiry(expires: str, today: date, max_days: int) -> str:
    """Return the expiry as ``YYYY-MM-DD`` after checking it is neither past nor beyond the cap."""
    day = parse_date(expires)
    if day < today:
        raise InputError(f"the expiry date {day} is in the past (today is {today}, UTC)")
    limit = today + timedelta(days=max_days)
    if day > limit:
        raise InputError(
            f"the expiry date {day} is more than {max_days} days away; the policy allows "
            f"exceptions up to {limit} (extend it again later)"
        )
    return day.isoformat()


def parse_plugin(text: str) -> tuple[str, str]:
    """Split ``SCANNER:ID`` (for example ``nessus:97833``) into scanner and check id."""
    scanner, sep, plugin_id = text.partition(":")
    scanner, plugin_id = scanner.strip().lower(), plugin_id.strip()
    if not sep or scanner not in SCANNERS or not plugin_id:
        raise InputError(
            f"invalid vulnerability {text!r}: write SCANNER:ID with a scanner of "
            f"{' or '.join(SCANNERS)}, for example nessus:97833"
        )
    return scanner, plugin_id


def _required(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InputError(f"{what} is required")
    return text


def resolve_hosts(db: Database, hosts: tuple[str, ...]) -> list[int]:
    """Return the asset ids named by ``hosts`` (IP address or host name), each exactly once."""
    asset_ids: list[int] = []
    for host in hosts:
        matches = store.assets_named(db, host)
        if not matches:
            raise NotFoundError(f"no asset has the address or name {host!r}; check the assets list")
        if len(matches) > 1:
            raise InputError(f"{len(matches)} assets are named {host!r}; give the IP address")
        asset_ids.append(matches[0])
    return list(dict.fromkeys(asset_ids))


def _scope_record(db: Database, scope: Scope) -> tuple[store.NewException, list[str]]:
    """Check a scope and return its part of the record, with warnings."""
    warnings: list[str] = []
    asset_ids = list(dict.fromkeys([*scope.asset_ids, *resolve_hosts(db, scope.hosts)]))
    template = store.NewException("", "", None, "", "", "", "", scope.kind)

    if scope.kind == "findings":
        ids = list(dict.fromkeys(scope.finding_ids))
        if not ids:
            raise InputError("choose at least one finding for the exception")
        statuses = store.finding_statuses(db, ids)
        missing = [str(i) for i in ids if i not in statuses]
        if missing:
            raise NotFoundError(f"no finding with id {', '.join(missing[:10])}")
        closed = [f"{i} is {statuses[i]}" for i in ids
                  if statuses[i] not in ("accepted", *store.COVERABLE)]
        if closed:
            raise InputError("an exception covers only open, in-progress or accepted findings: "
                             f"finding {', '.join(closed[:10])}")
        template.finding_ids = tuple(ids)
    elif scope.kind == "vulnerability":
        if not scope.scanner or not scope.plugin_id:
            raise InputError("a vulnerability rule needs a scanner and a check id")
        template.scanner, template.plugin_id = scope.scanner, scope.plugin_id
        template.asset_ids = tuple(asset_ids)
        if not store.vulnerability_exists(db, scope.scanner, scope.plugin_id):
            warnings.append(f"no imported scan has reported {scope.scanner}:{scope.plugin_id} "
                            "yet; the rule covers it when a later scan does")
    elif scope.kind == "asset":
        if not asset_ids:
            raise InputError("an asset rule needs at least one asset")
        template.asset_ids = tuple(asset_ids)
    else:
        raise InputError(f"invalid scope {scope.kind!r}: choose findings, vulnerability or asset")
    return template, warnings


def create_exception(db: Database, draft: ExceptionDraft, scope: Scope, *,
                     clock: Clock = system_clock, actor: str | None = None) -> Outcome:
    """Validate and record an exception, accepting the findings its scope covers now.

    Raises InputError or NotFoundError and writes nothing when a value is
    invalid. A rule that matches no finding yet is recorded with a warning.
    """
    title = _required(draft.title, "a title")
    risk_note = _required(draft.risk_note, "a risk note (why the risk is accepted)")
    approved_by = _required(draft.approved_by, "the name of whoever approved it")
    if draft.residual_risk not in RESIDUAL_RISKS:
        raise InputError(f"invalid residual risk {draft.residual_risk!r}: choose one of "
                         f"{', '.join(RESIDUAL_RISKS)}")
    expires_on = check_expiry(draft.expires, today_of(clock), max_days(db))
    record, warnings = _scope_record(db, scope)
    actor = actor or current_actor()
    record.title, record.risk_note, record.approved_by = title, risk_note, approved_by
    record.controls = (draft.controls or "").strip() or None
    record.residual_risk, record.expires_on = draft.residual_risk, expires_on
    record.requested_by = (draft.requested_by or "").strip() or actor

    exception_id, changed = store.insert_exception(db, record, at=to_text(clock()), actor=actor)
    if not warnings and record.scope != "findings" and not store.linked_findings(db, exception_id):
        warnings.append("the rule matches no open finding now; it covers matching findings "
                        "that later scans bring in")
    return Outcome(exception_id, changed, warnings)


def _existing(db: Database, exception_id: int) -> dict[str, Any]:
    row = store.get_exception(db, exception_id)
    if row is None:
        raise NotFoundError(f"no exception with id {exception_id}")
    return row


def extend_exception(db: Database, exception_id: int, expires: str, note: str, *,
                     clock: Clock = system_clock, actor: str | None = None) -> Outcome:
    """Give an active or expired exception a new expiry date; an expired one covers again.

    An earlier date than the current one is allowed: it shortens the exception,
    and the event's action is ``shorten`` in place of ``extend``.
    """
    expire_due(db, clock=clock, actor=actor)
    row = _existing(db, exception_id)
    if row["state"] == "revoked":
        raise InputError(f"exception {exception_id} is revoked; record a new exception instead")
    note = _required(note, "a note saying why the expiry date changes")
    expires_on = check_expiry(expires, today_of(clock), max_days(db))
    if expires_on == row["expires_on"] and row["state"] == "active":
        raise InputError(f"exception {exception_id} already expires on {expires_on}")
    changed = store.extend(db, exception_id, expires_on, note, at=to_text(clock()),
                           actor=actor or current_actor())
    return Outcome(exception_id, changed, old_expires_on=row["expires_on"], expires_on=expires_on)


def expiry_change(outcome: Outcome) -> str:
    """Describe the outcome of ``extend_exception``, such as
    ``shortened (expiry changed from 2027-04-30 to 2027-03-31)``."""
    old, new = outcome.old_expires_on, outcome.expires_on
    verb = "shortened" if old is not None and new is not None and new < old else "extended"
    return f"{verb} (expiry changed from {old} to {new})"


def revoke_exception(db: Database, exception_id: int, note: str | None = None, *,
                     clock: Clock = system_clock, actor: str | None = None) -> Outcome:
    """Revoke an exception with a note saying why; the findings it covered go back to ``open``."""
    row = _existing(db, exception_id)
    if row["state"] == "revoked":
        raise InputError(f"exception {exception_id} is already revoked")
    note = _required(note, "a note saying why the exception is revoked")
    changed = store.revoke(db, exception_id, note, at=to_text(clock()),
                           actor=actor or current_actor())
    return Outcome(exception_id, changed)


def expire_due(db: Database, *, clock: Clock = system_clock, actor: str | None = None) -> list[int]:
    """Expire every active exception whose last day has passed; return their ids.

    Call it whenever the database is opened and before findings are listed;
    it needs no scheduler because the state follows from the clock.
    """
    now = clock()
    return store.expire_overdue(db, today=now.date().isoformat(), at=to_text(now),
                                actor=actor or current_actor())


def view_state(row: dict[str, Any], today: date, soon_days: int) -> str:
    """Return the state the exceptions view shows: active, expiring, expired or revoked."""
    if row["state"] != "active":
        return str(row["state"])
    if date.fromisoformat(row["expires_on"]) <= today + timedelta(days=soon_days):
        return "expiring"
    return "active"


def days_left(row: dict[str, Any], today: date) -> int:
    """Return the days from ``today`` to the exception's last day (0 on the last day itself)."""
    return (date.fromisoformat(row["expires_on"]) - today).days


def all_fixed(row: dict[str, Any]) -> bool:
    """Return whether every finding the exception covered has been verified fixed."""
    return bool(row["linked"]) and row["fixed"] == row["linked"]


def list_exceptions(db: Database, *, clock: Clock = system_clock,
                    states: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Expire what is due, then return exceptions (soonest expiry first) with their view state."""
    expire_due(db, clock=clock)
    today = today_of(clock)
    soon_days = expiring_days(db)
    rows = []
    for row in store.list_exceptions(db):
        row["view_state"] = view_state(row, today, soon_days)
        row["days_left"] = days_left(row, today)
        row["all_fixed"] = all_fixed(row)
        if not states or row["view_state"] in states:
            rows.append(row)
    return rows


def describe_scope(row: dict[str, Any]) -> str:
    """Return one line saying what an exception covers."""
    assets = ", ".join(row["assets"])
    if row["scope"] == "findings":
        return f"the {plural(row['linked'], 'chosen finding')}"
    if row["scope"] == "vulnerability":
        where = f"on {assets}" if assets else "on every asset"
        return f"{row['scanner']}:{row['plugin_id']} {where}"
    return f"everything on {assets}"


@dataclass(slots=True)
class ScopeChoice:
    """One way to scope an exception over chosen findings, with its label for a menu."""

    label: str
    scope: Scope


def scope_choices(db: Database, finding_ids: list[int]) -> list[ScopeChoice]:
    """Return the scopes that fit a selection of findings, the chosen findings first.

    A selection of one check offers that check on the selected assets and
    everywhere; a selection on one asset offers everything on that asset.
    """
    facts = store.finding_facts(db, finding_ids)
    if not facts:
        return []
    ids = tuple(fact["id"] for fact in facts)
    count = len(ids)
    choices = [ScopeChoice(f"only the {count} chosen finding{'s' if count != 1 else ''}",
                           Scope("findings", finding_ids=ids))]

    checks = {(fact["scanner"], fact["plugin_id"]) for fact in facts}
    assets = dict.fromkeys((fact["asset_id"], fact["host"]) for fact in facts)
    if len(checks) == 1:
        scanner, plugin_id = next(iter(checks))
        hosts = [host for _, host in assets]
        named = ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
        choices.append(ScopeChoice(f"{scanner}:{plugin_id} on {named}, also in later scans",
                                   Scope("vulnerability", scanner=scanner, plugin_id=plugin_id,
                                         asset_ids=tuple(asset for asset, _ in assets))))
        choices.append(ScopeChoice(f"{scanner}:{plugin_id} on every asset, also in later scans",
                                   Scope("vulnerability", scanner=scanner, plugin_id=plugin_id)))
    if len(assets) == 1:
        asset_id, host = next(iter(assets))
        choices.append(ScopeChoice(f"everything on {host}, also in later scans",
                                   Scope("asset", asset_ids=(asset_id,))))
    return choices
