"""The stored policy and the SQL that keeps ``findings.due_at`` and ``findings.priority`` current.

Both columns are derived: ``refresh_findings`` recomputes them in one
``UPDATE ... FROM`` over the findings a condition selects, writing only rows
whose values change. The rules are in ``patchtui.triage.due`` (due dates) and
``patchtui.triage.priority`` (the priority formula, with the constants the SQL
below is built from). Call these functions inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from patchtui.importers.model import SEVERITIES
from patchtui.triage import priority as rank
from patchtui.triage.due import DUE_STATUSES

POLICY_ID = 1
"""The policy table has one row."""

_DUE = ", ".join(f"'{status}'" for status in DUE_STATUSES)


def _priority_sql() -> str:
    bands = " ".join(f"WHEN {index} THEN {rank.BAND_SCORES[name]!r}"
                     for index, name in enumerate(SEVERITIES))
    band = f"(CASE f.severity {bands} ELSE 0.0 END)"
    score = (f"(CASE WHEN f.severity_override IS NOT NULL THEN {band}"
             f" ELSE coalesce(v.cvss4_score, v.cvss3_score, v.cvss2_score, {band}) END)")
    tiers = " ".join(f"WHEN '{tier}' THEN {points}" for tier, points in rank.TIER_POINTS.items())
    return (f"CAST(round({rank.SCORE_WEIGHT} * {score}) AS INTEGER)"
            f" + CASE WHEN v.kev_added IS NOT NULL THEN {rank.KEV_POINTS} ELSE 0 END"
            f" + CASE WHEN v.exploit_available = 1 THEN {rank.EXPLOIT_POINTS} ELSE 0 END"
            f" + CAST(round({rank.EPSS_WEIGHT} * coalesce(v.epss, 0)) AS INTEGER)"
            f" + CASE a.tier {tiers} ELSE 0 END")


PRIORITY_SQL = _priority_sql()
"""The priority of ``findings f`` joined to ``assets a`` and ``vulnerabilities v``."""

# The inner query computes the policy date once per row. The middle one picks the
# due date: a review's target wins, else the sooner of the policy and KEV dates.
_REFRESH = f"""
UPDATE findings SET target_at = c.target_at, due_at = c.due_at, priority = c.priority
FROM (
  SELECT id, target_at, priority,
    CASE WHEN NOT carries_due THEN NULL
         WHEN target_at IS NOT NULL THEN target_at
         WHEN policy_due IS NULL THEN kev_due
         WHEN kev_due IS NULL THEN policy_due
         ELSE min(policy_due, kev_due) END AS due_at
  FROM (
    SELECT f.id, f.status IN ({_DUE}) AS carries_due,
      CASE WHEN f.status IN ({_DUE}) THEN f.target_at END AS target_at,
      strftime('%Y-%m-%dT%H:%M:%SZ', coalesce(f.reopened_at, f.first_seen),
               '+' || r.seconds || ' seconds') AS policy_due,
      v.kev_due, {PRIORITY_SQL} AS priority
    FROM findings f
    JOIN assets a ON a.id = f.asset_id
    JOIN vulnerabilities v ON v.id = f.vulnerability_id
    LEFT JOIN policy_response r ON r.severity = f.severity AND r.tier = a.tier
    WHERE {{condition}}
  )
) AS c
WHERE findings.id = c.id
  AND (findings.due_at IS NOT c.due_at OR findings.priority IS NOT c.priority
       OR findings.target_at IS NOT c.target_at)
"""


def refresh_findings(db: Database, condition: str, params: Iterable[Any] = ()) -> int:
    """Recompute due date, priority and review target of the findings ``condition`` selects.

    ``condition`` is SQL over ``findings f``, ``assets a`` and ``vulnerabilities v``
    with ``?`` parameters. Returns how many findings changed.
    """
    cursor = db.conn.execute(_REFRESH.format(condition=condition), list(params))
    return cursor.rowcount


def refresh_finding_ids(db: Database, finding_ids: Iterable[int]) -> int:
    """Recompute the findings with these ids."""
    ids = [int(finding_id) for finding_id in finding_ids]
    if not ids:
        return 0
    return refresh_findings(db, "f.id IN (SELECT value FROM json_each(?))", [_json_ids(ids)])


def refresh_asset_findings(db: Database, asset_ids: Iterable[int]) -> int:
    """Recompute every finding on these assets (after a tier change)."""
    ids = [int(asset_id) for asset_id in asset_ids]
    if not ids:
        return 0
    return refresh_findings(db, "f.asset_id IN (SELECT value FROM json_each(?))", [_json_ids(ids)])


def refresh_due_findings(db: Database) -> int:
    """Recompute every finding that carries a due date (after a policy change)."""
    return refresh_findings(db, f"f.status IN ({_DUE})")


def refresh_all_findings(db: Database) -> int:
    """Recompute every finding."""
    return refresh_findings(db, "1")


def _json_ids(ids: list[int]) -> str:
    return "[" + ",".join(str(value) for value in ids) + "]"


# -- after an import or a threat-data load --------------------------------------

_RANK_INPUTS = ("json_array(cvss4_score, cvss3_score, cvss2_score, exploit_available,"
                " kev_added, kev_due, epss)")
"""The vulnerability columns that its findings' due dates and priorities read."""


def refresh_changed_vulnerabilities(db: Database) -> int:
    """Recompute the findings of every vulnerability whose scores or threat data changed
    since its findings were last computed. Returns how many findings changed."""
    conn = db.conn
    conn.execute("DROP TABLE IF EXISTS temp.changed_vulnerabilities")
    conn.execute(
        "CREATE TEMP TABLE changed_vulnerabilities AS SELECT id FROM vulnerabilities"
        f" WHERE ranked_inputs IS NOT {_RANK_INPUTS}"
    )
    changed = refresh_findings(
        db, "f.vulnerability_id IN (SELECT id FROM temp.changed_vulnerabilities)"
    )
    conn.execute(
        f"UPDATE vulnerabilities SET ranked_inputs = {_RANK_INPUTS}"
        " WHERE id IN (SELECT id FROM temp.changed_vulnerabilities)"
    )
    conn.execute("DROP TABLE temp.changed_vulnerabilities")
    return changed


