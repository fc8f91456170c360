"""Report importers: detect a report's format from its content and stream its records.

Each importer module provides:

- ``FORMAT``: a short name such as ``nessus-xml``;
- ``sniff(head: bytes) -> bool``: a cheap check on the first bytes of a file;
- ``parse(path: Path) -> Iterator[Record]``: the records of ``model``, streamed,
  raising ``ReportError`` (with line and column where known) for a file it
  cannot read.

The file name never decides the format.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from patchtui.errors import ReportError, UnknownFormatError
from patchtui.importers import (
    csvutil,
    nessus_csv,
    nessus_xml,
    openvas_csv,
    openvas_xml,
    tenable_csv,
)
from patchtui.importers.model import Record

SNIFF_BYTES = 65536

IMPORTERS: tuple[ModuleType, ...] = (
    nessus_xml, openvas_xml, nessus_csv, tenable_csv, openvas_csv,
)
"""Importers in the order they are asked; the first whose ``sniff`` accepts wins."""

_MAGIC = {
    b"\x1f\x8b": "a gzip-compressed file: decompress it first (gunzip)",
    b"PK\x03\x04": "a zip archive: extract the report from it first (unzip)",
    b"BZh": "a bzip2-compressed file: decompress it first (bunzip2)",
    b"\xfd7zXZ": "an xz-compressed file: decompress it first (unxz)",
    b"%PDF": "a PDF document: export the scan as .nessus XML, Greenbone XML or CSV",
}


def read_head(path: Path) -> bytes:
    """Return the first bytes of ``path``, raising ``ReportError`` when unreadable."""
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except IsADirectoryError as err:
        raise ReportError(path, "is a directory, not a report file") from err
    except FileNotFoundError as err:
        raise ReportError(path, "file not found") from err
    except OSError as err:
        raise ReportError(path, f"cannot read the file: {err.strerror}") from err


def detect(path: Path) -> ModuleType:
    """Return the importer module that reads ``path``, judged by content alone."""
    head = read_head(path)
    if not head.strip():
        raise UnknownFormatError(path, "the file is empty: export the scan report again")
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise UnknownFormatError(path, f"this is {what}")
    for importer in IMPORTERS:
        if importer.sniff(head):
            return importer
    unknown_csv = csvutil.describe_unknown_header(head)
    if unknown_csv is not None:
        raise UnknownFormatError(path, unknown_csv[0], unknown_csv[1])
    raise UnknownFormatError(
        path,
        "not a recognised report: expected Nessus XML (.nessus), Greenbone/OpenVAS XML, "
        "or a Nessus, Tenable or Greenbone CSV export",
    )


def parse_report(path: Path) -> tuple[str, Iterator[Record]]:
    """Detect the format of ``path`` and return its name and its record stream."""
    importer = detect(path)
    return importer.FORMAT, importer.parse(path)
