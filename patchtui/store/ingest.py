"""Write one parsed report into the database, applying the re-scan rules.

The whole file is one transaction: a parse error, a cancel or any other
failure rolls it back, so a file is either fully recorded or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from patchtui.clock import to_text
from patchtui.errors import ImportCancelled
from patchtui.importers.common import score_vector
from patchtui.importers.model import SEVERITIES, FindingRecord, HostRecord, ParseWarning, Record, ScanInfo
from patchtui.store.assets import AssetWriter
from patchtui.store.exceptions import apply_to_scan as apply_exceptions
from patchtui.store.host_order import host_sort_key
from patchtui.store.policy import refresh_after_import
from patchtui.store.search import refresh_for_scan
from patchtui.store.verify import judge, pack_plugin_set
from patchtui.triage import rescan
from patchtui.triage.severity import effective_severity, severity_rank

BATCH = 2000
SEVERITY_RANKS = {name: rank for rank, name in enumerate(SEVERITIES)}
CACHE_FINDINGS = 50_000
"""Most findings kept in memory during an import; beyond it, assets are reloaded as needed."""


@dataclass(slots=True)
class ScanFile:
    """The file being imported and who imports it."""

    file_name: str
    sha256: str
    modified_at: datetime
    """File modification time, the scan time of last resort (CSV exports carry none)."""
    imported_at: datetime
    actor: str


@dataclass(slots=True)
class ImportSummary:
    """The outcome of one import; the same fields appear in ``patchtui import --json``."""

    file: str
    scan_id: int | None = None
    scanner: str | None = None
    format: str | None = None
    scan_name: str | None = None
    scan_time: str | None = None
    time_source: str | None = None
    hosts: int = 0
    findings: int = 0
    new: int = 0
    seen_again: int = 0
    fixed: int = 0
    reopened: int = 0
    not_verifiable: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    duplicate_of: int | None = None
    """Id of the earlier scan with the same SHA-256, when the file was imported before."""


@dataclass(slots=True)
class _Known:
    """The state of one finding as the import found or left it."""

    id: int
    status: str
    status_at: str
    last_seen: str
    first_seen: str


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


class _AssetFindings:
    """One asset's findings for the scan's scanner, and which of them this scan has seen."""

    __slots__ = ("by_key", "seen")

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, int, str], _Known] = {}
        self.seen: set[int] = set()


Progress = Callable[[int], None]
"""Called with the number of findings read so far, after every host and every batch;
may raise ``ImportCancelled``."""


def find_scan_by_hash(db: Database, sha256: str) -> int | None:
    """Return the id of the scan imported from a file with this SHA-256, if any."""
    row = db.execute("SELECT id FROM scans WHERE sha256 = ?", [sha256]).fetchone()
    return row[0] if row else None


class _Ingest:
    def __init__(self, db: Database, source: ScanFile, summary: ImportSummary) -> None:
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.source = source
        self.summary = summary
        self.scan: ScanInfo | None = None
        self.scan_id = 0
        self.fallback_time = to_text(source.modified_at)
        self.assets = AssetWriter(self.conn)
        self.vulnerabilities: dict[str, int] = {}
        self.known: OrderedDict[int, _AssetFindings] = OrderedDict()
        self.cached_findings = 0
        self.host_times: dict[int, str] = {}
        self.earliest: str | None = None
        self.pending: list[FindingRecord] = []
        self.next_id: int | None = None
        self.host_results: dict[int, int] = {}
        self.merged = 0
        self.lowest_severity: int | None = None
        """Lowest scanner severity rank among the report's results."""
        self.new_rows: list[tuple] = []
        self.update_rows: list[tuple] = []
        self.observation_rows: list[tuple] = []

    # -- phase 1: stream -----------------------------------------------------

    def start(self, scan: ScanInfo) -> None:
        self.scan = scan
        cursor = self.conn.execute(
            "INSERT INTO scans (sha256, file_name, scanner, format, name, started_at, time_source,"
            " imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            (self.source.sha256, self.source.file_name, scan.scanner, scan.format, scan.name,
             self.fallback_time, to_text(self.source.imported_at), self.source.actor),
        )
        self.scan_id = int(cursor.lastrowid or 0)
        self.summary.scan_id = self.scan_id

    def default_time(self) -> str:
        if self.scan is not None and self.scan.started_at is not None:
            return to_text(self.scan.started_at)
        return self.fallback_time

    def host(self, record: HostRecord) -> None:
        scanned_at = to_text(record.started_at) if record.started_at else None
        asset_id = self.assets.resolve(record.address, record.name, scanned_at or self.default_time())
        if asset_id is None:
            return
        self.assets.update_properties(asset_id, record, scanned_at or self.default_time())
        self._touch_host(asset_id, scanned_at)
        self.conn.execute(
            "UPDATE scan_hosts SET credentialed = ?, ended_at = coalesce(?, ended_at)"
            " WHERE scan_id = ? AND asset_id = ?",
            (None if record.credentialed is None else int(record.credentialed),
             to_text(record.ended_at) if record.ended_at else None, self.scan_id, asset_id),
        )

    def _touch_host(self, asset_id: int, reported_at: str | None) -> str:
        """Record that the scan covered ``asset_id`` and return the host's scan time."""
        known = self.host_times.get(asset_id)
        if known is not None:
            return known
        if reported_at is not None and (self.earliest is None or reported_at < self.earliest):
            self.earliest = reported_at
        scanned_at = reported_at or self.default_time()
        self.host_times[asset_id] = scanned_at
        self.conn.execute(
            "INSERT OR IGNORE INTO scan_hosts (scan_id, asset_id, scanned_at) VALUES (?, ?, ?)",
            (self.scan_id, asset_id, scanned_at),
        )
        return scanned_at

    def flush(self) -> None:
        """Apply the pending findings and write them with one ``executemany`` per statement."""
        for record in self.pending:
            self._finding(record)
        self.pending.clear()
        self._write_rows()

    def _write_rows(self) -> None:
        if self.new_rows:
            self.conn.executemany(
                "INSERT INTO findings (id, asset_id, vulnerability_id, scanner, plugin_id, port, protocol,"
                " service, status, status_at, severity, cvss, name, host, cves, qod, first_seen,"
                " last_seen, first_scan_id, last_scan_id, reopened_count, host_sort)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                self.new_rows,
            )
            self.new_rows.clear()
        if self.update_rows:
            self.conn.executemany(
                "UPDATE findings SET last_seen = ?, last_scan_id = ?, qod = ?, service = coalesce(?, service),"
                " name = ?, cves = ?, cvss = ?, severity = coalesce(severity_override, ?) WHERE id = ?",
                self.update_rows,
            )
            self.update_rows.clear()
        if self.observation_rows:
            self.conn.executemany(
                "INSERT OR IGNORE INTO observations (finding_id, scan_id, seen_at, plugin_output, qod)"
                " VALUES (?, ?, ?, ?, ?)",
                self.observation_rows,
            )
            self.observation_rows.clear()

    def _new_finding_id(self) -> int:
        # The import holds SQLite's write lock from its first INSERT, so no other
        # writer can take these ids before the transaction commits.
        if self.next_id is None:
            row = self.conn.execute("SELECT max(id) FROM findings").fetchone()
            self.next_id = (row[0] or 0) + 1
        finding_id = self.next_id
        self.next_id += 1
        return finding_id

    def _finding(self, record: FindingRecord) -> None:
        scan = self.scan
        assert scan is not None  # start() ran before the first finding
        seen_at = to_text(record.seen_at) if record.seen_at else None
        rank = SEVERITY_RANKS.get(record.scanner_severity, 0)
        if self.lowest_severity is None or rank < self.lowest_severity:
            self.lowest_severity = rank
        asset_id = self.assets.resolve(record.host_address, record.host_name,
                                       seen_at or self.default_time())
        if asset_id is None:
            self.warn(f"plugin {record.plugin_id}: no usable host address or name; skipped")
            return
        host_time = self._touch_host(asset_id, seen_at)
        seen_at = seen_at or host_time
        vulnerability_id, severity, cvss = self._vulnerability(record, seen_at)
        key = (record.plugin_id, record.port, record.protocol)
        cached = self._known_for(asset_id)
        findings = cached.by_key
        known = findings.get(key)

        if known is None:
            known = _Known(self._new_finding_id(), "open", seen_at, seen_at, seen_at)
            self.new_rows.append(
                (known.id, asset_id, vulnerability_id, scan.scanner, record.plugin_id, record.port,
                 record.protocol, record.service, seen_at, severity, cvss, record.name,
                 self.assets.key_of(asset_id), ", ".join(record.cves), record.qod, seen_at,
                 seen_at, self.scan_id, self.scan_id, host_sort_key(self.assets.key_of(asset_id)))
            )
            findings[key] = known
            self.cached_findings += 1
            self.summary.new += 1
        elif known.id in cached.seen:
            self.merged += 1  # the same host listed twice, or a result repeated, in one report
            return
        else:
            self._sighting(known, record, seen_at, severity, cvss)

        cached.seen.add(known.id)
        self.host_results[asset_id] = self.host_results.get(asset_id, 0) + 1
        self.summary.findings += 1
        self.observation_rows.append((known.id, self.scan_id, seen_at, record.plugin_output, record.qod))

    def _sighting(self, known: _Known, record: FindingRecord, seen_at: str, severity: int,
                  cvss: float | None) -> None:
        self.summary.seen_again += 1
        newer = seen_at > known.last_seen
        if known.status in rescan.REOPENABLE and seen_at > known.status_at:
            self.event(known.id, "status", known.status, "open",
                       "seen again by a later scan", at=seen_at)
            self.conn.execute(
                "UPDATE findings SET status = 'open', status_at = ?, fixed_scan_id = NULL,"
                " reopened_count = reopened_count + 1, reopened_at = ?, target_at = NULL"
                " WHERE id = ?",
                (seen_at, seen_at, known.id),
            )
            known.status, known.status_at = "open", seen_at
            self.summary.reopened += 1
        if newer:
            self.update_rows.append((seen_at, self.scan_id, record.qod, record.service, record.name,
                                     ", ".join(record.cves), cvss, severity, known.id))
            known.last_seen = seen_at
        if seen_at < known.first_seen:
            self.conn.execute("UPDATE findings SET first_seen = ?, first_scan_id = ? WHERE id = ?",
                              (seen_at, self.scan_id, known.id))
            known.first_seen = seen_at

    def _known_for(self, asset_id: int) -> _AssetFindings:
        """Return the asset's findings for this scanner, from a bounded cache.

        The cache keeps memory flat however large the report: when it contains more
        than ``CACHE_FINDINGS`` findings, the least recently used assets are
        written out and dropped, and reloaded from the database if they return.
        """
        cached = self.known.get(asset_id)
        if cached is not None:
            self.known.move_to_end(asset_id)
            return cached
        assert self.scan is not None
        rows = self.conn.execute(
            "SELECT id, plugin_id, port, protocol, status, status_at, last_seen, first_seen,"
            " EXISTS (SELECT 1 FROM observations o WHERE o.finding_id = f.id AND o.scan_id = ?)"
            " FROM findings f WHERE asset_id = ? AND scanner = ?",
            (self.scan_id, asset_id, self.scan.scanner),
        ).fetchall()
        cached = _AssetFindings()
        for fid, plugin, port, protocol, status, status_at, last, first, seen_now in rows:
            cached.by_key[(plugin, port, protocol)] = _Known(fid, status, status_at, last, first)
            if seen_now:
                cached.seen.add(fid)
        self.known[asset_id] = cached
        self.cached_findings += len(rows)
        if self.cached_findings > CACHE_FINDINGS and len(self.known) > 1:
            self._write_rows()
            while self.cached_findings > CACHE_FINDINGS // 2 and len(self.known) > 1:
                _, dropped = self.known.popitem(last=False)
                self.cached_findings -= len(dropped.by_key)
        return cached

    def _vulnerability(self, record: FindingRecord, seen_at: str) -> tuple[int, int, float | None]:
        cached = self.vulnerabilities.get(record.plugin_id)
        if cached is not None:
            return cached
        assert self.scan is not None
        scores = {}
        for version in (2, 3, 4):
            score = getattr(record, f"cvss{version}_score")
            vector = getattr(record, f"cvss{version}_vector")
            if score is None and vector:
                score = score_vector(version, vector)
            scores[version] = score
        severity = effective_severity(scores[3], record.scanner_severity)
        best = next((scores[v] for v in (4, 3, 2) if scores[v] is not None), None)
        values = (
            record.name, record.family, record.scanner_severity, severity,
            scores[2], record.cvss2_vector, scores[3], record.cvss3_vector,
            scores[4], record.cvss4_vector, json.dumps(record.cves), json.dumps(record.cwes),
            record.synopsis, record.description, record.solution, json.dumps(record.references),
            record.plugin_type,
            None if record.exploit_available is None else int(record.exploit_available),
            record.published, record.patch_published, seen_at,
        )
        row = self.conn.execute(
            "SELECT id, source_time FROM vulnerabilities WHERE scanner = ? AND plugin_id = ?",
            (self.scan.scanner, record.plugin_id),
        ).fetchone()
        columns = ("name, family, scanner_severity, severity, cvss2_score, cvss2_vector,"
                   " cvss3_score, cvss3_vector, cvss4_score, cvss4_vector, cves, cwes, synopsis,"
                   " description, solution, refs, plugin_type, exploit_available, published,"
                   " patch_published, source_time")
        if row is None:
            cursor = self.conn.execute(
                f"INSERT INTO vulnerabilities (scanner, plugin_id, {columns})"
                f" VALUES (?, ?, {', '.join('?' * 21)})",
                (self.scan.scanner, record.plugin_id, *values),
            )
            vulnerability_id = int(cursor.lastrowid or 0)
        else:
            vulnerability_id = row[0]
            if row[1] is None or seen_at >= row[1]:
                assignments = ", ".join(f"{name.strip()} = ?" for name in columns.split(","))
                self.conn.execute(f"UPDATE vulnerabilities SET {assignments} WHERE id = ?",
                                  (*values, vulnerability_id))
        cached = (vulnerability_id, severity_rank(severity), best)
        self.vulnerabilities[record.plugin_id] = cached
        return cached

    def warn(self, message: str, skipped: int = 1) -> None:
        self.summary.skipped += skipped
        self.summary.warnings.append(message)

    def event(self, finding_id: int, action: str, old: str | None, new: str | None,
              note: str | None, *, at: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO events (at, actor, entity, entity_id, action, old, new, note, scan_id)"
            " VALUES (?, ?, 'finding', ?, ?, ?, ?, ?, ?)",
            (to_text(self.source.imported_at), self.source.actor, finding_id, action, old, new,
             note, self.scan_id),
        )

    # -- phase 2: what the scan did not see ----------------------------------

    def judge_absences(self) -> None:
        """Apply the re-scan rules to what this scan did not see, and to late sightings."""
        assert self.scan is not None
        judgement = judge(self.conn, self.scan_id, self.scan.scanner,
                          at=to_text(self.source.imported_at), actor=self.source.actor)
        self.summary.fixed = judgement.fixed + judgement.fixed_by_later
        if judgement.fixed_by_later:
            self.summary.warnings.append(
                f"{_count(judgement.fixed_by_later, 'finding')} in this report were already gone in a "
                "later scan of the same host, so they are fixed as of that scan")
        for verdict, count in judgement.not_verifiable.items():
            self.summary.not_verifiable += count
            self.summary.warnings.append(
                f"{_count(count, 'finding')} not verifiable: {rescan.REASONS[verdict]}")

    def settle(self) -> None:
        """Fix the scan's time and store what it could see, before absences are judged."""
        assert self.scan is not None
        scan = self.scan
        if scan.started_at is not None:
            started, source = to_text(scan.started_at), "report"
        elif self.earliest is not None:
            started, source = self.earliest, "report"
        else:
            started, source = self.fallback_time, "file-mtime"
            self.summary.warnings.append("the report gives no scan time; the file's modification "
                                         "time is used to order it among scans")
        self.summary.scan_time, self.summary.time_source = started, source
        self.conn.execute(
            "UPDATE scans SET started_at = ?, time_source = ?, complete = ?, lowest_severity = ?,"
            " plugin_set = ? WHERE id = ?",
            (started, source, int(scan.complete), self.lowest_severity,
             pack_plugin_set(scan.plugin_set), self.scan_id),
        )
        self.conn.executemany(
            "UPDATE scan_hosts SET results = ? WHERE scan_id = ? AND asset_id = ?",
            [(self.host_results.get(asset_id, 0), self.scan_id, asset_id) for asset_id in self.host_times],
        )

    def finish(self) -> None:
        assert self.scan is not None
        scan, summary = self.scan, self.summary
        summary.hosts = len(self.host_times)
        summary.scanner, summary.format, summary.scan_name = scan.scanner, scan.format, scan.name
        if self.merged:
            summary.warnings.append(
                f"{_count(self.merged, 'result')} repeated an earlier result for the same host, check, "
                "port and protocol in this report, and counted once")
        self.conn.execute(
            "UPDATE scans SET name = ?, ended_at = ?,"
            " scanner_version = ?, policy_name = ?, plugin_count = ?, hosts = ?, findings = ?,"
            " new = ?, seen_again = ?, fixed = ?, reopened = ?, not_verifiable = ?, skipped = ?,"
            " warnings = ? WHERE id = ?",
            (scan.name, to_text(scan.ended_at) if scan.ended_at else None,
             scan.scanner_version, scan.policy_name,
             len(scan.plugin_set) if scan.plugin_set else None, summary.hosts, summary.findings,
             summary.new, summary.seen_again, summary.fixed, summary.reopened,
             summary.not_verifiable, summary.skipped, json.dumps(summary.warnings), self.scan_id),
        )
        self.conn.execute(
            "INSERT INTO events (at, actor, entity, entity_id, action, new, note, scan_id)"
            " VALUES (?, ?, 'scan', ?, 'import', ?, ?, ?)",
            (to_text(self.source.imported_at), self.source.actor, self.scan_id,
             self.source.file_name,
             f"{summary.findings} findings: {summary.new} new, {summary.fixed} fixed,"
             f" {summary.reopened} reopened", self.scan_id),
        )


