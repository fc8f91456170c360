"""Parsing the values of scanner CSV exports: scores, dates, flags, ports, hosts and lists."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from patchtui.importers.common import (
    clean,
    parse_cwe,
    parse_ip,
    parse_port,
    parse_score,
    score_vector,
)

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}

# Tenable.sc writes times with a zone abbreviation ("Jan 5, 2021 10:24:08 MST"). Only
# abbreviations with one meaning are listed; a time in any other zone is left unset.
_ZONE_OFFSETS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
    "CET": 1,
    "CEST": 2,
}

_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_WORDED = re.compile(
    r"([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+([A-Za-z]{1,5}))?)?"
)
_CWE_REFERENCE = re.compile(r"\bCWE\s*[#:\-]?\s*(\d+)\b", re.IGNORECASE)
_PORT_DIGITS = re.compile(r"[0-9]+")
_MAX_PORT = 65535


def cvss_score(text: str | None) -> float | None:
    """Parse a CVSS base score written ``5.0``, ``5``, ``5,0`` or ``50``.

    A spreadsheet with a decimal comma turns ``5.0`` into ``50``; a whole
    number from 11 to 100 is read as tenths for that reason.
    """
    text = clean(text)
    if text is None:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    score = parse_score(text)
    if score is None and text.isascii() and text.isdigit() and 10 < int(text) <= 100:
        return int(text) / 10
    return score


def cvss_fields(version: int, score_text: str | None, vector_text: str | None) -> tuple[float | None, str | None]:
    """Return a CVSS score and vector, scoring the vector when the score is empty."""
    vector = clean(vector_text)
    score = cvss_score(score_text)
    if score is None and vector is not None:
        score = score_vector(version, vector)
    return score, vector


def iso_date(text: str | None) -> str | None:
    """Return ``YYYY-MM-DD`` for ``2020/10/30``, ``2023-06-05T00:00:00Z`` or ``Jan 5, 2009 ...``."""
    text = clean(text)
    if text is None:
        return None
    match = _ISO_DATE.match(text)
    if match:
        parts = tuple(int(part) for part in match.groups())
    else:
        worded = _WORDED.match(text)
        month = _MONTHS.get(worded.group(1).lower()) if worded else None
        if worded is None or month is None:
            return None
        parts = (int(worded.group(3)), month, int(worded.group(2)))
    year, month, day = parts
    try:
        return datetime(year, month, day).date().isoformat()
    except ValueError:
        return None


def timestamp(text: str | None) -> datetime | None:
    """Parse an ISO 8601 time or a Tenable.sc time such as ``Jan 5, 2021 10:24:08 MST``.

    Returns an aware UTC datetime, or None when the zone abbreviation is not
    in ``_ZONE_OFFSETS``. An ISO time without a zone is read as UTC.
    """
    text = clean(text)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return _worded_timestamp(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _worded_timestamp(text: str) -> datetime | None:
    match = _WORDED.fullmatch(text)
    if match is None or match.group(4) is None:
        return None
    month = _MONTHS.get(match.group(1).lower())
    offset = _ZONE_OFFSETS.get((match.group(7) or "UTC").upper())
    if month is None or offset is None:
        return None
    hour, minute, second = (int(match.group(index) or 0) for index in (4, 5, 6))
    try:
        local = datetime(
            int(match.group(3)),
            month,
            int(match.group(2)),
            hour,
            minute,
            second,
            tzinfo=timezone(timedelta(hours=offset)),
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


def flag(text: str | None) -> bool | None:
    """Return True for ``true``/``yes``/``1``, False for ``false``/``no``/``0``, else None."""
    text = (clean(text) or "").lower()
    if text in ("true", "yes", "y", "1"):
        return True
    if text in ("false", "no", "n", "0"):
        return False
    return None


_HOST_LEVEL_PORT = re.compile(r"^0$|general|package|\(0/", re.IGNORECASE)


def port_fields(port_text: str | None, protocol_text: str | None) -> tuple[int, str] | None:
    """Return (port, protocol) from a port cell and a protocol cell, or None when invalid.

    Accepts every form ``common.parse_port`` does; an empty port is a host-level result.
    """
    port_text = clean(port_text)
    protocol = (clean(protocol_text) or "tcp").lower()
    if port_text is not None and port_text.isdigit() and not _PORT_DIGITS.fullmatch(port_text):
        return None
    port, protocol = parse_port(port_text, protocol)
    if port > _MAX_PORT:
        return None
    if port == 0 and port_text is not None and not _HOST_LEVEL_PORT.search(port_text):
        return None  # text such as "abc" that names no port at all
    return port, protocol


def host_identity(address_texts: list[str | None], name_text: str | None) -> tuple[str | None, str | None]:
    """Return (address, name) for a row: the first valid IP address, and the host name.

    A name that is itself an IP address is used as the address. Several
    addresses in one cell (``10.0.0.1, 10.0.0.2``) give the first one.
    """
    address = None
    for text in [*address_texts, name_text]:
        for candidate in re.split(r"[\s,;]+", text or ""):
            address = parse_ip(candidate)
            if address:
                break
        if address:
            break
    name = clean(name_text)
    if name is not None and parse_ip(name) is not None:
        name = None
    return address, name


def split_list(text: str | None) -> list[str]:
    """Split a cell listing values by newlines or commas, without blanks or repeats."""
    if not text:
        return []
    items = (item.strip() for item in re.split(r"[\r\n,]+", text))
    return list(dict.fromkeys(item for item in items if item))


def split_lines(text: str | None) -> list[str]:
    """Split a cell listing one value a line (``See Also`` URLs), without blanks or repeats."""
    if not text:
        return []
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def cwe_list(cwe_text: str | None, references: list[str]) -> list[str]:
    """Return ``CWE-<n>`` ids from a CWE cell (``79``, ``CWE-79``) and from cross references."""
    found = [parse_cwe(item) for item in split_list(cwe_text)]
    for reference in references:
        found.extend(f"CWE-{int(number)}" for number in _CWE_REFERENCE.findall(reference))
    return list(dict.fromkeys(cwe for cwe in found if cwe))
