"""Greenbone/OpenVAS XML reports (placeholder until the importer lands)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from patchtui.errors import ReportError
from patchtui.importers.model import Record
from patchtui.importers.xmlutil import root_name

FORMAT = "openvas-xml"


def sniff(head: bytes) -> bool:
    return root_name(head) in ("get_reports_response", "report")


def parse(path: Path) -> Iterator[Record]:
    raise ReportError(path, "Greenbone XML import is not available yet")
    yield  # pragma: no cover
