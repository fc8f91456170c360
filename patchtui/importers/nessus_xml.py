"""Nessus v2 XML (``.nessus``) reports, from Nessus 5 to current Nessus and Tenable.sc."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

from patchtui.importers.common import (
    clean,
    from_timestamp,
    parse_cwe,
    parse_ip,
    parse_score,
    severity_name,
)
from patchtui.importers.model import FindingRecord, HostRecord, ParseWarning, Record, ScanInfo
from patchtui.importers.xmlutil import iter_xml, root_name

FORMAT = "nessus-xml"
ROOT = "NessusClientData_v2"

# Plugins whose presence or output tells whether the scan's login worked on a host,
# for reports older than the Credentialed_Scan host tag.
SCAN_INFORMATION_PLUGIN = "19506"
PATCH_ASSESSMENT_AVAILABLE_PLUGIN = "117887"
PATCH_ASSESSMENT_FAILED_PLUGIN = "21745"


def sniff(head: bytes) -> bool:
    return root_name(head) == ROOT


def _parse_host_time(text: str | None) -> datetime | None:
    # NOTE: HOST_START text carries no zone; it is read as UTC when no timestamp tag exists.
    if not text:
        return None
    try:
        return datetime.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
    except ValueError:
        return None


def _iso_date(text: str | None) -> str | None:
    text = clean(text)
    if text is None:
        return None
    parts = text.replace("-", "/").split("/")
    if len(parts) == 3 and all(part.isdigit() for part in parts):
        return f"{int(parts[0]):04d}-{int(parts[1]):02d}-{int(parts[2]):02d}"
    return None


def _address(name: str | None, tags: dict[str, str]) -> str | None:
    for candidate in (tags.get("host-ip"), name):
        address = parse_ip(candidate)
        if address and address not in ("0.0.0.0", "::"):
            return address
    return None


class _HostState:
    """What the parser knows of the ReportHost it is inside."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        self.tags: dict[str, str] = {}
        self.address: str | None = None
        self.started_at: datetime | None = None
        self.login_evidence: bool | None = None

    def read_properties(self, properties: Element) -> None:
        for tag in properties.iter("tag"):
            key = tag.get("name")
            if key and tag.text:
                self.tags[key] = tag.text.strip()
        self.address = _address(self.name, self.tags)
        self.started_at = from_timestamp(self.tags.get("HOST_START_TIMESTAMP")) or _parse_host_time(
            self.tags.get("HOST_START")
        )

    def note_login_evidence(self, plugin_id: str, output: str | None) -> None:
        if plugin_id == SCAN_INFORMATION_PLUGIN and output:
            if "Credentialed checks : yes" in output:
                self.login_evidence = True
            elif "Credentialed checks : no" in output and self.login_evidence is None:
                self.login_evidence = False
        elif plugin_id == PATCH_ASSESSMENT_AVAILABLE_PLUGIN:
            self.login_evidence = True
        elif plugin_id == PATCH_ASSESSMENT_FAILED_PLUGIN:
            self.login_evidence = False

    def record(self) -> HostRecord:
        tags = self.tags
        flag = tags.get("Credentialed_Scan", "").lower()
        credentialed = {"true": True, "false": False}.get(flag, self.login_evidence)
        host_name = self.name if self.address is None or self.name != self.address else None
        return HostRecord(
            address=self.address,
            name=clean(tags.get("hostname")) or clean(host_name),
            fqdn=clean(tags.get("host-fqdn")) or clean(tags.get("host-rdns")),
            netbios=clean(tags.get("netbios-name")),
            os=clean(tags.get("operating-system")) or clean(tags.get("os")),
            mac=clean(tags.get("mac-address")),
            credentialed=credentialed,
            started_at=self.started_at,
            ended_at=from_timestamp(tags.get("HOST_END_TIMESTAMP"))
            or _parse_host_time(tags.get("HOST_END")),
        )


def _texts(item: Element, name: str) -> list[str]:
    return [child.text.strip() for child in item.findall(name) if child.text and child.text.strip()]


