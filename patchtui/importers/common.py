"""Helpers shared by the importers: severities, CVSS vectors, ports, dates."""

from __future__ import annotations

import ipaddress
import os
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from patchtui.importers.model import SEVERITIES

_SEVERITY_WORDS = {
    "none": "info", "info": "info", "informational": "info", "log": "info", "false positive": "info",
    "low": "low", "medium": "medium", "moderate": "medium", "high": "high",
    "critical": "critical", "urgent": "critical",
}


def severity_name(value: str | int | None) -> str | None:
    """Map a scanner's severity word or Nessus 0-4 number to a name in ``SEVERITIES``."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text.isdigit() and int(text) < len(SEVERITIES):
        return SEVERITIES[int(text)]
    return _SEVERITY_WORDS.get(text)


def severity_from_score(score: float) -> str:
    """Return the CVSS v3 qualitative rating of a base score."""
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    if score > 0.0:
        return "low"
    return "info"


def parse_score(text: str | None) -> float | None:
    """Parse a CVSS base score, or None when the text is empty or not a number in 0-10."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    try:
        score = float(text)
    except ValueError:
        return None
    if 0.0 <= score <= 10.0:
        return score
    return None


def normalise_vector(version: int, vector: str | None) -> str | None:
    """Return a CVSS vector in the form the ``cvss`` package reads, or None.

    Nessus writes v2 vectors as ``CVSS2#AV:N/...`` and some exports drop the
    ``CVSS:3.x/`` prefix of v3 vectors; both are accepted.
    """
    if not vector:
        return None
    vector = vector.strip()
    if version == 2:
        vector = vector.removeprefix("CVSS2#").removeprefix("(").removesuffix(")")
    elif version == 3 and not vector.startswith("CVSS:3"):
        vector = "CVSS:3.0/" + vector
    elif version == 4 and not vector.startswith("CVSS:4"):
        vector = "CVSS:4.0/" + vector
    return vector


@lru_cache(maxsize=4096)
def score_vector(version: int, vector: str) -> float | None:
    """Return the base score of a CVSS vector, or None when it does not parse."""
    classes = {2: CVSS2, 3: CVSS3, 4: CVSS4}
    normalised = normalise_vector(version, vector)
    if normalised is None:
        return None
    try:
        return float(classes[version](normalised).base_score)
    except (CVSSError, ValueError, KeyError, IndexError):
        return None


_CVE = re.compile(r"CVE-\d{4}-\d{4,}", re.IGNORECASE)


def find_cves(text: str | None) -> list[str]:
    """Return the CVE ids in ``text``, upper-cased, in order and without repeats."""
    if not text:
        return []
    return list(dict.fromkeys(match.upper() for match in _CVE.findall(text)))


def parse_cwe(text: str | None) -> str | None:
    """Return ``CWE-<n>`` for ``CWE-79``, ``cwe-79`` or ``79``; None otherwise."""
    if not text:
        return None
    match = re.fullmatch(r"(?:CWE-?)?\s*(\d+)", text.strip(), re.IGNORECASE)
    return f"CWE-{int(match.group(1))}" if match else None


def parse_ip(text: str | None) -> str | None:
    """Return ``text`` as a normalised IP address, or None when it is not one."""
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


_PORT_IN_PARENS = re.compile(r"\((\d+)/(\w+)\)")
_PORT_SLASH = re.compile(r"^\s*(\d+|general|package)\s*/\s*([\w-]+)\s*$", re.IGNORECASE)


def parse_port(text: str | None, protocol: str | None = None) -> tuple[int, str]:
    """Parse ``443``, ``443/tcp``, ``general/tcp``, ``general/CPE-T`` or
    ``microsoft-ds (445/tcp)`` into (port, protocol); host-level results get port 0.
    """
    default_protocol = (protocol or "tcp").strip().lower() or "tcp"
    if not text or not text.strip():
        return 0, default_protocol
    text = text.strip()
    if text.isdigit():
        return int(text), default_protocol
    match = _PORT_IN_PARENS.search(text)
    if match:
        return int(match.group(1)), match.group(2).lower()
    match = _PORT_SLASH.match(text)
    if match:
        number, proto = match.groups()
        return (int(number) if number.isdigit() else 0), proto.lower()
    return 0, default_protocol


def from_timestamp(text: str | None) -> datetime | None:
    """Parse a Unix timestamp in text, or None."""
    if not text or not text.strip().isdigit():
        return None
    return datetime.fromtimestamp(int(text.strip()), UTC)


def clean(text: str | None) -> str | None:
    """Strip ``text`` and turn an empty string into None."""
    if text is None:
        return None
    text = text.strip()
    return text or None


_open_report: ContextVar[BinaryIO | None] = ContextVar("open_report", default=None)


def open_report(path: Path) -> BinaryIO:
    """Open a report for binary reading and remember it, so ``read_fraction`` can tell progress.

    Importers open their file through this function; the caller of ``parse`` reads
    the progress from the same thread.
    """
    handle = path.open("rb")
    _open_report.set(handle)
    return handle


def read_fraction() -> float | None:
    """Return how much of the report being parsed has been read, from 0 to 1, if known."""
    handle = _open_report.get()
    if handle is None or handle.closed:
        return None
    size = os.fstat(handle.fileno()).st_size
    return min(1.0, handle.tell() / size) if size else 1.0
