"""Reading scanner CSV exports: format detection, text encoding, header, rows and columns.

Every CSV importer opens its file with ``open_csv_report`` and maps the header to
its own field names with ``ColumnMap``. The module ``csvrecords`` turns the
results of the rows into records, and ``csvvalues`` parses single cells.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path

from patchtui.errors import ReportError
from patchtui.importers.common import open_report
from patchtui.importers.model import ParseWarning

FIELD_SIZE_LIMIT = 128 * 1024 * 1024
"""Largest single CSV value read, in characters.

The csv module's default of 131,072 is too small for long plugin outputs,
such as a full list of installed packages.
"""

csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))

DELIMITERS = (",", ";", "\t")
"""Delimiters tried on the header line; exports opened and saved again in a
spreadsheet with a European locale use semicolons."""

_CHUNK = 1 << 20
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SEP_LINE = re.compile(r"^sep=(.)$", re.IGNORECASE)
# NUL and other control characters, or bytes that did not decode: not a text header.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def normalise_name(name: str) -> str:
    """Return a column name lower-cased with everything but letters and digits removed.

    ``Plugin ID``, ``plugin_id`` and ``definition.id``-style names compare by this form.
    """
    return re.sub(r"[^0-9a-z]", "", name.lower())


# Format detection from the header row.


def _decode_head(head: bytes) -> str:
    if head.startswith(_UTF16_BOMS):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8-sig", errors="replace")


def _choose_delimiter(line: str) -> str | None:
    counts = {delimiter: line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else None


def _header_lines(lines: Iterable[str]) -> tuple[int, str | None, str] | None:
    """Find the header line, skipping blank lines and a spreadsheet ``sep=`` hint.

    Returns the header's 1-based line number, the hinted delimiter and the line.
    """
    hinted: str | None = None
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        match = _SEP_LINE.match(text)
        if match and hinted is None:
            hinted = match.group(1)
            continue
        return number, hinted, line.rstrip("\r\n")
    return None


def read_header(head: bytes) -> tuple[list[str], str, int] | None:
    """Parse the header row from the first bytes of a file.

    Returns the column names, the delimiter and the header's line number, or
    None when the bytes do not look like delimited text.
    """
    found = _header_lines(io.StringIO(_decode_head(head), newline=""))
    if found is None:
        return None
    number, hinted, line = found
    if _NOT_TEXT.search(line):
        return None
    delimiter = hinted or _choose_delimiter(line)
    if delimiter is None:
        return None
    try:
        names = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
    except csv.Error:
        return None
    return [name.strip() for name in names], delimiter, number


_TENABLE_IO_MARKERS = frozenset(
    {"assetuuid", "vulnerabilitystate", "hostscanid", "firstfound", "lastfound", "indexedat"}
)


def classify_header(names: Iterable[str]) -> str | None:
    """Return the CSV format a header row belongs to, or None.

    Greenbone exports name their check column ``NVT OID``; Tenable.sc
    exports have ``Plugin Name`` and ``IP Address``; Tenable.io exports add
    asset columns such as ``Vulnerability State`` to the Nessus layout, and
    Tenable Vulnerability Management names columns ``definition.id``-style.
    What remains with ``Plugin ID`` and ``Host`` is a Nessus export.
    """
    keys = {normalise_name(name) for name in names}
    if ("nvtoid" in keys or "nvtname" in keys) and "ip" in keys:
        return "openvas-csv"
    if "definitionid" in keys:
        return "tenable-csv"
    if "pluginname" in keys and keys & {"plugin", "pluginid"} and keys & {"ipaddress", "dnsname"}:
        return "tenable-csv"
    if "pluginid" in keys and "host" in keys:
        if keys & _TENABLE_IO_MARKERS:
            return "tenable-csv"
        if keys & {"name", "risk"}:
            return "nessus-csv"
    return None


@lru_cache(maxsize=8)
def sniff_format(head: bytes) -> str | None:
    """Return the CSV format of a file from its first bytes, or None."""
    header = read_header(head)
    return classify_header(header[0]) if header else None


def describe_unknown_header(head: bytes) -> tuple[str, int] | None:
    """Explain why delimited text is no known CSV export, for the import error.

    Returns the reason and the header's line number, or None when ``head`` is
    not delimited text at all.
    """
    header = read_header(head)
    if header is None:
        return None
    names, _, line = header
    shown = ", ".join(repr(name) for name in names[:8] if name)
    return (
        "the CSV header names none of the columns of a Nessus, Tenable or Greenbone "
        f"export (it starts {shown or 'with empty names'}); export the scan again as CSV "
        "with its default columns",
        line,
    )


# Choosing the text encoding.


def _first_invalid(path: Path, encoding: str) -> tuple[int, int, int] | None:
    """Return (byte value, byte offset, line) of the first byte ``encoding`` rejects."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    line = 1
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                data = pending + chunk
                line += data[: err.start].count(b"\n")
                return data[err.start], offset - len(pending) + err.start, line
            offset += len(chunk)
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return 0, offset, line
    return None


