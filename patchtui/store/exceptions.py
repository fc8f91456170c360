"""Exceptions in SQL: the records, the findings they cover, revoking and expiring them.

A finding is covered while it is ``accepted`` and linked, without a release,
to an ``active`` exception. ``patchtui.triage.exceptions`` validates input
and calls these functions; each public writer here runs in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from patchtui.store.events import add_event
from patchtui.store.policy import refresh_finding_ids

COVERABLE = ("open", "in_progress")
"""Finding statuses an exception turns into ``accepted`` when it starts covering them."""

RULE_MATCH = (
    "((e.scope = 'vulnerability' AND f.scanner = e.scanner AND f.plugin_id = e.plugin_id"
    "  AND (NOT EXISTS (SELECT 1 FROM exception_assets x WHERE x.exception_id = e.id)"
    "       OR EXISTS (SELECT 1 FROM exception_assets x"
    "                  WHERE x.exception_id = e.id AND x.asset_id = f.asset_id)))"
    " OR (e.scope = 'asset' AND EXISTS (SELECT 1 FROM exception_assets x"
    "                                   WHERE x.exception_id = e.id AND x.asset_id = f.asset_id)))"
)
"""SQL condition: finding ``f`` falls under the rule of exception ``e``."""

LINKED = (
    "EXISTS (SELECT 1 FROM exception_findings l WHERE l.exception_id = e.id"
    " AND l.finding_id = f.id)"
)


@dataclass(slots=True)
class NewException:
    """The fields of an exception to insert, already validated."""

    title: str
    risk_note: str
    controls: str | None
    residual_risk: str
    requested_by: str
    approved_by: str
    expires_on: str
    """Last day the exception covers, ``YYYY-MM-DD`` (UTC)."""
    scope: str
    scanner: str | None = None
    plugin_id: str | None = None
    asset_ids: tuple[int, ...] = ()
    finding_ids: tuple[int, ...] = ()


def end_of(expires_on: str) -> str:
    """Return the moment an exception lapses: midnight UTC after its last day."""
    return f"{date.fromisoformat(expires_on) + timedelta(days=1)}T00:00:00Z"


def insert_exception(db: Database, new: NewException, *, at: str, actor: str) -> tuple[int, int]:
    """Insert an exception, cover what its scope matches and return (id, findings covered)."""
    with db.atomic():
        cursor = db.conn.execute(
            "INSERT INTO exceptions (title, risk_note, controls, residual_risk, requested_by,"
            " approved_by, created_at, expires_on, state, state_at, scope, scanner, plugin_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
            (new.title, new.risk_note, new.controls, new.residual_risk, new.requested_by,
             new.approved_by, at, new.expires_on, at, new.scope, new.scanner, new.plugin_id),
        )
        exception_id = int(cursor.lastrowid or 0)
        db.conn.executemany(
            "INSERT INTO exception_assets (exception_id, asset_id) VALUES (?, ?)",
            [(exception_id, asset_id) for asset_id in new.asset_ids],
        )
        add_event(db, at=at, actor=actor, entity="exception", entity_id=exception_id,
                  action="create", new=new.title,
                  note=f"expires {new.expires_on}; approved by {new.approved_by}")

        if new.scope == "findings":
            targets = list(new.finding_ids)
            via = "chosen"
        else:
            targets = rule_matches(db, exception_id, ("accepted", *COVERABLE))
            via = "rule"
        covered = cover(db, exception_id, targets, via=via, at=at, actor=actor)
    return exception_id, covered


def rule_matches(db: Database, exception_id: int, statuses: Iterable[str],
                 among: str | None = None) -> list[int]:
    """Return the ids of findings with one of ``statuses`` that the exception's rule matches.

    ``among`` restricts the search to the ids in that temporary table.
    """
    statuses = tuple(statuses)
    restriction = f" AND f.id IN (SELECT id FROM {among})" if among else ""
    rows = db.conn.execute(
        "SELECT f.id FROM findings f, exceptions e WHERE e.id = ? AND e.scope != 'findings'"
        f" AND f.status IN ({', '.join('?' * len(statuses))}) AND {RULE_MATCH}{restriction}"
        " ORDER BY f.id",
        (exception_id, *statuses),
    )
    return [row[0] for row in rows]


def cover(db: Database, exception_id: int, finding_ids: Iterable[int], *, via: str, at: str,
          actor: str, scan_id: int | None = None) -> int:
    """Link findings to an exception and accept those still open; return how many changed status.

    Call inside a transaction. A link released earlier is restored.
    """
    changed = 0
    accepted: list[int] = []
    note = f"covered by exception {exception_id}"
    for finding_id in finding_ids:
        db.conn.execute(
            "INSERT INTO exception_findings (exception_id, finding_id, linked_at, via)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (exception_id, finding_id) DO UPDATE SET"
            " released_at = NULL, released_reason = NULL",
            (exception_id, finding_id, at, via),
        )
        row = db.conn.execute("SELECT status FROM findings WHERE id = ?", (finding_id,)).fetchone()
        if row is None or row[0] not in COVERABLE:
            continue
        add_event(db, at=at, actor=actor, entity="finding", entity_id=finding_id,
                  action="status", old=row[0], new="accepted", note=note, scan_id=scan_id)
        db.conn.execute("UPDATE findings SET status = 'accepted', status_at = ? WHERE id = ?",
                        (at, finding_id))
        accepted.append(finding_id)
        changed += 1
    refresh_finding_ids(db, accepted)
    return changed


def _other_cover(db: Database, exception_id: int, finding_id: int) -> int | None:
    """Return another active exception that covers the finding by link or rule, if any."""
    row = db.conn.execute(
        "SELECT e.id FROM exceptions e, findings f WHERE f.id = ? AND e.id != ?"
        " AND e.state = 'active' AND (EXISTS (SELECT 1 FROM exception_findings l"
        "  WHERE l.exception_id = e.id AND l.finding_id = f.id AND l.released_at IS NULL)"
        f"  OR {RULE_MATCH}) ORDER BY e.expires_on DESC, e.id LIMIT 1",
        (finding_id, exception_id),
    ).fetchone()
    return row[0] if row else None


def release(db: Database, exception_id: int, *, reason: str, status_at: str, at: str,
            actor: str) -> int:
    """Stop an exception covering its findings; return how many went back to ``open``.

    A finding that another active exception also covers stays ``accepted``
    under that one. Call inside a transaction.
    """
    rows = db.conn.execute(
        "SELECT l.finding_id, f.status FROM exception_findings l"
        " JOIN findings f ON f.id = l.finding_id"
        " WHERE l.exception_id = ? AND l.released_at IS NULL ORDER BY l.finding_id",
        (exception_id,),
    ).fetchall()
    db.conn.execute(
        "UPDATE exception_findings SET released_at = ?, released_reason = ?"
        " WHERE exception_id = ? AND released_at IS NULL",
        (status_at, reason, exception_id),
    )

    reopened = 0
    opened: list[int] = []
    for finding_id, status in rows:
        if status != "accepted":
            continue
        other = _other_cover(db, exception_id, finding_id)
        if other is not None:
            cover(db, other, [finding_id], via="rule", at=at, actor=actor)
            add_event(db, at=at, actor=actor, entity="finding", entity_id=finding_id,
                      action="exception", old=str(exception_id), new=str(other),
                      note=f"exception {exception_id} {reason}; still covered by exception {other}")
            continue
        add_event(db, at=at, actor=actor, entity="finding", entity_id=finding_id,
                  action="status", old="accepted", new="open",
                  note=f"exception {exception_id} {reason}")
        db.conn.execute("UPDATE findings SET status = 'open', status_at = ? WHERE id = ?",
                        (status_at, finding_id))
        opened.append(finding_id)
        reopened += 1
    refresh_finding_ids(db, opened)
    return reopened


def revoke(db: Database, exception_id: int, note: str | None, *, at: str, actor: str) -> int:
    """Revoke an active or expired exception; return how many findings went back to ``open``."""
    with db.atomic():
        old = _state(db, exception_id)
        db.conn.execute("UPDATE exceptions SET state = 'revoked', state_at = ? WHERE id = ?",
                        (at, exception_id))
        add_event(db, at=at, actor=actor, entity="exception", entity_id=exception_id,
                  action="revoke", old=old, new="revoked", note=note)
        return release(db, exception_id, reason="revoked", status_at=at, at=at, actor=actor)


def extend(db: Database, exception_id: int, expires_on: str, note: str, *, at: str,
           actor: str) -> int:
    """Set a new expiry date; an expired exception becomes active and covers again.

    The event's action is ``extend``, or ``shorten`` for an earlier date. Returns how
    many findings the exception newly accepted.
    """
    with db.atomic():
        row = db.conn.execute("SELECT expires_on, state, scope FROM exceptions WHERE id = ?",
                              (exception_id,)).fetchone()
        old_expiry, state, scope = row
        db.conn.execute("UPDATE exceptions SET expires_on = ? WHERE id = ?",
                        (expires_on, exception_id))
        add_event(db, at=at, actor=actor, entity="exception", entity_id=exception_id,
                  action="shorten" if expires_on < old_expiry else "extend", old=old_expiry,
                  new=expires_on, note=note)
        if state != "expired":
            return 0

        db.conn.execute("UPDATE exceptions SET state = 'active', state_at = ? WHERE id = ?",
                        (at, exception_id))
        add_event(db, at=at, actor=actor, entity="exception", entity_id=exception_id,
                  action="state", old="expired", new="active", note="extended after it expired")
        linked = [r[0] for r in db.conn.execute(
            "SELECT finding_id FROM exception_findings WHERE exception_id = ?", (exception_id,))]
        if scope == "findings":
            return cover(db, exception_id, linked, via="chosen", at=at, actor=actor)
        matches = rule_matches(db, exception_id, ("accepted", *COVERABLE))
        return cover(db, exception_id, sorted(set(linked) | set(matches)), via="rule", at=at,
                     actor=actor)


def expire_overdue(db: Database, *, today: str, at: str, actor: str) -> list[int]:
    """Expire every active exception whose last day is before ``today``; return their ids.

    Their findings go back to ``open`` as of the moment each exception lapsed
    and are flagged for review (see ``review_flags``).
    """
    rows = db.execute(
        "SELECT id, expires_on FROM exceptions WHERE state = 'active' AND expires_on < ?"
        " ORDER BY expires_on, id",
        (today,),
    ).fetchall()
    if not rows:
        return []
    with db.atomic():
        for exception_id, expires_on in rows:
            lapsed = end_of(expires_on)
            db.conn.execute("UPDATE exceptions SET state = 'expired', state_at = ? WHERE id = ?",
                            (lapsed, exception_id))
            add_event(db, at=at, actor=actor, entity="exception", entity_id=exception_id,
                      action="expire", old="active", new="expired",
                      note=f"the expiry date {expires_on} has passed")
            release(db, exception_id, reason="expired", status_at=lapsed, at=at, actor=actor)
    return [row[0] for row in rows]


def apply_to_scan(db: Database, scan_id: int, *, at: str, actor: str) -> None:
    """Bring exceptions up to date with one import; call inside the import's transaction.

    Expires what lapsed before the import time, records covered findings the
    scan verified fixed, and accepts findings this scan brought in (new or
    reopened) that an active exception covers by rule or by link.
    """
    expire_overdue(db, today=at[:10], at=at, actor=actor)
    conn = db.conn
    active = conn.execute("SELECT id, scope FROM exceptions WHERE state = 'active' ORDER BY id"
                          ).fetchall()
    if not active:
        return
    _record_fixed(db, scan_id, at=at, actor=actor)

    # Only findings this scan reported can be new or reopened by it, so the
    # search starts from its observations (indexed by scan).
    conn.execute("DROP TABLE IF EXISTS temp.scan_arrivals")
    conn.execute(
        "CREATE TEMP TABLE scan_arrivals AS SELECT f.id FROM observations o"
        " JOIN findings f ON f.id = o.finding_id"
        " WHERE o.scan_id = :scan AND f.status = 'open' AND ((f.first_scan_id = :scan"
        "  AND NOT EXISTS (SELECT 1 FROM observations p"
        "                  WHERE p.finding_id = f.id AND p.scan_id != :scan))"
        "  OR EXISTS (SELECT 1 FROM events v WHERE v.entity = 'finding' AND v.entity_id = f.id"
        "             AND v.scan_id = :scan AND v.action = 'status' AND v.new = 'open'))",
        {"scan": scan_id},
    )
    for exception_id, scope in active:
        if scope == "findings":
            targets = [r[0] for r in conn.execute(
                "SELECT l.finding_id FROM exception_findings l WHERE l.exception_id = ?"
                " AND l.finding_id IN (SELECT id FROM temp.scan_arrivals)", (exception_id,))]
        else:
            targets = rule_matches(db, exception_id, ("open",), among="temp.scan_arrivals")
        cover(db, exception_id, targets, via="chosen" if scope == "findings" else "rule",
              at=at, actor=actor, scan_id=scan_id)
    conn.execute("DROP TABLE temp.scan_arrivals")


def _record_fixed(db: Database, scan_id: int, *, at: str, actor: str) -> None:
    # Starts from the covered findings, few beside the event log, and reaches
    # their events through the (entity, entity_id) index.
    rows = db.conn.execute(
        "SELECT l.exception_id, l.finding_id FROM exception_findings l"
        " JOIN exceptions e ON e.id = l.exception_id AND e.state = 'active'"
        " WHERE l.released_at IS NULL AND EXISTS (SELECT 1 FROM events v"
        "  WHERE v.entity = 'finding' AND v.entity_id = l.finding_id AND v.scan_id = ?"
        "  AND v.action = 'status' AND v.old = 'accepted' AND v.new = 'fixed')"
        " ORDER BY l.exception_id, l.finding_id",
        (scan_id,),
    ).fetchall()
    for exception_id, finding_id in rows:
        add_event(db, at=at, actor=actor, entity="exception", entity_id=exception_id,
                  action="finding_fixed", new=str(finding_id),
                  note=f"finding {finding_id} verified fixed by scan {scan_id}", scan_id=scan_id)


def _state(db: Database, exception_id: int) -> str:
    row = db.conn.execute("SELECT state FROM exceptions WHERE id = ?", (exception_id,)).fetchone()
    return row[0]


# -- reading -----------------------------------------------------------------

LIST_SQL = (
    "SELECT e.*,"
    " (SELECT count(*) FROM exception_findings l WHERE l.exception_id = e.id) AS linked,"
    " (SELECT count(*) FROM exception_findings l JOIN findings f ON f.id = l.finding_id"
    "  WHERE l.exception_id = e.id AND l.released_at IS NULL AND f.status = 'accepted')"
    "  AS covered,"
    " (SELECT count(*) FROM exception_findings l JOIN findings f ON f.id = l.finding_id"
    "  WHERE l.exception_id = e.id AND f.status = 'fixed') AS fixed"
    " FROM exceptions e"
)


def _rows(db: Database, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def list_exceptions(db: Database) -> list[dict[str, Any]]:
    """Return every exception with its finding counts, soonest expiry first."""
    rows = _rows(db, f"{LIST_SQL} ORDER BY e.expires_on, e.id")
    assets = _asset_keys(db)
    for row in rows:
        row["assets"] = assets.get(row["id"], [])
    return rows


def get_exception(db: Database, exception_id: int) -> dict[str, Any] | None:
    """Return one exception with its finding counts and asset keys, or None."""
    rows = _rows(db, f"{LIST_SQL} WHERE e.id = ?", [exception_id])
    if not rows:
        return None
    row = rows[0]
    row["assets"] = _asset_keys(db, exception_id).get(exception_id, [])
    return row


def _asset_keys(db: Database, exception_id: int | None = None) -> dict[int, list[str]]:
    where = "WHERE x.exception_id = ?" if exception_id is not None else ""
    params = [exception_id] if exception_id is not None else []
    keys: dict[int, list[str]] = {}
    for owner, key in db.execute(
        f"SELECT x.exception_id, a.key FROM exception_assets x JOIN assets a ON a.id = x.asset_id"
        f" {where} ORDER BY x.exception_id, a.key", params,
    ):
        keys.setdefault(owner, []).append(key)
    return keys


def linked_findings(db: Database, exception_id: int) -> list[dict[str, Any]]:
    """Return the findings an exception has covered, with their status and review flag."""
    return _rows(
        db,
        "SELECT f.id, f.host, f.scanner, f.plugin_id, f.name, f.port, f.protocol, f.severity,"
        " f.status, l.via, l.linked_at, l.released_at, l.released_reason,"
        " (l.released_reason = 'expired' AND f.status = 'open' AND f.status_at = l.released_at)"
        "  AS review"
        " FROM exception_findings l JOIN findings f ON f.id = l.finding_id"
        " WHERE l.exception_id = ? ORDER BY f.id",
        [exception_id],
    )


def covering(db: Database, finding_ids: Iterable[int]) -> dict[int, list[int]]:
    """Return, for each accepted finding among ``finding_ids``, the active exceptions covering it."""
    ids = list(finding_ids)
    result: dict[int, list[int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = db.execute(
            "SELECT l.finding_id, l.exception_id FROM exception_findings l"
            " JOIN exceptions e ON e.id = l.exception_id AND e.state = 'active'"
            " JOIN findings f ON f.id = l.finding_id AND f.status = 'accepted'"
            f" WHERE l.released_at IS NULL AND l.finding_id IN ({', '.join('?' * len(chunk))})"
            " ORDER BY l.finding_id, e.expires_on DESC, e.id",
            chunk,
        )
        for finding_id, exception_id in rows:
            result.setdefault(finding_id, []).append(exception_id)
    return result


def review_flags(db: Database, finding_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Return findings flagged for review after an exception expired, with that exception's id.

    The flag holds while the finding is still ``open`` from that expiry: any
    later status change (by the admin, an exception or a rescan) clears it.
    """
    sql = (
        "SELECT l.finding_id, l.exception_id FROM exception_findings l"
        " JOIN findings f ON f.id = l.finding_id"
        " WHERE l.released_reason = 'expired' AND f.status = 'open' AND f.status_at = l.released_at"
    )
    if finding_ids is None:
        return {row[0]: row[1] for row in db.execute(sql + " ORDER BY l.finding_id")}
    ids = list(finding_ids)
    flags: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = db.execute(sql + f" AND l.finding_id IN ({', '.join('?' * len(chunk))})", chunk)
        flags.update({row[0]: row[1] for row in rows})
    return flags


