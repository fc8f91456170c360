"""Offline threat data files: the CISA KEV catalogue and FIRST EPSS scores.

``read_threat_file`` detects the kind from the content, never the name: a JSON
object is the KEV catalogue, a CSV whose header starts with ``cveID`` is its
CSV download, and a CSV with the header ``cve,epss,percentile`` (after an
optional ``#model_version:...`` comment) is an EPSS scores file. Files may be
gzipped. Readers return the dataclasses of ``model`` and raise ``ReportError``
naming the file, the line and the value.
"""

from __future__ import annotations

import gzip
import itertools
import zlib
from pathlib import Path
from typing import IO

from patchtui.errors import ReportError, UnknownFormatError
from patchtui.text import visible
from patchtui.threatdata import epss, kev
from patchtui.threatdata.model import EpssScores, KevCatalogue, KevEntry, ThreatFile

__all__ = ["EpssScores", "KevCatalogue", "KevEntry", "ThreatFile", "read_threat_file"]

_ARCHIVES = {
    b"PK\x03\x04": "a zip archive: extract the file from it first (unzip)",
    b"BZh": "a bzip2-compressed file: decompress it first (bunzip2)",
    b"\xfd7zXZ": "an xz-compressed file: decompress it first (unxz)",
}
EXPECTED = ("expected the CISA KEV catalogue (JSON or CSV) or a FIRST EPSS scores file "
            "(epss_scores-YYYY-MM-DD.csv, gzipped or not)")


def _open_text(path: Path) -> IO[str]:
    try:
        with path.open("rb") as handle:
            magic = handle.read(6)
    except IsADirectoryError as err:
        raise ReportError(path, "is a directory, not a threat data file") from err
    except FileNotFoundError as err:
        raise ReportError(path, "file not found") from err
    except OSError as err:
        raise ReportError(path, f"cannot read the file: {err.strerror}") from err
    for prefix, description in _ARCHIVES.items():
        if magic.startswith(prefix):
            raise UnknownFormatError(path, f"this is {description}")
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open("r", encoding="utf-8-sig", newline="")


def _read(path: Path, handle: IO[str]) -> ThreatFile:
    first = handle.readline()
    while first and not first.strip():
        first = handle.readline()
    start = first.lstrip()
    if not start:
        raise UnknownFormatError(path, f"the file is empty: {EXPECTED}")
    if start.startswith("{"):
        return kev.parse_json(path, first + handle.read())
    header = start.split(",", 1)[0].strip().strip('"')
    if header == "cveID":
        return kev.parse_csv(path, first + handle.read())
    if start.startswith("#model_version") or header.lower() == "cve":
        return epss.parse(path, itertools.chain([first], handle))
    hint = " (a scan report? use 'patchtui import')" if start.startswith("<") else ""
    raise UnknownFormatError(path, f"{EXPECTED}; the first line is "
                             f"{visible(start.strip()[:60], single_line=True)!r}{hint}", 1)


def read_threat_file(path: Path) -> ThreatFile:
    """Read a KEV catalogue or an EPSS scores file, judged by its content."""
    handle = _open_text(path)
    try:
        with handle:
            return _read(path, handle)
    except UnicodeDecodeError as err:
        raise ReportError(path, f"not UTF-8 text ({err.reason} at byte {err.start}): "
                          f"{EXPECTED}") from err
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        raise ReportError(path, f"the gzip data is damaged ({err}): copy the file again") from err
    except OSError as err:
        raise ReportError(path, f"cannot read the file: {err.strerror or err}") from err
