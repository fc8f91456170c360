"""Turning the results of CSV rows into the record stream of an import.

Rows of one finding that follow each other become one ``FindingRecord``.
Hosts are collected and yielded once each at the end. Each skipped row gets
a warning of its own, up to ``MAX_ROW_WARNINGS`` per reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields

from patchtui.importers.csvutil import CsvReport, Row
from patchtui.importers.model import FindingRecord, HostRecord, ParseWarning, Record

MAX_ROW_WARNINGS = 100
"""Skipped rows warned about one by one for each reason; the rest share one warning."""

_MAX_LISTED_LINES = 10


@dataclass(slots=True)
class Skip:
    """A row left out, and the reason shared by every row skipped the same way."""

    reason: str
    summarised: bool = False
    """True for rows left out on purpose, not damaged (findings an export marks as
    Fixed): they share one warning that gives their count and first lines."""


@dataclass(slots=True)
class RowResult:
    """The outcome of one row: its host (when it names one) and a finding or a skip."""

    host: HostRecord | None
    outcome: FindingRecord | Skip


def host_key(address: str | None, name: str | None) -> str | None:
    """Return the asset key: the IP address, else the lower-cased host name."""
    if address:
        return address
    return name.lower() if name else None


def finding_key(finding: FindingRecord) -> tuple[str | None, str, int, str]:
    return (
        host_key(finding.host_address, finding.host_name),
        finding.plugin_id,
        finding.port,
        finding.protocol,
    )


def _merge_unique(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def merge_findings(kept: FindingRecord, repeat: FindingRecord) -> None:
    """Fold a repeated row of the same finding into ``kept``.

    Nessus and Tenable.io write one row per CVE of a plugin, so the lists are
    joined. A different plugin output (one check reporting twice on a port) is
    appended after a blank line. Empty fields are filled from the repeat.
    """
    kept.cves = _merge_unique(kept.cves, repeat.cves)
    kept.cwes = _merge_unique(kept.cwes, repeat.cwes)
    kept.references = _merge_unique(kept.references, repeat.references)
    if repeat.plugin_output and repeat.plugin_output != kept.plugin_output:
        kept.plugin_output = (
            f"{kept.plugin_output}\n\n{repeat.plugin_output}" if kept.plugin_output else repeat.plugin_output
        )
    for item in fields(FindingRecord):
        if getattr(kept, item.name) is None:
            setattr(kept, item.name, getattr(repeat, item.name))


def merge_hosts(kept: HostRecord, other: HostRecord) -> None:
    """Fill ``kept``'s empty properties from another row of the same host.

    A failed login (False) wins over a working one, so local checks on that
    host are never taken as proof that a finding is gone.
    """
    for item in fields(HostRecord):
        if item.name != "credentialed" and getattr(kept, item.name) is None:
            setattr(kept, item.name, getattr(other, item.name))
    if other.credentialed is False or (kept.credentialed is None and other.credentialed is not None):
        kept.credentialed = other.credentialed


@dataclass
class RecordStream:
    """Builds the record stream of a CSV import from the results of its rows.

    Consecutive rows of one finding become one ``FindingRecord``; rows that
    repeat a finding further apart stay separate records. Hosts are yielded
    at the end, one per asset, with the properties of all their rows.
    """

    hosts: dict[str, HostRecord] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    """Rows skipped, by reason."""
    summarised_lines: dict[str, list[int]] = field(default_factory=dict)
    """The first lines of the rows skipped for each summarised reason."""
    pending: FindingRecord | None = None

    def push(self, line: int, result: RowResult) -> Iterator[FindingRecord | ParseWarning]:
        if result.host is not None:
            self._add_host(result.host)
        outcome = result.outcome
        if isinstance(outcome, Skip):
            yield from self._skip(outcome, line)
            return
        if self.pending is not None and finding_key(self.pending) == finding_key(outcome):
            merge_findings(self.pending, outcome)
            return
        if self.pending is not None:
            yield self.pending
        self.pending = outcome

    def _skip(self, skip: Skip, line: int) -> Iterator[ParseWarning]:
        count = self.skipped[skip.reason] = self.skipped.get(skip.reason, 0) + 1
        if skip.summarised:
            lines = self.summarised_lines.setdefault(skip.reason, [])
            if len(lines) < _MAX_LISTED_LINES:
                lines.append(line)
        elif count <= MAX_ROW_WARNINGS:
            yield ParseWarning(f"row skipped: {skip.reason}", line)

    def _add_host(self, host: HostRecord) -> None:
        key = host_key(host.address, host.name)
        if key is None:
            return
        if key in self.hosts:
            merge_hosts(self.hosts[key], host)
        else:
            self.hosts[key] = host

    def finish(self, report: CsvReport) -> Iterator[Record]:
        """Yield the last finding, the hosts and the warnings that sum up skipped rows."""
        if self.pending is not None:
            yield self.pending
            self.pending = None
        yield from self.hosts.values()
        for reason, count in self.skipped.items():
            lines = self.summarised_lines.get(reason)
            if lines is not None:
                yield summary_warning(reason, count, lines)
            elif count > MAX_ROW_WARNINGS:
                yield ParseWarning(f"{count - MAX_ROW_WARNINGS} more rows skipped: {reason}",
                                   skipped=count - MAX_ROW_WARNINGS)
        if report.empty_rows:
            plural = "row" if report.empty_rows == 1 else "rows"
            yield ParseWarning(f"{report.empty_rows} empty {plural} skipped", skipped=report.empty_rows)


def summary_warning(reason: str, count: int, lines: list[int]) -> ParseWarning:
    """Return one warning for the rows skipped for ``reason``, listing their first lines."""
    if count == 1:
        return ParseWarning(f"row skipped: {reason}", lines[0])
    listed = ", ".join(str(line) for line in lines)
    more = ", ..." if count > len(lines) else ""
    return ParseWarning(f"{count} rows skipped: {reason} (lines {listed}{more})", skipped=count)


def stream_records(report: CsvReport, rows: Iterable[Row], convert: Callable[[Row], RowResult]) -> Iterator[Record]:
    """Convert ``rows`` of ``report`` and yield their findings, then hosts and warnings."""
    builder = RecordStream()
    for row in rows:
        yield from builder.push(row.line, convert(row))
    yield from builder.finish(report)
