"""Loading offline threat data (CISA KEV, FIRST EPSS) and telling how old it is.

Each file is one transaction: it is read and checked in full first, then
replaces the stored catalogue or scores, and the due dates and priorities of
the findings whose vulnerabilities it changes are recomputed. A file older
than the data already loaded is rejected, as is a file that fails to read; in
both cases nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, from_text, system_clock, to_text
from patchtui.errors import ReportError
from patchtui.store import policy as policy_store
from patchtui.store import threats as threat_store
from patchtui.text import plural
from patchtui.threatdata import KevCatalogue, read_threat_file
from patchtui.triage.importing import file_sha256

STALE_AFTER_DAYS = 30
"""Threat data older than this many days is flagged: KEV grows weekly and EPSS changes daily."""

LABELS = {"kev": "CISA KEV catalogue", "epss": "EPSS scores"}


@dataclass(slots=True)
class EnrichSummary:
    """Outcome of loading one threat data file, with the fields of ``patchtui enrich --json``."""

    file: str
    kind: str
    """``kev`` or ``epss``."""
    format: str
    version: str | None
    released: str
    rows: int
    vulnerabilities: int = 0
    """Vulnerabilities in the record that the loaded data now covers."""
    findings_changed: int = 0
    age_days: int = 0
    stale: bool = False
    duplicate: bool = False
    """True when this very file was the last one loaded; nothing changed."""


@dataclass(slots=True)
class ThreatStatus:
    """The loaded data of one kind and how old it is."""

    kind: str
    version: str | None
    released: str
    file_name: str
    rows: int
    loaded_at: str
    age_days: int
    stale: bool

    def describe(self) -> str:
        """Return one line for the admin, with a warning when the data is old."""
        version = f" {self.version}" if self.version else ""
        line = (f"{LABELS[self.kind]}{version}, released {self.released[:10]}, "
                f"{plural(self.rows, 'entry', 'entries')}, loaded {self.loaded_at[:10]}")
        if self.stale:
            line += (f": {plural(self.age_days, 'day')} old (more than {STALE_AFTER_DAYS}); "
                     "load a newer file with 'patchtui enrich'")
        return line


def _age_days(released: str, now: datetime) -> int:
    return max(0, (now - from_text(released)).days)


def threat_status(db: Database, now: datetime) -> list[ThreatStatus]:
    """Return the loaded threat data, KEV first, each with its age at ``now``."""
    statuses = []
    for kind, row in sorted(threat_store.read_loads(db).items()):
        age = _age_days(row["released"], now)
        statuses.append(ThreatStatus(kind, row["version"], row["released"], row["file_name"],
                                     row["rows"], row["loaded_at"], age, age > STALE_AFTER_DAYS))
    return statuses


def _check_newer(path: Path, kind: str, released: str, stored: dict | None) -> None:
    if stored is not None and released < stored["released"]:
        raise ReportError(
            path, f"this {LABELS[kind]} file was released {released[:10]}, before the one already "
            f"loaded ({stored['released'][:10]}, from {stored['file_name']}); nothing changed: "
            "load a newer file")


def enrich_file(db: Database, path: Path, *, clock: Clock = system_clock,
                actor: str | None = None) -> EnrichSummary:
    """Load one KEV or EPSS file and return what it changed.

    Raises ``ReportError`` for a file that cannot be read, is not threat data,
    or is older than the data already loaded; nothing is written then.
    """
    data = read_threat_file(path)
    kind = "kev" if isinstance(data, KevCatalogue) else "epss"
    released = to_text(data.released.replace(microsecond=0))
    version = data.version if isinstance(data, KevCatalogue) else data.model_version
    rows = len(data.entries) if isinstance(data, KevCatalogue) else len(data.rows)
    now = clock()
    summary = EnrichSummary(file=str(path), kind=kind, format=data.format, version=version,
                            released=released, rows=rows, age_days=_age_days(released, now))
    summary.stale = summary.age_days > STALE_AFTER_DAYS

    sha256 = file_sha256(path)
    stored = threat_store.read_loads(db).get(kind)
    if stored is not None and stored["sha256"] == sha256:
        summary.duplicate = True
        return summary
    _check_newer(path, kind, released, stored)

    with db.atomic():
        if isinstance(data, KevCatalogue):
            threat_store.replace_kev(db, (entry.row() for entry in data.entries))
        else:
            threat_store.replace_epss(db, data.rows)
        threat_store.record_load(db, kind=kind, version=version, released=released,
                                 file_name=path.name, sha256=sha256, rows=rows,
                                 at=to_text(now), actor=actor or current_actor())
        threat_store.refresh_vulnerability_threats(db, only_stale=False)
        summary.findings_changed = policy_store.refresh_changed_vulnerabilities(db)
    summary.vulnerabilities = threat_store.count_covered(db, kind)
    return summary
