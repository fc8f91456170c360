"""Tenable.sc, Tenable.io and Tenable Vulnerability Management CSV exports.

They report Nessus plugin results, so the scanner is ``nessus`` and a finding
gets the same key as in a ``.nessus`` file of the same scan. Columns go by
the names in ``nessus_csv.ALIASES``: Tenable.sc's ``Plugin``, ``IP Address``
and ``DNS Name``, Tenable.io's ``Plugin ID``, ``Host`` and ``IP Address``, and
dotted names such as ``definition.id`` and ``asset.display_fqdn``. Rows whose
``Vulnerability State`` is ``Fixed`` are skipped with a warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from patchtui.importers import csvutil
from patchtui.importers.model import Record
from patchtui.importers.nessus_csv import ALIASES, parse_nessus_family

FORMAT = "tenable-csv"

REQUIRED = {"'Plugin ID'": ("plugin_id",), "host or 'IP Address'": ("host", "ip")}


def sniff(head: bytes) -> bool:
    return csvutil.sniff_format(head) == FORMAT


def parse(path: Path) -> Iterator[Record]:
    """Stream the records of a Tenable CSV export."""
    yield from parse_nessus_family(path, FORMAT, ALIASES, REQUIRED)
