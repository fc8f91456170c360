"""Greenbone (GVM, OpenVAS) CSV results exports, with or without QoD and EPSS columns."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from patchtui.importers import csvrecords, csvutil
from patchtui.importers.common import find_cves, severity_from_score, severity_name
from patchtui.importers.csvrecords import RowResult, Skip
from patchtui.importers.csvutil import ColumnMap, Row
from patchtui.importers.csvvalues import (
    cvss_score,
    host_identity,
    port_fields,
    split_list,
    timestamp,
)
from patchtui.importers.model import FindingRecord, HostRecord, Record, ScanInfo

FORMAT = "openvas-csv"

ALIASES: dict[str, tuple[str, ...]] = {
    "ip": ("IP", "IP Address", "Host IP"),
    "hostname": ("Hostname", "Host Name", "Host"),
    "port": ("Port",),
    "protocol": ("Port Protocol", "Protocol"),
    "cvss": ("CVSS", "Severity Score", "CVSS Base Score"),
    "severity": ("Severity", "Threat"),
    "qod": ("QoD", "Quality of Detection"),
    "solution_type": ("Solution Type",),
    "name": ("NVT Name", "Name"),
    "summary": ("Summary",),
    "result": ("Specific Result", "Result"),
    "oid": ("NVT OID", "OID"),
    "cves": ("CVEs", "CVE"),
    "task_name": ("Task Name",),
    "timestamp": ("Timestamp",),
    "impact": ("Impact",),
    "solution": ("Solution",),
    "affected": ("Affected Software/OS",),
    "insight": ("Vulnerability Insight",),
    "detection": ("Vulnerability Detection Method",),
    "certs": ("CERTs",),
    "other_references": ("Other References",),
}

REQUIRED = {"'NVT OID'": ("oid",), "'IP'": ("ip",)}

# Column and heading of each part of the description, in the order the Greenbone XML
# importer uses, so both exports of one scan describe a result alike.
_DESCRIPTION_SECTIONS = (
    ("insight", "Insight"),
    ("affected", "Affected software/OS"),
    ("impact", "Impact"),
    ("detection", "Detection method"),
)


def sniff(head: bytes) -> bool:
    return csvutil.sniff_format(head) == FORMAT


def parse(path: Path) -> Iterator[Record]:
    """Stream the records of a Greenbone CSV results export."""
    with csvutil.open_csv_report(path) as (report, encoding_warning):
        columns = ColumnMap(report.header, ALIASES)
        csvutil.require_columns(report, columns, REQUIRED, "Greenbone CSV")
        rows = report.rows()
        first = next(rows, None)

        # The task name repeats on every row, so the first row names the scan.
        # NOTE: CSV exports carry no scan time; the store falls back to the file's time.
        name = columns.text(first.cells, "task_name") if first is not None else None
        yield ScanInfo(scanner="openvas", format=FORMAT, name=name)
        if encoding_warning is not None:
            yield encoding_warning

        all_rows = chain([first] if first is not None else [], rows)
        yield from csvrecords.stream_records(report, all_rows, lambda row: convert_row(columns, row))


def convert_row(columns: ColumnMap, row: Row) -> RowResult:
    """Turn one row into its host and its finding, or the reason it is skipped."""
    cells = row.cells
    host = _host(columns, cells)
    if host is None:
        return RowResult(None, Skip("no host address or name"))

    oid = columns.text(cells, "oid")
    if oid is None or any(char.isspace() for char in oid):
        return RowResult(host, Skip("no NVT OID"))
    if oid == "0":
        return RowResult(host, Skip("placeholder result (NVT OID 0)"))
    # NOTE: host-level results leave Port and Port Protocol empty, so they key as
    # 0/tcp even where the XML export says general/icmp or general/udp.
    port = port_fields(columns.text(cells, "port"), columns.text(cells, "protocol"))
    if port is None:
        return RowResult(host, Skip("invalid port number"))

    return RowResult(host, _finding(columns, cells, host, oid, port))


def _host(columns: ColumnMap, cells: list[str]) -> HostRecord | None:
    ip_text = columns.text(cells, "ip")
    hostname = columns.text(cells, "hostname")
    address, name = host_identity([ip_text], hostname)
    if address is None and name is None:
        # An address that does not parse (``192.168.1.1001``) still names the host.
        name = ip_text
    if address is None and name is None:
        return None
    fqdn = name if name and "." in name else None
    return HostRecord(address=address, name=name, fqdn=fqdn)


def _finding(columns: ColumnMap, cells: list[str], host: HostRecord, oid: str, port: tuple[int, str]) -> FindingRecord:
    text = columns.text
    # NOTE: the CSV gives one score without saying whether it is CVSS v2 or v3;
    # it is kept as the v2 score, so the scanner's rating decides the severity.
    score = cvss_score(text(cells, "cvss"))
    references = [*split_list(text(cells, "other_references")), *split_list(text(cells, "certs"))]
    return FindingRecord(
        host_address=host.address,
        host_name=host.name,
        plugin_id=oid,
        name=text(cells, "name") or oid,
        port=port[0],
        protocol=port[1],
        scanner_severity=_severity(text(cells, "severity"), score),
        cvss2_score=score,
        cves=find_cves(text(cells, "cves")),
        synopsis=text(cells, "summary"),
        description=_description(columns, cells),
        solution=text(cells, "solution"),
        references=list(dict.fromkeys(references)),
        plugin_output=text(cells, "result"),
        qod=_qod(text(cells, "qod")),
        seen_at=timestamp(text(cells, "timestamp")),
    )


def _severity(rating: str | None, score: float | None) -> str:
    named = severity_name(rating)
    if named is not None:
        return named
    return severity_from_score(score) if score is not None else "info"


def _description(columns: ColumnMap, cells: list[str]) -> str | None:
    sections = []
    for name, label in _DESCRIPTION_SECTIONS:
        value = columns.text(cells, name)
        if value:
            sections.append(f"{label}:\n{value}")
    return "\n\n".join(sections) or None


def _qod(text: str | None) -> int | None:
    if text is None:
        return None
    value = text.removesuffix("%").strip()
    if value.isascii() and value.isdigit() and int(value) <= 100:
        return int(value)
    return None
