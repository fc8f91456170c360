"""Judge which findings a scan proves fixed, including findings of reports imported late.

A finding is fixed as of the first later scan that covered its host and could
have seen it (the rules are in ``patchtui.triage.rescan``). Every later scan
of the host is considered, not only the one being imported, so importing an
older report after a newer one reaches the same record as importing them in
order: a finding the older report shows but the newer scan proved gone is
fixed as of the newer scan.
"""

from __future__ import annotations

import sqlite3
import zlib
from dataclasses import dataclass, field

from patchtui.triage import rescan


def pack_plugin_set(plugin_set: frozenset[str] | None) -> bytes | None:
    """Compress a scan's list of checks for storage (about 3 bytes a check)."""
    if not plugin_set:
        return None
    return zlib.compress("\n".join(sorted(plugin_set)).encode("ascii", "replace"), 6)


def unpack_plugin_set(blob: bytes) -> list[str]:
    """Return the checks stored by ``pack_plugin_set``."""
    return zlib.decompress(blob).decode("ascii").split("\n")


@dataclass(slots=True)
class Judgement:
    """The decisions verification made during one import."""

    fixed: int = 0
    """Findings the imported scan proved fixed."""
    fixed_by_later: int = 0
    """Findings the imported (older) report shows that a later scan had already proved gone."""
    not_verifiable: dict[str, int] = field(default_factory=dict)
    """Findings the imported scan did not see but could not vouch for, by reason."""


_SEVERITY_RANK = ("CASE v.scanner_severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3"
                  " WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END")


def judge(conn: sqlite3.Connection, scan_id: int, scanner: str, *, at: str, actor: str) -> Judgement:
    """Apply the re-scan rules after ``scan_id`` was recorded; call inside its transaction.

    The scan's row must already hold its time, completeness, severity range and
    checks, and its hosts' result counts.
    """
    fixable = ", ".join(f"'{status}'" for status in rescan.FIXABLE)
    _create_pairs(conn, scan_id, scanner, fixable)
    _load_plugin_sets(conn)
    _decide(conn)
    judgement = _count(conn, scan_id)
    _apply_fixes(conn, at=at, actor=actor)
    for table in ("pairs", "plugin_set", "fixes"):
        conn.execute(f"DROP TABLE temp.{table}")
    return judgement


def _create_pairs(conn: sqlite3.Connection, scan_id: int, scanner: str, fixable: str) -> None:
    # Candidates: fixable findings on the scan's hosts that it did not see, and
    # fixable findings it saw last of all, which a later scan may already disprove.
    conn.execute("DROP TABLE IF EXISTS temp.pairs")
    conn.execute(
        "CREATE TEMP TABLE pairs AS"
        " WITH candidates(finding_id) AS ("
        "  SELECT f.id FROM scan_hosts hs JOIN findings f ON f.asset_id = hs.asset_id"
        f"  WHERE hs.scan_id = :scan AND f.scanner = :scanner AND f.status IN ({fixable})"
        "   AND f.last_seen < hs.scanned_at"
        "  UNION"
        "  SELECT f.id FROM observations o JOIN findings f ON f.id = o.finding_id"
        f"  WHERE o.scan_id = :scan AND f.status IN ({fixable}) AND f.last_seen = o.seen_at)"
        " SELECT c.finding_id, h.scan_id, h.scanned_at, h.credentialed, h.results,"
        "  s.time_source, s.complete, s.lowest_severity, s.plugin_set IS NOT NULL AS has_set,"
        f"  f.plugin_id, v.plugin_type, {_SEVERITY_RANK} AS severity_rank, NULL AS verdict"
        " FROM candidates c JOIN findings f ON f.id = c.finding_id"
        " JOIN vulnerabilities v ON v.id = f.vulnerability_id"
        " JOIN scan_hosts h ON h.asset_id = f.asset_id AND h.scanned_at > f.last_seen"
        " JOIN scans s ON s.id = h.scan_id AND s.scanner = f.scanner",
        {"scan": scan_id, "scanner": scanner},
    )


