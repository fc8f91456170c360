"""Offline threat data: the CISA KEV catalogue and FIRST EPSS scores, and what they add to
vulnerabilities.

Each load replaces the whole catalogue or score set. ``refresh_vulnerability_threats``
copies, per vulnerability, the KEV dates and the highest EPSS score among its
CVEs onto the vulnerability row, where the due-date and priority SQL reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from patchtui.triage.due import END_OF_DAY

KEV_COLUMNS = ("cve", "vendor_project", "product", "vulnerability_name", "date_added",
               "short_description", "required_action", "due_date", "ransomware", "notes", "cwes")


def replace_kev(db: Database, rows: Iterable[tuple[Any, ...]]) -> int:
    """Replace the KEV catalogue with ``rows`` (values in ``KEV_COLUMNS`` order); return the count."""
    conn = db.conn
    conn.execute("DELETE FROM kev")
    placeholders = ", ".join("?" * len(KEV_COLUMNS))
    conn.executemany(
        f"INSERT OR REPLACE INTO kev ({', '.join(KEV_COLUMNS)}) VALUES ({placeholders})", rows
    )
    return int(conn.execute("SELECT count(*) FROM kev").fetchone()[0])


def replace_epss(db: Database, rows: Iterable[tuple[str, float, float]]) -> int:
    """Replace the EPSS scores with (cve, probability, percentile) rows; return the count."""
    conn = db.conn
    conn.execute("DELETE FROM epss")
    conn.executemany("INSERT OR REPLACE INTO epss (cve, epss, percentile) VALUES (?, ?, ?)", rows)
    return int(conn.execute("SELECT count(*) FROM epss").fetchone()[0])


def record_load(db: Database, *, kind: str, version: str | None, released: str, file_name: str,
                sha256: str, rows: int, at: str, actor: str) -> None:
    """Remember which file the ``kind`` data came from, with an event."""
    conn = db.conn
    conn.execute(
        "INSERT INTO threat_data (kind, version, released, file_name, sha256, rows, loaded_at,"
        " loaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind) DO UPDATE SET"
        " version = excluded.version, released = excluded.released,"
        " file_name = excluded.file_name, sha256 = excluded.sha256, rows = excluded.rows,"
        " loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by",
        (kind, version, released, file_name, sha256, rows, at, actor),
    )
    conn.execute(
        "INSERT INTO events (at, actor, entity, entity_id, action, new, note)"
        " VALUES (?, ?, 'threat_data', NULL, 'load', ?, ?)",
        (at, actor, kind, f"{file_name}: version {version or '-'}, released {released},"
                          f" {rows} rows"),
    )


def read_loads(db: Database) -> dict[str, dict[str, Any]]:
    """Return the loaded threat data by kind (``kev``, ``epss``)."""
    cursor = db.execute("SELECT * FROM threat_data ORDER BY kind")
    names = [column[0] for column in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor}


def refresh_vulnerability_threats(db: Database, *, only_stale: bool) -> None:
    """Copy KEV dates and the highest EPSS score of each vulnerability's CVEs onto it.

    With ``only_stale`` only vulnerabilities whose CVE list changed since their last
    refresh (new ones included) are looked at; otherwise all of them, after a load.
    """
    conn = db.conn
    where = "WHERE v.threat_cves IS NOT v.cves" if only_stale else ""
    conn.execute("DROP TABLE IF EXISTS temp.threat_values")
    conn.execute(
        "CREATE TEMP TABLE threat_values AS"
        " SELECT v.id, min(k.date_added) AS kev_added,"
        f"  min(k.due_date) || '{END_OF_DAY}' AS kev_due,"
        "  max(k.ransomware = 'Known') AS kev_ransomware,"
        "  max(e.epss) AS epss, max(e.percentile) AS epss_percentile"
        " FROM vulnerabilities v"
        " LEFT JOIN json_each(v.cves) j"
        " LEFT JOIN kev k ON k.cve = upper(j.value)"
        " LEFT JOIN epss e ON e.cve = upper(j.value)"
        f" {where} GROUP BY v.id"
    )
    conn.execute(
        "UPDATE vulnerabilities SET kev_added = t.kev_added, kev_due = t.kev_due,"
        " kev_ransomware = t.kev_ransomware, epss = t.epss, epss_percentile = t.epss_percentile,"
        " threat_cves = vulnerabilities.cves"
        " FROM temp.threat_values t WHERE vulnerabilities.id = t.id"
    )
    conn.execute("DROP TABLE temp.threat_values")


def count_covered(db: Database, kind: str) -> int:
    """Return how many vulnerabilities have a CVE in the KEV catalogue (``kev``) or an EPSS
    score (``epss``)."""
    column = {"kev": "kev_added", "epss": "epss"}[kind]
    row = db.execute(f"SELECT count(*) FROM vulnerabilities WHERE {column} IS NOT NULL").fetchone()
    return int(row[0])


def cve_threats(db: Database, cves: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the KEV entries and EPSS scores of these CVEs."""
    names = [cve.upper() for cve in cves]
    if not names:
        return [], []
    marks = ", ".join("?" * len(names))
    kev_cursor = db.execute(f"SELECT * FROM kev WHERE cve IN ({marks}) ORDER BY cve", names)
    kev_names = [column[0] for column in kev_cursor.description]
    kev = [dict(zip(kev_names, row, strict=True)) for row in kev_cursor]
    epss = [{"cve": row[0], "epss": row[1], "percentile": row[2]} for row in db.execute(
        f"SELECT cve, epss, percentile FROM epss WHERE cve IN ({marks})"
        " ORDER BY epss DESC, cve", names)]
    return kev, epss
