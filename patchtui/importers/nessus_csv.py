"""Nessus Professional and Essentials CSV exports: the default 13 columns or any selection.

The column mapping here also serves the Tenable.sc and Tenable.io exports in
``tenable_csv``, which carry the same plugin IDs under other column names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from patchtui.importers import csvrecords, csvutil
from patchtui.importers.common import clean, find_cves, severity_from_score, severity_name
from patchtui.importers.csvrecords import RowResult, Skip
from patchtui.importers.csvutil import ColumnMap, Row
from patchtui.importers.csvvalues import (
    cvss_fields,
    cwe_list,
    flag,
    host_identity,
    iso_date,
    port_fields,
    split_lines,
    split_list,
    timestamp,
)
from patchtui.importers.model import FindingRecord, HostRecord, Record, ScanInfo

FORMAT = "nessus-csv"

# Field name -> column names that hold it, most specific first. Nessus, Tenable.sc,
# Tenable.io and Tenable Vulnerability Management (``definition.id`` style) names.
ALIASES: dict[str, tuple[str, ...]] = {
    "plugin_id": ("Plugin ID", "Plugin", "definition.id"),
    "name": ("Name", "Plugin Name", "definition.name"),
    "host": ("Host", "asset.host_name", "asset.name", "DNS Name", "asset.display_fqdn"),
    "ip": (
        "IP Address",
        "IP",
        "Host IP",
        "asset.display_ipv4_address",
        "asset.ipv4_addresses",
        "asset.display_ipv6_address",
        "asset.ipv6_addresses",
    ),
    "fqdn": ("FQDN", "Host FQDN", "DNS Name", "asset.display_fqdn", "asset.fqdns"),
    "netbios": ("NetBIOS", "NetBIOS Name", "asset.netbios_name"),
    "os": ("OS", "Operating System", "asset.operating_system", "asset.operating_systems"),
    "mac": ("MAC Address", "MAC", "asset.mac_address", "asset.mac_addresses"),
    "port": ("Port", "port"),
    "protocol": ("Protocol", "protocol"),
    "service": ("Service", "Service Name", "svc_name"),
    "severity": ("Severity", "Risk", "definition.severity", "Risk Factor"),
    "family": ("Plugin Family", "Family", "definition.family"),
    "cvss2_score": (
        "CVSS v2.0 Base Score",
        "CVSS V2 Base Score",
        "CVSS Base Score",
        "CVSS",
        "definition.cvss2.base_score",
    ),
    "cvss2_vector": (
        "CVSS v2.0 Vector",
        "CVSS V2 Vector",
        "CVSS Vector",
        "definition.cvss2.base_vector",
    ),
    "cvss3_score": (
        "CVSS v3.0 Base Score",
        "CVSS V3 Base Score",
        "CVSS3 Base Score",
        "definition.cvss3.base_score",
    ),
    "cvss3_vector": (
        "CVSS v3.0 Vector",
        "CVSS V3 Vector",
        "CVSS3 Vector",
        "definition.cvss3.base_vector",
    ),
    "cvss4_score": (
        "CVSS v4.0 Base Score",
        "CVSS V4 Base Score",
        "CVSS4 Base Score",
        "definition.cvss4.base_score",
    ),
    "cvss4_vector": (
        "CVSS v4.0 Vector",
        "CVSS V4 Vector",
        "CVSS4 Vector",
        "definition.cvss4.base_vector",
    ),
    "cves": ("CVE", "CVEs", "definition.cve"),
    "cwes": ("CWE", "definition.cwe"),
    "xrefs": ("XREF", "Cross References", "definition.xrefs", "definition.references"),
    "see_also": ("See Also", "definition.see_also"),
    "synopsis": ("Synopsis", "definition.synopsis"),
    "description": ("Description", "definition.description"),
    "solution": ("Solution", "Steps to Remediate", "definition.solution"),
    "plugin_output": ("Plugin Output", "Plugin Text", "output"),
    "plugin_type": ("Plugin Type", "Check Type", "definition.type"),
    "exploit": ("Exploit Available", "Exploit?", "definition.exploit_available"),
    "exploit_frameworks": ("Metasploit", "Core Impact", "CANVAS", "Exploit Frameworks"),
    "plugin_published": ("Plugin Publication Date", "definition.plugin_published"),
    "vuln_published": (
        "Vuln Publication Date",
        "Vulnerability Publication Date",
        "definition.vulnerability_published",
    ),
    "patch_published": ("Patch Publication Date", "definition.patch_published"),
    "seen_at": ("Last Observed", "Last Found", "Last Seen", "last_found", "last_seen"),
    "state": ("Vulnerability State", "state"),
    "host_start": ("Host Start",),
    "host_end": ("Host End",),
}

REQUIRED = {"'Plugin ID'": ("plugin_id",), "'Host'": ("host", "ip")}

# Plugins whose presence or output shows whether the scan's login worked on a host.
SCAN_INFORMATION_PLUGIN = "19506"
PATCH_ASSESSMENT_AVAILABLE_PLUGIN = "117887"
PATCH_ASSESSMENT_FAILED_PLUGIN = "21745"

# Tenable.sc prefixes every plugin output with this label.
_OUTPUT_LABEL = "Plugin Output:"


def sniff(head: bytes) -> bool:
    return csvutil.sniff_format(head) == FORMAT


def parse(path: Path) -> Iterator[Record]:
    """Stream the records of a Nessus CSV export."""
    yield from parse_nessus_family(path, FORMAT, ALIASES, REQUIRED)


def parse_nessus_family(
    path: Path,
    format_name: str,
    aliases: dict[str, tuple[str, ...]],
    required: dict[str, tuple[str, ...]],
) -> Iterator[Record]:
    """Stream the records of a CSV export that reports Nessus plugin results."""
    with csvutil.open_csv_report(path) as (report, encoding_warning):
        columns = ColumnMap(report.header, aliases)
        csvutil.require_columns(report, columns, required, format_name)
        # NOTE: CSV exports carry no scan time; the store falls back to the file's time.
        yield ScanInfo(scanner="nessus", format=format_name)
        if encoding_warning is not None:
            yield encoding_warning
        yield from csvrecords.stream_records(report, report.rows(), lambda row: convert_row(columns, row))


def convert_row(columns: ColumnMap, row: Row) -> RowResult:
    """Turn one row into its host and its finding, or the reason it is skipped."""
    cells = row.cells
    host = _host(columns, cells)
    if host is None:
        return RowResult(None, Skip("no host address or name"))

    plugin_id = columns.text(cells, "plugin_id")
    if plugin_id is None or not (plugin_id.isascii() and plugin_id.isdigit()):
        return RowResult(host, Skip("no numeric plugin ID"))
    plugin_id = str(int(plugin_id))
    if plugin_id == "0":
        return RowResult(host, Skip("open-port placeholder (plugin 0)"))
    if (columns.text(cells, "state") or "").lower() == "fixed":
        return RowResult(host, Skip("the export marks the vulnerability as Fixed", summarised=True))
    port = port_fields(columns.text(cells, "port"), columns.text(cells, "protocol"))
    if port is None:
        return RowResult(host, Skip("invalid port number"))

    finding = _finding(columns, cells, host, plugin_id, port)
    host.credentialed = _login_evidence(plugin_id, finding.plugin_output)
    return RowResult(host, finding)


def _host(columns: ColumnMap, cells: list[str]) -> HostRecord | None:
    # NOTE: when the Host column holds a name, not an address (a target scanned by
    # name), the asset keys by that name, while the .nessus export of the same scan
    # may key it by its host-ip tag.
    text = columns.text
    address, name = host_identity([text(cells, "ip")], text(cells, "host"))
    if address is None and name is None:
        return None
    return HostRecord(
        address=address,
        name=name,
        fqdn=text(cells, "fqdn"),
        netbios=text(cells, "netbios"),
        os=text(cells, "os"),
        mac=text(cells, "mac"),
        started_at=timestamp(text(cells, "host_start")),
        ended_at=timestamp(text(cells, "host_end")),
    )


def _finding(
    columns: ColumnMap, cells: list[str], host: HostRecord, plugin_id: str, port: tuple[int, str]
) -> FindingRecord:
    text = columns.text
    cvss2 = cvss_fields(2, text(cells, "cvss2_score"), text(cells, "cvss2_vector"))
    cvss3 = cvss_fields(3, text(cells, "cvss3_score"), text(cells, "cvss3_vector"))
    cvss4 = cvss_fields(4, text(cells, "cvss4_score"), text(cells, "cvss4_vector"))
    xrefs = split_list(text(cells, "xrefs"))
    return FindingRecord(
        host_address=host.address,
        host_name=host.name,
        plugin_id=plugin_id,
        name=text(cells, "name") or f"plugin {plugin_id}",
        port=port[0],
        protocol=port[1],
        service=text(cells, "service"),
        scanner_severity=_severity(text(cells, "severity"), cvss3[0], cvss2[0]),
        family=text(cells, "family"),
        cvss2_score=cvss2[0],
        cvss2_vector=cvss2[1],
        cvss3_score=cvss3[0],
        cvss3_vector=cvss3[1],
        cvss4_score=cvss4[0],
        cvss4_vector=cvss4[1],
        cves=find_cves(text(cells, "cves")),
        cwes=cwe_list(text(cells, "cwes"), xrefs),
        synopsis=text(cells, "synopsis"),
        description=text(cells, "description"),
        solution=text(cells, "solution"),
        references=list(dict.fromkeys([*split_lines(text(cells, "see_also")), *xrefs])),
        plugin_type=(text(cells, "plugin_type") or "").lower() or None,
        exploit_available=_exploit(columns, cells),
        published=iso_date(text(cells, "plugin_published")) or iso_date(text(cells, "vuln_published")),
        patch_published=iso_date(text(cells, "patch_published")),
        plugin_output=_plugin_output(columns.raw(cells, "plugin_output")),
        seen_at=timestamp(text(cells, "seen_at")),
    )


def _severity(rating: str | None, cvss3: float | None, cvss2: float | None) -> str:
    """Return the scanner's own rating; without one, the rating its scores give."""
    named = severity_name(rating)
    if named is not None:
        return named
    score = cvss3 if cvss3 is not None else cvss2
    return severity_from_score(score) if score is not None else "info"


def _exploit(columns: ColumnMap, cells: list[str]) -> bool | None:
    """Return the exploit flag, else whether any exploit framework column names a module."""
    stated = flag(columns.text(cells, "exploit"))
    if stated is not None:
        return stated
    frameworks = columns.values(cells, "exploit_frameworks")
    if any(flag(value) is not False for value in frameworks):
        return True
    return False if frameworks else None


def _plugin_output(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw.startswith(_OUTPUT_LABEL):
        raw = raw[len(_OUTPUT_LABEL) :].lstrip(" ")
        raw = raw[1:] if raw.startswith("\n") else raw
    return raw if clean(raw) else None


def _login_evidence(plugin_id: str, output: str | None) -> bool | None:
    """Return whether the scan's login worked on the host, as far as this result shows."""
    if plugin_id == SCAN_INFORMATION_PLUGIN and output:
        if "Credentialed checks : yes" in output:
            return True
        if "Credentialed checks : no" in output:
            return False
    if plugin_id == PATCH_ASSESSMENT_AVAILABLE_PLUGIN:
        return True
    if plugin_id == PATCH_ASSESSMENT_FAILED_PLUGIN:
        return False
    return None