def _load_plugin_sets(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE IF EXISTS temp.plugin_set")
    conn.execute("CREATE TEMP TABLE plugin_set (scan_id INTEGER, plugin_id TEXT,"
                 " PRIMARY KEY (scan_id, plugin_id)) WITHOUT ROWID")
    rows = conn.execute(
        "SELECT id, plugin_set FROM scans WHERE plugin_set IS NOT NULL"
        " AND id IN (SELECT DISTINCT scan_id FROM temp.pairs)"
    ).fetchall()
    for judging_scan, blob in rows:
        conn.executemany("INSERT OR IGNORE INTO temp.plugin_set VALUES (?, ?)",
                         ((judging_scan, plugin) for plugin in unpack_plugin_set(blob)))


def _decide(conn: sqlite3.Connection) -> None:
    local = ", ".join(f"'{kind}'" for kind in rescan.LOCAL_PLUGIN_TYPES)
    conn.execute(
        "UPDATE temp.pairs SET verdict = CASE"
        f" WHEN time_source != 'report' THEN '{rescan.UNDATED}'"
        f" WHEN NOT coalesce(complete, 1) THEN '{rescan.INCOMPLETE}'"
        f" WHEN coalesce(results, 0) = 0 THEN '{rescan.NO_RESULTS}'"
        " WHEN has_set AND NOT EXISTS (SELECT 1 FROM temp.plugin_set p"
        "   WHERE p.scan_id = pairs.scan_id AND p.plugin_id = pairs.plugin_id)"
        f"  THEN '{rescan.CHECK_NOT_RUN}'"
        f" WHEN severity_rank < coalesce(lowest_severity, 0) THEN '{rescan.FILTERED}'"
        f" WHEN plugin_type IN ({local}) AND coalesce(credentialed, 0) = 0 THEN '{rescan.NO_LOGIN}'"
        f" ELSE '{rescan.FIXED}' END"
    )
    conn.execute("DROP TABLE IF EXISTS temp.fixes")
    conn.execute("CREATE TEMP TABLE fixes (finding_id INTEGER PRIMARY KEY, scan_id INTEGER, scanned_at TEXT)")
    conn.execute(
        "INSERT INTO temp.fixes SELECT finding_id, scan_id, scanned_at FROM ("
        " SELECT finding_id, scan_id, scanned_at, row_number() OVER ("
        "  PARTITION BY finding_id ORDER BY scanned_at, scan_id) AS position"
        f" FROM temp.pairs WHERE verdict = '{rescan.FIXED}') WHERE position = 1"
    )


def _count(conn: sqlite3.Connection, scan_id: int) -> Judgement:
    judgement = Judgement()
    for judging_scan, count in conn.execute(
        "SELECT scan_id = ?, count(*) FROM temp.fixes GROUP BY scan_id = ?", (scan_id, scan_id)
    ):
        if judging_scan:
            judgement.fixed = count
        else:
            judgement.fixed_by_later = count
    rows = conn.execute(
        "SELECT verdict, count(*) FROM temp.pairs WHERE scan_id = ?"
        " AND finding_id NOT IN (SELECT finding_id FROM temp.fixes) GROUP BY verdict",
        (scan_id,),
    )
    judgement.not_verifiable = {verdict: count for verdict, count in rows if verdict != rescan.FIXED}
    return judgement


def _apply_fixes(conn: sqlite3.Connection, *, at: str, actor: str) -> None:
    conn.execute(
        "INSERT INTO events (at, actor, entity, entity_id, action, old, new, note, scan_id)"
        " SELECT ?, ?, 'finding', x.finding_id, 'status', f.status, 'fixed',"
        "  'not reported by a later scan that covered it', x.scan_id"
        " FROM temp.fixes x JOIN findings f ON f.id = x.finding_id",
        (at, actor),
    )
    conn.execute(
        "UPDATE findings SET status = 'fixed', fixed_scan_id = x.scan_id, status_at = x.scanned_at"
        " FROM temp.fixes x WHERE x.finding_id = findings.id"
    )