def ingest(db: Database, records: Iterable[Record], source: ScanFile,
           progress: Progress | None = None) -> ImportSummary:
    """Record a report's ``records`` in one transaction and return what changed.

    Raises whatever the record stream raises (``ReportError``) or ``ImportCancelled``
    from ``progress``; in both cases nothing is written.
    """
    summary = ImportSummary(file=source.file_name)
    work = _Ingest(db, source, summary)
    with db.atomic():
        for record in records:
            if isinstance(record, FindingRecord):
                if work.scan is None:
                    raise ValueError("importer yielded a finding before its ScanInfo")
                work.pending.append(record)
                if len(work.pending) >= BATCH:
                    work.flush()
                    if progress is not None:
                        progress(summary.findings)
            elif isinstance(record, HostRecord):
                if work.scan is None:
                    raise ValueError("importer yielded a host before its ScanInfo")
                work.flush()
                work.host(record)
                if progress is not None:
                    progress(summary.findings)
            elif isinstance(record, ScanInfo):
                if work.scan is None:
                    work.start(record)
                else:
                    work.scan = record
            elif isinstance(record, ParseWarning):
                where = f"line {record.line}: " if record.line else ""
                work.warn(where + record.message, record.skipped)
        if work.scan is None:
            raise ValueError("importer yielded no ScanInfo")
        work.flush()
        if progress is not None:
            progress(summary.findings)
        work.settle()
        work.judge_absences()
        _check_progress(progress, summary)
        work.finish()
        apply_exceptions(db, work.scan_id, at=to_text(source.imported_at), actor=source.actor)
        _check_progress(progress, summary)
        refresh_after_import(db, work.scan_id)
        refresh_for_scan(db.conn, work.scan_id)
        # The last chance to cancel: after this the transaction commits.
        _check_progress(progress, summary)
    return summary


def _check_progress(progress: Progress | None, summary: ImportSummary) -> None:
    """Report progress between the write steps, so a cancel during them still rolls back."""
    if progress is not None:
        progress(summary.findings)


__all__ = ["ImportCancelled", "ImportSummary", "ScanFile", "find_scan_by_hash", "ingest"]
