"""The priority order: the formula term by term, SQL and Python agreeing, and the reasons."""

from __future__ import annotations

import pytest

from patchtui.store.policy import ranking_facts
from patchtui.triage.explain import priority_reasons
from patchtui.triage.priority import PriorityInput, priority
from patchtui.triage.tiers import set_tier
from tests.policy.conftest import asset_id, finding
from tests.reports import Host, Item, day

# Each item alone on an internal asset; expected priority worked out from the formula.
CASES = [
    (Item("1", severity=4, cvss4=9.3, cvss3=9.8), 93),             # v4 first
    (Item("1", severity=3, cvss3=7.5, cvss2=10.0), 75),            # then v3
    (Item("1", severity=2, cvss2=5.0), 50),                        # then v2
    (Item("1", severity=3), 80),                                   # no score: high counts 8.0
    (Item("1", severity=4), 95),                                   # critical counts 9.5
    (Item("1", severity=1), 20),
    (Item("1", severity=0), 0),
    (Item("1", severity=2, cvss3=5.0, exploit=True), 80),          # +30 exploit
    (Item("1", severity=2, cvss3=5.0, exploit=False), 50),
]


@pytest.mark.parametrize(("item", "expected"), CASES)
def test_priority_from_scores(scan, db, item, expected):
    scan([Host("10.0.0.1", [item])], day(1))

    assert finding(db, "1")["priority"] == expected


@pytest.mark.parametrize(("tier", "expected"), [("public", 70), ("internal", 50), ("dev", 30)])
def test_priority_follows_tier(scan, db, clock, tier, expected):
    scan([Host("10.0.0.1", [Item("1", severity=2, cvss3=5.0)])], day(1))

    set_tier(db, [asset_id(db, "10.0.0.1")], tier, clock=clock)

    assert finding(db, "1")["priority"] == expected


def test_severity_override_counts_band(scan, db):
    from patchtui.store.triage import override_severity

    scan([Host("10.0.0.1", [Item("1", severity=4, cvss3=9.8)])], day(1))

    override_severity(db, finding(db, "1")["id"], 1, at="2026-11-02T00:00:00Z", actor="tester",
                      note="only reachable from the lab VLAN")

    assert finding(db, "1")["priority"] == 20


@pytest.mark.parametrize(("value", "expected"), [(0.01, 1), (0.009, 0), (0.5, 25), (0.97210, 49),
                                                 (1.0, 50)])
def test_epss_rounds_half_away(value, expected):
    facts = PriorityInput(severity=0, severity_overridden=False, cvss4=None, cvss3=None,
                          cvss2=None, in_kev=False, exploit_available=False, epss=value,
                          tier="internal")

    assert priority(facts) == expected


def test_reasons_add_up(scan, db, clock):
    scan([Host("10.0.0.1", [Item("1", severity=3, cvss3=8.1, cvss2=9.3, exploit=True)])], day(1))
    set_tier(db, [asset_id(db, "10.0.0.1")], "public", clock=clock)
    finding_id = finding(db, "1")["id"]

    lines = priority_reasons(db, finding_id)

    assert lines == [
        "Priority 131 (higher comes first):",
        "   +81  CVSS v3 base score 8.1",
        "   +30  the scanner reports a public exploit",
        "   +20  asset tier public",
    ]
    assert ranking_facts(db, finding_id)["priority"] == 131
