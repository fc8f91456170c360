"""The records every importer yields, whatever the report format.

An importer streams a report as a sequence of these records: one
``ScanInfo`` before the first finding (a second one may follow at the end
with fields the format only gives there, such as the end time), a
``HostRecord`` for each host whose properties the report lists, a
``FindingRecord`` for each result, and a ``ParseWarning`` for each record it
had to skip. Importers know nothing of the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SEVERITIES = ("info", "low", "medium", "high", "critical")
"""Severity names, lowest first; a severity's index is its rank."""


@dataclass(slots=True)
class ScanInfo:
    """The report's facts about the scan as a whole."""

    scanner: str
    """``nessus`` (Nessus, Tenable.sc, Tenable.io) or ``openvas`` (Greenbone)."""
    format: str
    """Importer that read the file, such as ``nessus-xml`` or ``openvas-csv``."""
    name: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    scanner_version: str | None = None
    policy_name: str | None = None
    plugin_set: frozenset[str] | None = None
    """Check ids the scan ran, when the report lists them (Nessus ``plugin_set``)."""
    complete: bool = True
    """False when the report shows an unfinished scan (stopped, interrupted) or a delta
    report; such a report records sightings but fixes nothing."""


@dataclass(slots=True)
class HostRecord:
    """Properties of one scanned host."""

    address: str | None
    """IP address as the scanner reports it, or None when it gives only a name."""
    name: str | None = None
    """The scanner's name for the host (Nessus ``ReportHost@name``)."""
    fqdn: str | None = None
    netbios: str | None = None
    os: str | None = None
    mac: str | None = None
    credentialed: bool | None = None
    """True when a login worked, False when it failed, None when the report does not show it."""
    started_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass(slots=True)
class FindingRecord:
    """One result: one check's verdict on one host and port."""

    host_address: str | None
    host_name: str | None
    plugin_id: str
    """Nessus plugin ID or OpenVAS NVT OID."""
    name: str
    port: int = 0
    """0 for host-level results (Nessus port 0, OpenVAS ``general/tcp``)."""
    protocol: str = "tcp"
    service: str | None = None
    scanner_severity: str = "info"
    """The scanner's own rating, one of ``SEVERITIES``."""
    family: str | None = None
    cvss2_score: float | None = None
    cvss2_vector: str | None = None
    cvss3_score: float | None = None
    cvss3_vector: str | None = None
    cvss4_score: float | None = None
    cvss4_vector: str | None = None
    cves: list[str] = field(default_factory=list)
    cwes: list[str] = field(default_factory=list)
    synopsis: str | None = None
    description: str | None = None
    solution: str | None = None
    references: list[str] = field(default_factory=list)
    plugin_type: str | None = None
    """``local`` for checks that need a login, ``remote``, ``combined`` or None."""
    exploit_available: bool | None = None
    published: str | None = None
    """Publication date as ISO ``YYYY-MM-DD`` text."""
    patch_published: str | None = None
    plugin_output: str | None = None
    qod: int | None = None
    """OpenVAS quality of detection, 0-100."""
    seen_at: datetime | None = None
    """When the scanner checked this host, if the format gives it per result."""


@dataclass(slots=True)
class ParseWarning:
    """A record the importer skipped or changed, with where and why."""

    message: str
    line: int | None = None
    skipped: int = 1
    """How many records the warning stands for; 0 for a note that skips nothing."""


Record = ScanInfo | HostRecord | FindingRecord | ParseWarning