def choose_encoding(path: Path) -> tuple[str, ParseWarning | None]:
    """Pick the encoding a CSV file is read with, and a warning when it is not UTF-8.

    Scanners write UTF-8, but a file saved again by a spreadsheet on Windows is
    often Windows-1252; Latin-1 is the last resort because it accepts any byte.
    """
    with path.open("rb") as stream:
        start = stream.read(2)
    if start in _UTF16_BOMS:
        return "utf-16", None
    invalid = _first_invalid(path, "utf-8")
    if invalid is None:
        return "utf-8-sig", None
    byte, offset, line = invalid
    fallback = "cp1252" if _first_invalid(path, "cp1252") is None else "latin-1"
    label = {"cp1252": "Windows-1252", "latin-1": "Latin-1"}[fallback]
    warning = ParseWarning(
        f"the file is not valid UTF-8 (byte 0x{byte:02X} at offset {offset}); "
        f"it was read as {label} text, so check accented names",
        line,
        skipped=0,
    )
    return fallback, warning


# Streaming rows.


@dataclass(slots=True)
class Row:
    """One data row: the line it starts on and its cells."""

    line: int
    cells: list[str]


class CsvReport:
    """An open CSV export: its header, and its data rows streamed one at a time."""

    def __init__(self, path: Path, stream: io.TextIOBase) -> None:
        self.path = path
        self.empty_rows = 0
        line, hinted, self.header_line = self._find_header(stream)
        delimiter = hinted or _choose_delimiter(line) or ","
        self._reader = csv.reader(chain([line], stream), delimiter=delimiter, skipinitialspace=True, strict=True)
        # The reader counts lines from the header row on.
        self._line_offset = self.header_line - 1
        self.header = [name.strip() for name in self._next_cells(self.header_line)]

    def _find_header(self, stream: io.TextIOBase) -> tuple[str, str | None, int]:
        """Return the header line, a ``sep=`` delimiter hint and the header's line number."""
        try:
            found = _header_lines(stream)
        except UnicodeDecodeError as err:
            raise ReportError(self.path, f"invalid text encoding: {err.reason}") from err
        if found is None:
            raise ReportError(self.path, "the file has no header row: it is empty or blank")
        number, hinted, line = found
        return line, hinted, number

    def _next_cells(self, start_line: int) -> list[str]:
        try:
            return next(self._reader)
        except csv.Error as err:
            raise ReportError(
                self.path,
                f"invalid CSV in the row that starts on this line ({err}); the file may be "
                "cut off or a value may have an unbalanced quote",
                start_line,
            ) from err
        except UnicodeDecodeError as err:
            raise ReportError(self.path, f"invalid text encoding: {err.reason}", start_line) from err

    def rows(self) -> Iterator[Row]:
        """Yield the data rows, counting blank and delimiter-only rows instead of yielding them.

        Raises ReportError for a row with fewer cells than the header, because a
        short row means the file was cut off or a value lost its quotes, and
        importing the rest would report its missing findings as fixed.
        """
        named = [index for index, name in enumerate(self.header) if name]
        width = named[-1] + 1 if named else len(self.header)
        while True:
            start_line = self._reader.line_num + self._line_offset + 1
            try:
                cells = self._next_cells(start_line)
            except StopIteration:
                return
            if not any(cell.strip() for cell in cells):
                self.empty_rows += 1
                continue
            if len(cells) < width:
                raise ReportError(
                    self.path,
                    f"the row has {_cells(len(cells))} but the header names {width} columns; "
                    "the file may be cut off or a value may be missing its quotes",
                    start_line,
                )
            if any(cell.strip() for cell in cells[len(self.header) :]):
                raise ReportError(
                    self.path,
                    f"the row has {_cells(len(cells))} but the header has "
                    f"{len(self.header)} columns; a value containing the delimiter may be "
                    "missing its quotes",
                    start_line,
                )
            yield Row(start_line, cells)


