"""FIRST EPSS daily scores: ``epss_scores-YYYY-MM-DD.csv``, gzipped or not.

The first line is a comment such as
``#model_version:v2025.03.14,score_date:2025-03-15T00:00:00+0000``, then the
header ``cve,epss,percentile``, then one CVE a line with its probability of
exploitation in the next 30 days and that probability's percentile, both 0 to 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from patchtui.errors import ReportError
from patchtui.threatdata.model import EpssScores, midnight

HEADER = ("cve", "epss", "percentile")
CVE = re.compile(r"CVE-\d{4}-\d{4,}")
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
DOWNLOAD_HINT = "download the day's scores again from FIRST (epss_scores-YYYY-MM-DD.csv.gz)"


def _metadata(comment: str) -> dict[str, str]:
    """Parse ``#key:value,key:value``; a value may itself contain colons."""
    pairs = {}
    for part in comment.lstrip("#").split(","):
        key, _, value = part.partition(":")
        pairs[key.strip()] = value.strip()
    return pairs


def _score_date(path: Path, metadata: dict[str, str]) -> datetime:
    text = metadata.get("score_date")
    if text:
        try:
            return datetime.fromisoformat(text).astimezone(UTC)
        except ValueError as err:
            raise ReportError(path, f"score_date {text!r} is not a date and time: "
                              + DOWNLOAD_HINT, 1) from err
    match = _DATE_IN_NAME.search(path.name)
    if match is None:
        raise ReportError(path, "the file gives no score_date and its name no date "
                          "(epss_scores-YYYY-MM-DD.csv): " + DOWNLOAD_HINT, 1)
    return midnight(match.group(1))


def _probability(path: Path, line_number: int, name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise ReportError(path, f"{name} {text!r} is not a number from 0 to 1: fix or remove "
                          f"that line, or {DOWNLOAD_HINT}", line_number)
    return value


def parse(path: Path, lines: Iterator[str]) -> EpssScores:
    """Read the scores from the file's text ``lines`` (already decompressed and decoded)."""
    line_number, first = 1, next(lines, "").strip()
    metadata: dict[str, str] = {}
    if first.startswith("#"):
        metadata = _metadata(first)
        line_number, first = 2, next(lines, "").strip()
    header = tuple(name.strip().lower() for name in first.split(","))
    if header != HEADER:
        raise ReportError(path, f"expected the header 'cve,epss,percentile', found {first[:60]!r}: "
                          + DOWNLOAD_HINT, line_number)
    released = _score_date(path, metadata)

    rows = []
    first_data_line = line_number + 1
    for line_number, line in enumerate(lines, start=first_data_line):
        fields = line.strip().split(",")
        if fields == [""]:
            continue
        if len(fields) != 3:
            raise ReportError(path, f"expected 3 values (cve,epss,percentile), found "
                              f"{len(fields)} in {line.strip()[:60]!r}: {DOWNLOAD_HINT}",
                              line_number)
        cve = fields[0].strip().upper()
        if not CVE.fullmatch(cve):
            raise ReportError(path, f"{fields[0]!r} is not a CVE id such as CVE-2021-44228: "
                              f"fix or remove that line, or {DOWNLOAD_HINT}", line_number)
        rows.append((cve, _probability(path, line_number, "epss", fields[1]),
                     _probability(path, line_number, "percentile", fields[2])))
    if not rows:
        raise ReportError(path, "the file lists no scores: " + DOWNLOAD_HINT)
    return EpssScores(model_version=metadata.get("model_version") or None, released=released,
                      rows=rows)
