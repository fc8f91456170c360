"""Reading findings: filters, listing and one finding in full."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from patchtui.importers.model import SEVERITIES


@dataclass(slots=True)
class FindingFilter:
    """The findings to list; every field left empty means no restriction."""

    statuses: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    host: str | None = None
    """Substring of the asset's IP address or any of its host names."""
    search: str | None = None
    """Substring of the finding's name, CVEs or host."""
    scanners: tuple[str, ...] = ()
    asset_id: int | None = None
    ids: tuple[int, ...] = ()
    min_qod: int | None = None
    """Hide OpenVAS results whose quality of detection is below this value."""
    extra_where: list[str] = field(default_factory=list)
    extra_params: list[Any] = field(default_factory=list)

    def where(self) -> tuple[str, list[Any]]:
        """Return the SQL condition over ``findings f JOIN assets a`` and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.statuses:
            clauses.append(f"f.status IN ({', '.join('?' * len(self.statuses))})")
            params += self.statuses
        if self.severities:
            clauses.append(f"f.severity IN ({', '.join('?' * len(self.severities))})")
            params += [SEVERITIES.index(name) for name in self.severities]
        if self.scanners:
            clauses.append(f"f.scanner IN ({', '.join('?' * len(self.scanners))})")
            params += self.scanners
        if self.asset_id is not None:
            clauses.append("f.asset_id = ?")
            params.append(self.asset_id)
        if self.ids:
            clauses.append(f"f.id IN ({', '.join('?' * len(self.ids))})")
            params += self.ids
        if self.min_qod is not None:
            clauses.append("(f.qod IS NULL OR f.qod >= ?)")
            params.append(self.min_qod)
        if self.host:
            clauses.append(
                "(a.key LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM asset_names n"
                " WHERE n.asset_id = a.id AND n.kind IN ('hostname', 'fqdn', 'netbios')"
                " AND n.value LIKE ? ESCAPE '\\'))"
            )
            params += [_like(self.host)] * 2
        if self.search:
            clauses.append(
                "(f.name LIKE ? ESCAPE '\\' OR f.cves LIKE ? ESCAPE '\\' OR f.host LIKE ? ESCAPE '\\'"
                " OR a.hostname LIKE ? ESCAPE '\\' OR a.fqdn LIKE ? ESCAPE '\\')"
            )
            params += [_like(self.search)] * 5
        clauses += self.extra_where
        params += self.extra_params
        return (" AND ".join(clauses) or "1"), params


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


LIST_COLUMNS = (
    "f.id, f.asset_id, a.ip, coalesce(a.hostname, a.fqdn, a.netbios) AS hostname, f.scanner,"
    " f.plugin_id, f.name, f.port, f.protocol, f.service, f.severity, v.scanner_severity,"
    " f.cvss, v.cvss2_score, v.cvss3_score, v.cvss4_score, f.cves, f.status, f.qod,"
    " f.first_seen, f.last_seen, a.key AS host, a.tier, f.due_at, f.priority, f.reviewed_at"
)


DEFAULT_ORDER = "f.priority DESC, f.id"
"""The default sort: priority (see ``patchtui.triage.priority``), ties by id."""


def iter_findings(db: Database, where: FindingFilter, order: str = DEFAULT_ORDER
                  ) -> Iterator[dict[str, Any]]:
    """Yield matching findings as dictionaries of the ``LIST_COLUMNS`` fields."""
    condition, params = where.where()
    cursor = db.execute(
        f"SELECT {LIST_COLUMNS} FROM findings f JOIN assets a ON a.id = f.asset_id"
        f" JOIN vulnerabilities v ON v.id = f.vulnerability_id WHERE {condition} ORDER BY {order}",
        params,
    )
    names = [column[0] for column in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def count_findings(db: Database, where: FindingFilter) -> int:
    """Return how many findings match."""
    condition, params = where.where()
    row = db.execute(
        f"SELECT count(*) FROM findings f JOIN assets a ON a.id = f.asset_id WHERE {condition}",
        params,
    ).fetchone()
    return int(row[0])


def get_finding(db: Database, finding_id: int) -> dict[str, Any] | None:
    """Return one finding with its vulnerability's fields, or None."""
    cursor = db.execute(
        "SELECT f.*, a.ip, a.hostname, a.fqdn, a.netbios, a.os, a.tier, a.key AS asset_key,"
        " v.family, v.scanner_severity, v.severity AS vulnerability_severity,"
        " v.cvss2_score, v.cvss2_vector, v.cvss3_score, v.cvss3_vector, v.cvss4_score,"
        " v.cvss4_vector, v.cves AS cve_list, v.cwes, v.synopsis, v.description, v.solution,"
        " v.refs, v.plugin_type, v.exploit_available, v.published, v.patch_published"
        " FROM findings f JOIN assets a ON a.id = f.asset_id"
        " JOIN vulnerabilities v ON v.id = f.vulnerability_id WHERE f.id = ?",
        [finding_id],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    record = dict(zip([column[0] for column in cursor.description], row, strict=True))
    for name in ("cve_list", "cwes", "refs"):
        record[name] = json.loads(record[name] or "[]")
    return record


def observations(db: Database, finding_id: int) -> list[dict[str, Any]]:
    """Return every sighting of a finding, newest first, with its scan's name and file."""
    cursor = db.execute(
        "SELECT o.scan_id, o.seen_at, o.plugin_output, o.qod, s.name AS scan_name,"
        " s.file_name, s.scanner FROM observations o JOIN scans s ON s.id = o.scan_id"
        " WHERE o.finding_id = ? ORDER BY o.seen_at DESC, o.scan_id DESC",
        [finding_id],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def existing_ids(db: Database, ids: list[int]) -> set[int]:
    """Return which of ``ids`` are findings."""
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = db.execute(
            f"SELECT id FROM findings WHERE id IN ({', '.join('?' * len(chunk))})", chunk
        )
        found.update(row[0] for row in rows)
    return found