def refresh_after_import(db: Database, scan_id: int) -> None:
    """Bring threat data, due dates and priorities up to date after one import.

    Recomputes the findings on the hosts the scan covered (every finding it saw,
    reopened or fixed is among them) and the findings of vulnerabilities whose
    scores the report changed. Runs inside the import's transaction.
    """
    from patchtui.store.threats import refresh_vulnerability_threats

    refresh_vulnerability_threats(db, only_stale=True)
    refresh_findings(db, "f.asset_id IN (SELECT asset_id FROM scan_hosts WHERE scan_id = ?)",
                     [scan_id])
    refresh_changed_vulnerabilities(db)


# -- the policy row -------------------------------------------------------------


def read_policy_document(db: Database) -> str | None:
    """Return the stored policy document (JSON text), or None when none is stored."""
    row = db.execute("SELECT document FROM policy WHERE id = ?", [POLICY_ID]).fetchone()
    return row[0] if row else None


def policy_updated(db: Database) -> tuple[str, str, str] | None:
    """Return (time, actor, verb) of the last write to the stored policy.

    The verb is ``created`` while no policy event exists (the database's default
    policy), ``reviewed`` after a review, else ``changed``.
    """
    row = db.execute("SELECT updated_at, updated_by FROM policy WHERE id = ?",
                     [POLICY_ID]).fetchone()
    if row is None:
        return None
    last = db.execute("SELECT action FROM events WHERE entity = 'policy' AND entity_id = ?"
                      " ORDER BY id DESC LIMIT 1", [POLICY_ID]).fetchone()
    if last is None:
        return row[0], row[1], "created"
    if last[0] == "review":
        return row[0], row[1], "reviewed"
    return row[0], row[1], "changed"


def write_policy(db: Database, document: str, response_rows: list[tuple[int, str, int | None]],
                 *, at: str, actor: str) -> None:
    """Store the policy document and the response-time table derived from it."""
    conn = db.conn
    conn.execute(
        "INSERT INTO policy (id, document, updated_at, updated_by) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET document = excluded.document,"
        " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        (POLICY_ID, document, at, actor),
    )
    conn.execute("DELETE FROM policy_response")
    conn.executemany("INSERT INTO policy_response (severity, tier, seconds) VALUES (?, ?, ?)",
                     response_rows)


def add_policy_event(db: Database, *, at: str, actor: str, action: str, old: str | None,
                     new: str | None, note: str | None) -> None:
    """Append an event about the policy."""
    db.conn.execute(
        "INSERT INTO events (at, actor, entity, entity_id, action, old, new, note)"
        " VALUES (?, ?, 'policy', ?, ?, ?, ?, ?)",
        (at, actor, POLICY_ID, action, old, new, note),
    )


# -- overdue reviews -----------------------------------------------------------


def overdue_ids(db: Database, finding_ids: list[int], now: str) -> dict[int, str]:
    """Return {id: due_at} for those of ``finding_ids`` that are past their due date at ``now``."""
    rows = db.execute(
        "SELECT id, due_at FROM findings WHERE id IN (SELECT value FROM json_each(?))"
        " AND due_at < ?",
        [_json_ids(finding_ids), now],
    )
    return {row[0]: row[1] for row in rows}


def write_review(db: Database, due: dict[int, str], *, at: str, actor: str, decision: str,
                 note: str, target_at: str | None) -> None:
    """Record an overdue review of findings (``due`` maps each id to its missed due date)."""
    conn = db.conn
    conn.executemany(
        "INSERT INTO events (at, actor, entity, entity_id, action, old, new, note)"
        " VALUES (?, ?, 'finding', ?, 'overdue_review', ?, ?, ?)",
        [(at, actor, finding_id, due_at, decision, note) for finding_id, due_at in due.items()],
    )
    conn.execute(
        "UPDATE findings SET reviewed_at = ?, target_at = coalesce(?, target_at)"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (at, target_at, _json_ids(list(due))),
    )
    refresh_finding_ids(db, list(due))


def count_overdue(db: Database, now: str) -> int:
    """Return how many findings are past their due date at ``now``."""
    row = db.execute("SELECT count(*) FROM findings WHERE due_at < ?", [now]).fetchone()
    return int(row[0])


def count_overdue_below_qod(db: Database, now: str, min_qod: int) -> int:
    """Return how many findings past their due date at ``now`` have a QoD below ``min_qod``."""
    row = db.execute("SELECT count(*) FROM findings WHERE due_at < ? AND qod < ?",
                     [now, min_qod]).fetchone()
    return int(row[0])


def ranking_facts(db: Database, finding_id: int) -> dict[str, Any] | None:
    """Return what a finding's due date and priority are computed from, or None."""
    cursor = db.execute(
        "SELECT f.id, f.status, f.severity, f.severity_override, f.first_seen, f.reopened_at,"
        " f.target_at, f.reviewed_at, f.due_at, f.priority, v.cvss4_score, v.cvss3_score,"
        " v.cvss2_score, v.exploit_available, v.kev_added, v.kev_due, v.epss, v.epss_percentile,"
        " v.cves, a.tier FROM findings f JOIN assets a ON a.id = f.asset_id"
        " JOIN vulnerabilities v ON v.id = f.vulnerability_id WHERE f.id = ?",
        [finding_id],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))
