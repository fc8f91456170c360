"""Which severity a finding has."""

from __future__ import annotations

from patchtui.importers.common import severity_from_score
from patchtui.importers.model import SEVERITIES


def effective_severity(cvss3_score: float | None, scanner_severity: str | None) -> str:
    """Return the severity from the CVSS v3 base score, else the scanner's own rating.

    The scanner's rating is kept beside this value by the caller, never replaced.
    """
    if cvss3_score is not None:
        return severity_from_score(cvss3_score)
    if scanner_severity in SEVERITIES:
        return scanner_severity
    return "info"


def severity_rank(name: str) -> int:
    """Return the rank of a severity name, 0 for info up to 4 for critical."""
    return SEVERITIES.index(name)
