"""Damaged and wrong files in tests/importers/badfiles: each fails with a clear ReportError.

A CSV row with fewer cells than the header fails the whole file rather than
being skipped. A short row means the file was cut off or a value lost its
quotes, and importing the rest would let a rescan call the lost findings fixed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from patchtui.errors import ReportError
from patchtui.importers import parse_report

BADFILES = Path(__file__).parent / "badfiles"

# File, words the reason must contain, and the line it must name (None: not a text format).
CASES = [
    ("empty.csv", "the file is empty", None),
    ("blank_lines.csv", "the file is empty", None),
    ("binary_junk.bin", "not a recognised report", None),
    ("report.zip", "zip archive: extract the report from it first", None),
    ("report.csv.gz", "gzip-compressed file: decompress it first", None),
    ("no_header.csv", "the CSV header names none of the columns", 1),
    ("short_row.csv", "the row has 6 cells but the header names 13 columns", 4),
    ("long_row.csv", "the row has 15 cells but the header has 13 columns", 3),
    ("unclosed_quote.csv", "invalid CSV in the row that starts on this line", 4),
    ("header_then_junk.csv", "the row has 1 cell but the header names 13 columns", 2),
]


def _consume(path: Path) -> None:
    _, records = parse_report(path)
    for _ in records:
        pass


@pytest.mark.parametrize(("name", "reason", "line"), CASES)
def test_bad_file_raises_report_error(name: str, reason: str, line: int | None) -> None:
    path = BADFILES / name

    with pytest.raises(ReportError) as caught:
        _consume(path)

    error = caught.value
    assert error.path == path
    assert reason in error.reason
    assert error.line == line
    assert str(error).startswith(str(path))


def test_every_bad_file_has_a_case() -> None:
    assert sorted(path.name for path in BADFILES.iterdir()) == sorted(name for name, _, _ in CASES)
