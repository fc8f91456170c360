"""Writes the admin makes to findings: status changes and severity overrides."""

from __future__ import annotations

from sqlite_utils import Database

from patchtui.store.events import add_event
from patchtui.store.policy import refresh_finding_ids


def change_status(db: Database, finding_ids: list[int], status: str, *, at: str, actor: str,
                  note: str | None) -> int:
    """Set ``status`` on the findings that do not have it yet, with one event each.

    Returns how many findings changed. Runs in one transaction.
    """
    changed = 0
    with db.atomic():
        for start in range(0, len(finding_ids), 500):
            chunk = finding_ids[start:start + 500]
            rows = db.conn.execute(
                f"SELECT id, status FROM findings WHERE id IN ({', '.join('?' * len(chunk))})"
                " AND status != ?",
                (*chunk, status),
            ).fetchall()
            for finding_id, old in rows:
                add_event(db, at=at, actor=actor, entity="finding", entity_id=finding_id,
                          action="status", old=old, new=status, note=note)
            db.conn.executemany(
                "UPDATE findings SET status = ?, status_at = ? WHERE id = ?",
                [(status, at, finding_id) for finding_id, _ in rows],
            )
            changed += len(rows)
            refresh_finding_ids(db, [finding_id for finding_id, _ in rows])
    return changed


def override_severity(db: Database, finding_id: int, severity: int | None, *, at: str,
                      actor: str, note: str | None) -> None:
    """Set or clear the admin's severity for one finding, keeping the scanner's beside it."""
    with db.atomic():
        row = db.conn.execute(
            "SELECT f.severity_override, v.severity FROM findings f"
            " JOIN vulnerabilities v ON v.id = f.vulnerability_id WHERE f.id = ?",
            (finding_id,),
        ).fetchone()
        if row is None:
            return
        add_event(db, at=at, actor=actor, entity="finding", entity_id=finding_id,
                  action="severity", old=None if row[0] is None else str(row[0]),
                  new=None if severity is None else str(severity), note=note)
        db.conn.execute(
            "UPDATE findings SET severity_override = ?, severity = coalesce(?, ("
            " SELECT CASE v.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3"
            " WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END"
            " FROM vulnerabilities v WHERE v.id = findings.vulnerability_id)) WHERE id = ?",
            (severity, severity, finding_id),
        )
        refresh_finding_ids(db, [finding_id])
