"""Records the threat-data readers return. They know nothing of the database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(slots=True)
class KevEntry:
    """One vulnerability of the CISA Known Exploited Vulnerabilities catalogue."""

    cve: str
    vendor_project: str | None
    product: str | None
    vulnerability_name: str | None
    date_added: str
    """ISO date ``YYYY-MM-DD``."""
    short_description: str | None
    required_action: str | None
    due_date: str | None
    """ISO date by which US federal agencies must act."""
    ransomware: str | None
    """``Known`` when the vulnerability is known to be used in ransomware campaigns."""
    notes: str | None
    cwes: list[str] = field(default_factory=list)

    def row(self) -> tuple[str | None, ...]:
        """Return the values in ``patchtui.store.threats.KEV_COLUMNS`` order."""
        return (self.cve, self.vendor_project, self.product, self.vulnerability_name,
                self.date_added, self.short_description, self.required_action, self.due_date,
                self.ransomware, self.notes, json.dumps(self.cwes))


@dataclass(slots=True)
class KevCatalogue:
    """A whole KEV catalogue file."""

    format: str
    """``kev-json`` or ``kev-csv``."""
    version: str | None
    """``catalogVersion``; the CSV download carries none."""
    released: datetime
    """``dateReleased``; for the CSV download, the newest ``dateAdded``."""
    entries: list[KevEntry]


@dataclass(slots=True)
class EpssScores:
    """A whole FIRST EPSS daily scores file."""

    model_version: str | None
    released: datetime
    """The file's ``score_date``."""
    rows: list[tuple[str, float, float]]
    """(CVE, probability, percentile), each from 0 to 1."""
    format: str = "epss-csv"


ThreatFile = KevCatalogue | EpssScores


def midnight(day_text: str) -> datetime:
    """Return the start of an ISO date in UTC."""
    return datetime.fromisoformat(day_text).replace(tzinfo=UTC)