def assets_named(db: Database, name: str) -> list[int]:
    """Return the assets whose key, IP address or any host name equals ``name`` (any case)."""
    rows = db.execute(
        "SELECT id FROM assets WHERE key = ? OR ip = ? OR id IN (SELECT asset_id FROM asset_names"
        " WHERE kind IN ('hostname', 'fqdn', 'netbios') AND lower(value) = lower(?)) ORDER BY id",
        [name.strip().lower(), name.strip(), name.strip()],
    )
    return [row[0] for row in rows]


def finding_statuses(db: Database, finding_ids: Iterable[int]) -> dict[int, str]:
    """Return the status of each existing finding among ``finding_ids``."""
    ids = list(finding_ids)
    statuses: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = db.execute(
            f"SELECT id, status FROM findings WHERE id IN ({', '.join('?' * len(chunk))})", chunk
        )
        statuses.update({row[0]: row[1] for row in rows})
    return statuses


def vulnerability_exists(db: Database, scanner: str, plugin_id: str) -> bool:
    """Return whether any imported scan reported this check."""
    row = db.execute("SELECT 1 FROM vulnerabilities WHERE scanner = ? AND plugin_id = ?",
                     [scanner, plugin_id]).fetchone()
    return row is not None


def finding_facts(db: Database, finding_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Return id, check, name and asset of each existing finding among ``finding_ids``."""
    ids = list(finding_ids)
    facts: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        facts += _rows(
            db,
            "SELECT f.id, f.scanner, f.plugin_id, f.name, f.asset_id, a.key AS host, f.status"
            f" FROM findings f JOIN assets a ON a.id = f.asset_id"
            f" WHERE f.id IN ({', '.join('?' * len(chunk))}) ORDER BY f.id",
            chunk,
        )
    return facts
