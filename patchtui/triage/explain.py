"""Explanations as lines of plain text: a finding's priority and due date (the detail
screen) and the policy itself (``patchtui policy show`` and the policy screen)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from patchtui.clock import to_text
from patchtui.errors import NotFoundError
from patchtui.importers.model import SEVERITIES
from patchtui.store.policy import ranking_facts
from patchtui.store.threats import cve_threats
from patchtui.text import plural, visible
from patchtui.triage.due import DUE_STATUSES, format_duration, overdue_days
from patchtui.triage.policy import TIERS, Policy, load_policy, policy_review_due
from patchtui.triage.priority import PriorityInput, priority_terms


def when(text: str | None) -> str:
    """Return stored time text as ``2026-11-02 02:00 UTC``."""
    if not text:
        return "-"
    return text[:16].replace("T", " ") + " UTC"


def _facts(db: Database, finding_id: int) -> dict[str, Any]:
    facts = ranking_facts(db, finding_id)
    if facts is None:
        raise NotFoundError(f"no finding with id {finding_id}")
    return facts


def _priority_input(facts: dict[str, Any]) -> PriorityInput:
    return PriorityInput(
        severity=facts["severity"], severity_overridden=facts["severity_override"] is not None,
        cvss4=facts["cvss4_score"], cvss3=facts["cvss3_score"], cvss2=facts["cvss2_score"],
        in_kev=facts["kev_added"] is not None, exploit_available=facts["exploit_available"] == 1,
        epss=facts["epss"], tier=facts["tier"],
    )


def _kev_detail(kev: list[dict[str, Any]]) -> str:
    parts = []
    for entry in kev:
        ransomware = ", known ransomware use" if entry["ransomware"] == "Known" else ""
        parts.append(f"{entry['cve']} added {entry['date_added']}, due {entry['due_date']}"
                     f"{ransomware}")
    return "; ".join(parts)


def priority_reasons(db: Database, finding_id: int) -> list[str]:
    """Return the finding's priority and the points each fact adds, one line each."""
    facts = _facts(db, finding_id)
    kev, epss = cve_threats(db, json.loads(facts["cves"] or "[]"))
    lines = [f"Priority {facts['priority']} (higher comes first):"]
    for term in priority_terms(_priority_input(facts)):
        reason = term.reason
        if reason.startswith("in the CISA") and kev:
            reason += f" ({_kev_detail(kev)})"
        elif reason.startswith("EPSS") and epss:
            best = epss[0]
            reason += f" ({best['cve']}, percentile {best['percentile']:.3f})"
        lines.append(f"  {term.points:+4d}  {reason}")
    return lines


def _policy_line(policy: Policy, facts: dict[str, Any]) -> str:
    severity = SEVERITIES[facts["severity"]]
    start = (f"reopened {when(facts['reopened_at'])}" if facts["reopened_at"]
             else f"first seen {when(facts['first_seen'])}")
    return f"{start} + {policy.explain_response(severity, facts['tier'])}"


def due_reasons(db: Database, finding_id: int, now: datetime) -> list[str]:
    """Return the finding's due date, how it comes about and its last overdue review."""
    facts = _facts(db, finding_id)
    lines = _due_lines(db, facts, now)
    if facts["reviewed_at"]:
        lines.append(f"Last overdue review {when(facts['reviewed_at'])}.")
    return lines


def _due_lines(db: Database, facts: dict[str, Any], now: datetime) -> list[str]:
    if facts["status"] not in DUE_STATUSES:
        return [f"No due date: the finding is {facts['status']}."]
    due_at = facts["due_at"]
    if due_at is None:
        return ["No due date: the policy sets none for this severity and tier."]

    state = f", overdue by {plural(overdue_days(due_at, now), 'day')}" if due_at < to_text(now) else ""
    lines = [f"Due {when(due_at)}{state}:"]
    policy_text = _policy_line(load_policy(db), facts)
    if facts["target_at"]:
        lines.append(f"  target set in an overdue review: {when(facts['target_at'])}")
        lines.append(f"  (by the policy: {policy_text})")
    else:
        lines.append(f"  {policy_text}")
        if facts["kev_due"]:
            sooner = "sooner, so it applies" if facts["kev_due"] == due_at else "later"
            lines.append(f"  CISA KEV due date {facts['kev_due'][:10]} is {sooner}")
    return lines


def finding_reasons(db: Database, finding_id: int, now: datetime) -> list[str]:
    """Return the due-date lines, then the priority lines, for the detail screen."""
    return due_reasons(db, finding_id, now) + priority_reasons(db, finding_id)


def _response_table(policy: Policy) -> list[str]:
    lines = [(f"{'Response times':<16}" + "".join(f"{tier:<10}" for tier in TIERS)).rstrip()]
    for severity in reversed(SEVERITIES):
        cells = []
        for tier in TIERS:
            time = policy.response_time(severity, tier)
            cells.append(f"{'none' if time is None else format_duration(time):<10}")
        lines.append((f"  {severity:<14}" + "".join(cells)).rstrip())
    return lines


def policy_lines(policy: Policy, today: date) -> list[str]:
    """Return the policy as lines of plain text: response times, limits, review, checklist."""
    review = (f"Policy review: next due {policy.next_review.isoformat()} "
              f"(every {policy.review_interval_months} months)")
    if policy_review_due(policy, today):
        review += ": overdue, review the policy and record the review"
    lines = _response_table(policy)
    lines += [
        "",
        f"Exceptions: at most {format_duration(policy.exception_max)}; shown as expiring "
        f"{format_duration(policy.exception_expiring)} before they expire",
        review,
        "Task checklist:",
    ]
    lines += [f"  {number}. {visible(step, single_line=True)}" for number, step in
              enumerate(policy.task_template, start=1)]
    return lines
