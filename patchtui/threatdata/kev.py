"""The CISA Known Exploited Vulnerabilities catalogue, as its JSON or its CSV download.

JSON: an object with ``catalogVersion``, ``dateReleased``, ``count`` and
``vulnerabilities``, a list of objects with ``cveID``, ``vendorProject``,
``product``, ``vulnerabilityName``, ``dateAdded``, ``shortDescription``,
``requiredAction``, ``dueDate``, ``knownRansomwareCampaignUse``, ``notes`` and
``cwes``. The CSV has the same fields as columns, one vulnerability a row;
older CSV downloads lack the last three columns, which are then empty.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from patchtui.errors import ReportError
from patchtui.threatdata.model import KevCatalogue, KevEntry, midnight

FIELDS = ("cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded",
          "shortDescription", "requiredAction", "dueDate", "knownRansomwareCampaignUse",
          "notes", "cwes")
REQUIRED = ("cveID", "dateAdded")
OPTIONAL_COLUMNS = ("knownRansomwareCampaignUse", "notes", "cwes")
"""CSV columns that older downloads of the catalogue lack; rows without them read as empty."""
CVE = re.compile(r"CVE-\d{4}-\d{4,}")
_CWE = re.compile(r"CWE-\d+|NVD-CWE-\w+")
DOWNLOAD_HINT = "download the catalogue again from CISA (JSON or CSV) and load that copy"


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _entry(values: dict[str, Any], fail: Any) -> KevEntry:
    """Check one vulnerability's fields; ``fail(field, value, problem)`` raises the error."""
    cve = _text(values.get("cveID"))
    if cve is None or not CVE.fullmatch(cve.upper()):
        fail("cveID", values.get("cveID"), "is not a CVE id such as CVE-2021-44228")
    dates = {}
    for name in ("dateAdded", "dueDate"):
        text = _text(values.get(name))
        if text is None and name in REQUIRED:
            fail(name, values.get(name), "is missing")
        if text is not None:
            try:
                dates[name] = date.fromisoformat(text).isoformat()
            except ValueError:
                fail(name, text, "is not a date such as 2021-12-24")
    cwes = values.get("cwes") or []
    if isinstance(cwes, str):
        cwes = _CWE.findall(cwes)
    if not isinstance(cwes, list):
        fail("cwes", cwes, "is not a list of CWE ids")
    return KevEntry(
        cve=str(cve).upper(), vendor_project=_text(values.get("vendorProject")),
        product=_text(values.get("product")),
        vulnerability_name=_text(values.get("vulnerabilityName")),
        date_added=dates["dateAdded"], short_description=_text(values.get("shortDescription")),
        required_action=_text(values.get("requiredAction")), due_date=dates.get("dueDate"),
        ransomware=_text(values.get("knownRansomwareCampaignUse")),
        notes=_text(values.get("notes")), cwes=[str(cwe) for cwe in cwes],
    )


def parse_json(path: Path, text: str) -> KevCatalogue:
    """Read the catalogue's JSON form; ``text`` is the whole file."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReportError(path, f"invalid JSON ({err.msg}): {DOWNLOAD_HINT}",
                          err.lineno, err.colno) from err
    if not isinstance(document, dict) or not isinstance(document.get("vulnerabilities"), list):
        raise ReportError(path, "JSON without a 'vulnerabilities' list, so not a KEV catalogue: "
                          + DOWNLOAD_HINT)

    released_text = document.get("dateReleased")
    try:
        released = datetime.fromisoformat(str(released_text)).astimezone(UTC)
    except ValueError as err:
        raise ReportError(path, f"dateReleased {released_text!r} is not a date and time: "
                          + DOWNLOAD_HINT, _line_of(text, '"dateReleased"')) from err

    entries = []
    for index, values in enumerate(document["vulnerabilities"]):
        if not isinstance(values, dict):
            raise ReportError(path, f"vulnerabilities[{index}] is not an object: {DOWNLOAD_HINT}")
        line = _line_of(text, f'"{values.get("cveID")}"') if values.get("cveID") else None

        def fail(name: str, value: Any, problem: str, index: int = index,
                 line: int | None = line) -> None:
            raise ReportError(path, f"vulnerabilities[{index}].{name} = {value!r} {problem}: "
                              "fix or remove that entry, or " + DOWNLOAD_HINT, line)

        entries.append(_entry(values, fail))

    count = document.get("count")
    if isinstance(count, int) and count != len(entries):
        raise ReportError(path, f"count is {count} but the file lists {len(entries)} "
                          f"vulnerabilities, so it is incomplete: {DOWNLOAD_HINT}",
                          _line_of(text, '"count"'))
    version = _text(document.get("catalogVersion"))
    return KevCatalogue("kev-json", version, released, entries)


def parse_csv(path: Path, text: str) -> KevCatalogue:
    """Read the catalogue's CSV download; ``text`` is the whole file."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [name for name in FIELDS
               if name not in (reader.fieldnames or []) and name not in OPTIONAL_COLUMNS]
    if missing:
        raise ReportError(path, f"the header lacks the columns {', '.join(missing)}: "
                          + DOWNLOAD_HINT, 1)
    entries = []
    try:
        for values in reader:
            line = reader.line_num

            def fail(name: str, value: Any, problem: str, line: int = line) -> None:
                raise ReportError(path, f"column {name} = {value!r} {problem}: fix or remove "
                                  "that row, or " + DOWNLOAD_HINT, line)

            entries.append(_entry(values, fail))
    except csv.Error as err:
        raise ReportError(path, f"invalid CSV ({err}): {DOWNLOAD_HINT}", reader.line_num) from err
    if not entries:
        raise ReportError(path, "the catalogue lists no vulnerabilities: " + DOWNLOAD_HINT)
    newest = max(entry.date_added for entry in entries)
    return KevCatalogue("kev-csv", None, midnight(newest), entries)