def _finding(item: Element, host: _HostState) -> FindingRecord:
    port_text = item.get("port", "0")
    score3 = parse_score(item.findtext("cvss3_base_score"))
    exploit_flags = [
        item.findtext(name, "").strip().lower()
        for name in ("exploit_available", "exploit_framework_metasploit",
                     "exploit_framework_core", "exploit_framework_canvas")
    ]
    exploit = True if "true" in exploit_flags else (False if "false" in exploit_flags else None)
    see_also = [line.strip() for text in _texts(item, "see_also") for line in text.splitlines()]
    references = [ref for ref in see_also if ref] + _texts(item, "xref")
    cwes = [cwe for cwe in (parse_cwe(text) for text in _texts(item, "cwe")) if cwe]
    return FindingRecord(
        host_address=host.address,
        host_name=host.name,
        plugin_id=item.get("pluginID", "").strip(),
        name=(item.get("pluginName") or item.findtext("plugin_name") or "").strip(),
        port=int(port_text) if port_text.strip().isdigit() else 0,
        protocol=(item.get("protocol") or "tcp").strip().lower(),
        service=clean(item.get("svc_name")),
        scanner_severity=severity_name(item.get("severity"))
        or severity_name(item.findtext("risk_factor"))
        or "info",
        family=clean(item.get("pluginFamily")),
        cvss2_score=parse_score(item.findtext("cvss_base_score")),
        cvss2_vector=clean(item.findtext("cvss_vector")),
        cvss3_score=score3,
        cvss3_vector=clean(item.findtext("cvss3_vector")),
        cvss4_score=parse_score(item.findtext("cvss4_base_score")),
        cvss4_vector=clean(item.findtext("cvss4_vector")),
        cves=list(dict.fromkeys(cve.upper() for cve in _texts(item, "cve"))),
        cwes=list(dict.fromkeys(cwes)),
        synopsis=clean(item.findtext("synopsis")),
        description=clean(item.findtext("description")),
        solution=clean(item.findtext("solution")),
        references=list(dict.fromkeys(references)),
        plugin_type=clean(item.findtext("plugin_type")),
        exploit_available=exploit,
        published=_iso_date(item.findtext("plugin_publication_date"))
        or _iso_date(item.findtext("vuln_publication_date")),
        patch_published=_iso_date(item.findtext("patch_publication_date")),
        plugin_output=item.findtext("plugin_output"),
        seen_at=host.started_at,
    )


def parse(path: Path) -> Iterator[Record]:
    """Stream the records of a Nessus v2 XML report."""
    scan = ScanInfo(scanner="nessus", format=FORMAT)
    host: _HostState | None = None
    report: Element | None = None
    first_start: datetime | None = None
    last_end: datetime | None = None
    hosts = 0

    for event, element in iter_xml(path):
        tag = element.tag
        if event == "start":
            if tag == "Report":
                report = element
                scan.name = clean(element.get("name"))
                yield scan
            elif tag == "ReportHost":
                host = _HostState(clean(element.get("name")))
            continue

        if tag == "preference":
            name = element.findtext("name")
            value = element.findtext("value") or ""
            if name == "plugin_set" and value.strip():
                scan.plugin_set = frozenset(p for p in value.replace(",", ";").split(";") if p)
        elif tag == "policyName":
            scan.policy_name = clean(element.text)
        elif tag == "HostProperties" and host is not None:
            host.read_properties(element)
        elif tag == "ReportItem" and host is not None:
            yield from _item_records(element, host)
            element.clear()
        elif tag == "ReportHost" and host is not None:
            record = host.record()
            hosts += 1
            if record.address is None and record.name is None:
                yield ParseWarning(f"host {hosts} has neither an address nor a name; skipped")
            else:
                yield record
            if record.started_at and (first_start is None or record.started_at < first_start):
                first_start = record.started_at
            if record.ended_at and (last_end is None or record.ended_at > last_end):
                last_end = record.ended_at
            host = None
            if report is not None:
                report.clear()

    if report is None:
        yield ParseWarning("the report has no <Report> element, so it lists no hosts")
        yield scan
    scan.started_at, scan.ended_at = first_start, last_end
    yield scan


def _item_records(item: Element, host: _HostState) -> Iterator[Record]:
    plugin_id = item.get("pluginID", "").strip()
    host.note_login_evidence(plugin_id, item.findtext("plugin_output"))
    label = host.address or host.name or "?"
    if not plugin_id.isdigit():
        yield ParseWarning(f"host {label}: a ReportItem has no numeric pluginID ({plugin_id!r}); skipped")
    elif plugin_id == "0":
        yield ParseWarning(f"host {label}: open-port placeholder (plugin 0, port {item.get('port')}); skipped")
    elif host.address is None and host.name is None:
        yield ParseWarning(f"plugin {plugin_id}: the host has neither an address nor a name; skipped")
    else:
        yield _finding(item, host)
