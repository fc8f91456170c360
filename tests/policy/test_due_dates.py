"""Due dates: every severity on every tier, hours and days, tier changes, reopening,
status changes and policy changes, on records built by importing small reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from patchtui.store.triage import change_status
from patchtui.triage.policy import TierRule, load_policy, save_policy
from patchtui.triage.status import set_status
from patchtui.triage.tiers import set_tier
from tests.policy.conftest import asset_id, events, finding
from tests.reports import Host, Item, day

SEVERITY_NUMBERS = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

# First seen 2026-11-01T02:00:00Z. Defaults: critical and high 2d, medium 14d, low 30d,
# info none; public halves (at least 1d), dev doubles.
DEFAULT_DUE = [
    ("critical", "public", "2026-11-02T02:00:00Z"),
    ("critical", "internal", "2026-11-03T02:00:00Z"),
    ("critical", "dev", "2026-11-05T02:00:00Z"),
    ("high", "public", "2026-11-02T02:00:00Z"),
    ("high", "internal", "2026-11-03T02:00:00Z"),
    ("high", "dev", "2026-11-05T02:00:00Z"),
    ("medium", "public", "2026-11-08T02:00:00Z"),
    ("medium", "internal", "2026-11-15T02:00:00Z"),
    ("medium", "dev", "2026-11-29T02:00:00Z"),
    ("low", "public", "2026-11-16T02:00:00Z"),
    ("low", "internal", "2026-12-01T02:00:00Z"),
    ("low", "dev", "2026-12-31T02:00:00Z"),
    ("info", "public", None),
    ("info", "internal", None),
    ("info", "dev", None),
]


def one_finding(scan, db, severity: str, tier: str, clock):
    scan([Host("10.0.0.1", [Item("1001", severity=SEVERITY_NUMBERS[severity])])], day(1))
    if tier != "internal":
        set_tier(db, [asset_id(db, "10.0.0.1")], tier, clock=clock, actor="tester")
    return finding(db, "1001")


@pytest.mark.parametrize(("severity", "tier", "due_at"), DEFAULT_DUE)
def test_default_due_date(scan, db, clock, severity, tier, due_at):
    assert one_finding(scan, db, severity, tier, clock)["due_at"] == due_at


# Critical 36h and high 12h, with public at half (at least 1d) and dev at double.
HOURS_DUE = [
    ("critical", "public", "2026-11-02T02:00:00Z"),   # 18h, raised to the 1d minimum
    ("critical", "internal", "2026-11-02T14:00:00Z"),  # 36h
    ("critical", "dev", "2026-11-04T02:00:00Z"),       # 72h
    ("high", "public", "2026-11-02T02:00:00Z"),       # 6h, raised to 1d
    ("high", "internal", "2026-11-01T14:00:00Z"),     # 12h
    ("high", "dev", "2026-11-02T02:00:00Z"),          # 24h
]


@pytest.mark.parametrize(("severity", "tier", "due_at"), HOURS_DUE)
def test_due_date_in_hours(scan, db, clock, severity, tier, due_at):
    policy = load_policy(db)
    response = {**policy.response, "critical": timedelta(hours=36), "high": timedelta(hours=12)}
    save_policy(db, replace(policy, response=response), clock=clock, actor="tester")

    assert one_finding(scan, db, severity, tier, clock)["due_at"] == due_at


def test_tier_override_beats_factor(scan, db, clock):
    policy = load_policy(db)
    public = TierRule(factor=0.5, minimum=timedelta(days=1),
                      response={"critical": timedelta(hours=4), "low": None})
    save_policy(db, replace(policy, tiers={**policy.tiers, "public": public}), clock=clock)
    scan([Host("10.0.0.1", [Item("1001", severity=4), Item("1002", severity=1),
                            Item("1003", severity=2)])], day(1))

    set_tier(db, [asset_id(db, "10.0.0.1")], "public", clock=clock)

    assert finding(db, "1001")["due_at"] == "2026-11-01T06:00:00Z"
    assert finding(db, "1002")["due_at"] is None
    assert finding(db, "1003")["due_at"] == "2026-11-08T02:00:00Z"


@pytest.mark.parametrize(("old_tier", "new_tier", "before", "after"), [
    ("internal", "public", "2026-11-15T02:00:00Z", "2026-11-08T02:00:00Z"),
    ("internal", "dev", "2026-11-15T02:00:00Z", "2026-11-29T02:00:00Z"),
    ("public", "dev", "2026-11-08T02:00:00Z", "2026-11-29T02:00:00Z"),
    ("dev", "internal", "2026-11-29T02:00:00Z", "2026-11-15T02:00:00Z"),
])
def test_tier_change_moves_due_date(scan, db, clock, old_tier, new_tier, before, after):
    found = one_finding(scan, db, "medium", old_tier, clock)
    assert found["due_at"] == before

    changed = set_tier(db, [asset_id(db, "10.0.0.1")], new_tier, "moved behind the proxy",
                       clock=clock, actor="tester")

    assert changed == 1
    assert finding(db, "1001")["due_at"] == after
    tier_events = events(db, "asset", "tier")
    assert (tier_events[-1]["old"], tier_events[-1]["new"]) == (old_tier, new_tier)
    assert tier_events[-1]["note"] == "moved behind the proxy"


def test_same_tier_changes_nothing(scan, db, clock):
    one_finding(scan, db, "medium", "internal", clock)

    assert set_tier(db, [asset_id(db, "10.0.0.1")], "internal", clock=clock) == 0
    assert events(db, "asset", "tier") == []


@pytest.mark.parametrize("earlier", ["patched", "fixed"])
def test_reopen_restarts_the_clock(scan, db, clock, earlier):
    scan([Host("10.0.0.1", [Item("1001", severity=3), Item("1002")])], day(1))
    if earlier == "patched":
        clock.now = day(3)
        set_status(db, [finding(db, "1001")["id"]], "patched", clock=clock)
    else:
        scan([Host("10.0.0.1", [Item("1002")])], day(8))
        assert finding(db, "1001")["due_at"] is None

    scan([Host("10.0.0.1", [Item("1001", severity=3), Item("1002")])], day(15))

    reopened = finding(db, "1001")
    assert reopened["status"] == "open"
    assert reopened["reopened_at"] == "2026-11-15T02:00:00Z"
    assert reopened["due_at"] == "2026-11-17T02:00:00Z"


@pytest.mark.parametrize(("status", "due_at"), [
    ("open", "2026-11-03T02:00:00Z"),
    ("in_progress", "2026-11-03T02:00:00Z"),
    ("patched", "2026-11-03T02:00:00Z"),
    ("false_positive", None),
    ("accepted", None),
])
def test_status_decides_due_date(scan, db, clock, status, due_at):
    scan([Host("10.0.0.1", [Item("1001", severity=3)])], day(1))
    finding_id = finding(db, "1001")["id"]

    # accepted comes only from an exception, so it is set through the store here.
    change_status(db, [finding_id], status, at="2026-11-02T00:00:00Z", actor="tester",
                  note="test")

    assert finding(db, "1001")["due_at"] == due_at


def test_status_back_to_open_restores_due_date(scan, db, clock):
    scan([Host("10.0.0.1", [Item("1001", severity=3)])], day(1))
    finding_id = finding(db, "1001")["id"]
    set_status(db, [finding_id], "false_positive", "banner only", clock=clock)

    set_status(db, [finding_id], "open", clock=clock)

    assert finding(db, "1001")["due_at"] == "2026-11-03T02:00:00Z"


def test_severity_override_moves_due_date(scan, db, clock):
    from patchtui.store.triage import override_severity

    scan([Host("10.0.0.1", [Item("1001", severity=2)])], day(1))

    override_severity(db, finding(db, "1001")["id"], 4, at="2026-11-02T00:00:00Z",
                      actor="tester", note="internet-facing admin page")

    assert finding(db, "1001")["due_at"] == "2026-11-03T02:00:00Z"


def test_older_report_moves_first_seen_and_due(scan, db):
    scan([Host("10.0.0.1", [Item("1001", severity=3)])], day(8))
    scan([Host("10.0.0.1", [Item("1001", severity=3)])], day(1))

    assert finding(db, "1001")["due_at"] == "2026-11-03T02:00:00Z"


def test_policy_change_recomputes_open_findings(scan, db, clock):
    scan([Host("10.0.0.1", [Item("1001", severity=3), Item("1002", severity=2),
                            Item("1003", severity=3)])], day(1))
    set_status(db, [finding(db, "1003")["id"]], "false_positive", "not installed", clock=clock)
    policy = load_policy(db)

    change = save_policy(db, replace(policy, response={**policy.response, "high": timedelta(days=5)}),
                         clock=clock, actor="alice")

    assert change.changes == ["response.high: 2d -> 5d"]
    assert change.due_dates_changed == 1
    assert finding(db, "1001")["due_at"] == "2026-11-06T02:00:00Z"
    assert finding(db, "1002")["due_at"] == "2026-11-15T02:00:00Z"
    assert finding(db, "1003")["due_at"] is None
    recorded = events(db, "policy", "update")[-1]
    assert (recorded["at"], recorded["actor"]) == ("2026-12-01T09:00:00Z", "alice")
    assert recorded["note"] == "response.high: 2d -> 5d. Due dates changed for 1 finding."


def test_unchanged_policy_records_nothing(db, clock):
    before = len(events(db, "policy", "update"))

    change = save_policy(db, load_policy(db), clock=clock)

    assert change.changes == []
    assert len(events(db, "policy", "update")) == before


def test_migration_seeds_default_policy(db):
    policy = load_policy(db)

    assert policy.response["medium"] == timedelta(days=14)
    assert policy.exception_max_days == 90
    assert policy.exception_expiring_days == 14
    assert policy.task_template[0] == "Back up or snapshot"
    assert policy.next_review > date.today()


def test_exception_clears_and_revoke_restores_due(scan, db, clock):
    from patchtui.triage import exceptions as ex

    scan([Host("10.0.0.1", [Item("1001", severity=3)])], day(1))
    finding_id = finding(db, "1001")["id"]
    draft = ex.ExceptionDraft(title="Legacy HMI", risk_note="vendor forbids patching",
                              residual_risk="medium", approved_by="J. Doe", expires="2027-01-31")

    outcome = ex.create_exception(db, draft, ex.Scope("findings", finding_ids=(finding_id,)),
                                  clock=clock, actor="tester")
    accepted = finding(db, "1001")
    ex.revoke_exception(db, outcome.exception_id, "patched after all", clock=clock, actor="tester")

    assert (accepted["status"], accepted["due_at"]) == ("accepted", None)
    assert finding(db, "1001")["due_at"] == "2026-11-03T02:00:00Z"
