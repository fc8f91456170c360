"""The priority order: which finding to work on first.

Each finding gets a whole-number priority, higher first, stored in
``findings.priority`` and used as the default sort. It is the sum of:

- **severity**: 10 x the CVSS base score, taking v4, else v3, else v2
  (0-100). A finding without a score, or one whose severity the admin
  overrode, counts the middle of its severity band instead: critical 9.5,
  high 8.0, medium 5.5, low 2.0, info 0.
- **known exploited**: +100 when one of its CVEs is in the CISA Known
  Exploited Vulnerabilities catalogue. Exploitation in the wild outranks
  any score, so a KEV-listed medium comes before an unlisted critical.
- **exploit available**: +30 when the scanner reports a public exploit.
- **EPSS**: 50 x the highest EPSS probability among its CVEs (0-50), the
  chance of exploitation in the next 30 days.
- **tier**: +20 on a ``public`` asset, 0 on ``internal``, -20 on ``dev``.

Each term is rounded half away from zero, as SQLite's ``round()`` does, so
this module and the SQL in ``patchtui.store.policy`` give the same number.
Ties keep the finding id order. This module imports nothing from the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from patchtui.importers.model import SEVERITIES

BAND_SCORES = {"info": 0.0, "low": 2.0, "medium": 5.5, "high": 8.0, "critical": 9.5}
"""Score counted for a severity when no CVSS score applies."""

SCORE_WEIGHT = 10
KEV_POINTS = 100
EXPLOIT_POINTS = 30
EPSS_WEIGHT = 50
TIER_POINTS = {"public": 20, "internal": 0, "dev": -20}


@dataclass(slots=True)
class PriorityInput:
    """The facts the priority is built from, for one finding."""

    severity: int
    """Effective severity rank, 0 (info) to 4 (critical)."""
    severity_overridden: bool
    cvss4: float | None
    cvss3: float | None
    cvss2: float | None
    in_kev: bool
    exploit_available: bool
    epss: float | None
    tier: str


@dataclass(slots=True)
class PriorityTerm:
    """One part of a priority: its points and why."""

    points: int
    reason: str


def round_half_away(value: float) -> int:
    """Round like SQLite's ``round(x)``: halves go away from zero."""
    return int(value + 0.5) if value >= 0 else int(value - 0.5)


def _severity_term(facts: PriorityInput) -> PriorityTerm:
    name = SEVERITIES[facts.severity]
    if facts.severity_overridden:
        score = BAND_SCORES[name]
        return PriorityTerm(round_half_away(SCORE_WEIGHT * score),
                            f"severity {name} set by the admin, counted as {score:.1f}")
    for version, value in (("v4", facts.cvss4), ("v3", facts.cvss3), ("v2", facts.cvss2)):
        if value is not None:
            return PriorityTerm(round_half_away(SCORE_WEIGHT * value),
                                f"CVSS {version} base score {value:.1f}")
    score = BAND_SCORES[name]
    return PriorityTerm(round_half_away(SCORE_WEIGHT * score),
                        f"no CVSS score: severity {name} counted as {score:.1f}")


def priority_terms(facts: PriorityInput) -> list[PriorityTerm]:
    """Return the terms that add up to a finding's priority, severity first."""
    terms = [_severity_term(facts)]
    if facts.in_kev:
        terms.append(PriorityTerm(KEV_POINTS, "in the CISA Known Exploited Vulnerabilities catalogue"))
    if facts.exploit_available:
        terms.append(PriorityTerm(EXPLOIT_POINTS, "the scanner reports a public exploit"))
    if facts.epss is not None:
        terms.append(PriorityTerm(round_half_away(EPSS_WEIGHT * facts.epss),
                                  f"EPSS probability {facts.epss:.3f}"))
    tier_points = TIER_POINTS.get(facts.tier, 0)
    terms.append(PriorityTerm(tier_points, f"asset tier {facts.tier}"))
    return terms


def priority(facts: PriorityInput) -> int:
    """Return a finding's priority; the SQL in ``patchtui.store.policy`` computes the same."""
    return sum(term.points for term in priority_terms(facts))