def _cells(count: int) -> str:
    return "1 cell" if count == 1 else f"{count} cells"


@contextmanager
def open_csv_report(path: Path) -> Iterator[tuple[CsvReport, ParseWarning | None]]:
    """Open a CSV export for streaming, with a warning when it is not UTF-8.

    The file is opened through ``common.open_report`` so the caller can follow
    the progress. Raises ReportError when the file cannot be read or has no
    header row.
    """
    try:
        encoding, warning = choose_encoding(path)
        handle = open_report(path)
    except OSError as err:
        raise ReportError(path, f"cannot read the file: {err.strerror}") from err
    with io.TextIOWrapper(handle, encoding=encoding, newline="") as stream:
        yield CsvReport(path, stream), warning


# Columns.


class ColumnMap:
    """The columns of a header that hold each of an importer's fields, found by known names.

    Names compare by ``normalise_name``, so case, spaces and punctuation do not
    matter, and unknown extra columns or a new column order change nothing.
    A field may match several columns; a row's value is the first non-empty one.
    """

    def __init__(self, header: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> None:
        positions: dict[str, int] = {}
        for index, name in enumerate(header):
            key = normalise_name(name)
            if key and key not in positions:
                positions[key] = index
        self.indexes: dict[str, list[int]] = {}
        for name, alias_names in aliases.items():
            found = [positions[key] for key in map(normalise_name, alias_names) if key in positions]
            if found:
                self.indexes[name] = list(dict.fromkeys(found))

    def has(self, name: str) -> bool:
        return name in self.indexes

    def raw(self, cells: Sequence[str], name: str) -> str | None:
        """Return the first non-blank value of field ``name``, unstripped, or None.

        Windows line breaks (CR LF) inside the value become LF.
        """
        for index in self.indexes.get(name, ()):
            if index < len(cells) and cells[index].strip():
                return cells[index].replace("\r\n", "\n")
        return None

    def values(self, cells: Sequence[str], name: str) -> list[str]:
        """Return the non-blank values of every column matched by field ``name``, stripped."""
        found = (cells[index].strip() for index in self.indexes.get(name, ()) if index < len(cells))
        return [value for value in found if value]

    def text(self, cells: Sequence[str], name: str) -> str | None:
        """Return the first non-blank value of field ``name``, stripped, or None."""
        value = self.raw(cells, name)
        return value.strip() if value is not None else None


def require_columns(
    report: CsvReport, columns: ColumnMap, required: Mapping[str, Sequence[str]], format_name: str
) -> None:
    """Raise ReportError naming the first required column the header lacks.

    ``required`` maps a column's label to the fields any one of which supplies it.
    """
    for label, names in required.items():
        if not any(columns.has(name) for name in names):
            raise ReportError(
                report.path,
                f"the header has no {label} column, which every {format_name} export has",
                report.header_line,
            )
