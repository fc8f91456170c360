"""Nessus v2 XML (``.nessus``) reports, from Nessus 5 to current Nessus and Tenable.sc."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

from patchtui.errors import ReportError
from patchtui.importers.common import (
    clean,
    from_timestamp,
    normalise_vector,
    parse_cwe,
    parse_ip,
    parse_score,
    score_vector,
    severity_name,
)
from patchtui.importers.model import FindingRecord, HostRecord, ParseWarning, Record, ScanInfo
from patchtui.importers.xmlutil import iter_xml, root_name

FORMAT = "nessus-xml"
ROOT = "NessusClientData_v2"

# Plugins whose presence or output shows whether the scan's login worked on a host,
# for reports older than the Credentialed_Scan host tag.
SCAN_INFORMATION_PLUGIN = "19506"
PATCH_ASSESSMENT_AVAILABLE_PLUGIN = "117887"
PATCH_ASSESSMENT_FAILED_PLUGIN = "21745"
LOGIN_EVIDENCE_PLUGINS = {SCAN_INFORMATION_PLUGIN, PATCH_ASSESSMENT_AVAILABLE_PLUGIN,
                          PATCH_ASSESSMENT_FAILED_PLUGIN}

_CREDENTIALED_CHECKS = re.compile(r"Credentialed checks\s*:\s*(yes|no)", re.IGNORECASE)
_NESSUS_VERSION = re.compile(r"Nessus version\s*:\s*(\S+)")


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
    """The parser's state for the ReportHost it is inside."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        self.tags: dict[str, str] = {}
        self.address: str | None = _address(name, {})
        self.started_at: datetime | None = None
        self.login_worked = False
        self.login_failed = False

    @property
    def host_name(self) -> str | None:
        """The name that findings and the host record carry.

        Without an address the name is the asset key, so the ReportHost name, which
        every report has, comes before the ``hostname`` tag, which some omit.
        """
        own_name = self.name if self.name != self.address else None
        hostname = clean(self.tags.get("hostname"))
        if self.address is None:
            return own_name or hostname
        return hostname or own_name

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
        if plugin_id == SCAN_INFORMATION_PLUGIN:
            match = _CREDENTIALED_CHECKS.search(output or "")
            if match and match.group(1).lower() == "yes":
                self.login_worked = True
            elif match:
                self.login_failed = True
        elif plugin_id == PATCH_ASSESSMENT_AVAILABLE_PLUGIN:
            self.login_worked = True
        elif plugin_id == PATCH_ASSESSMENT_FAILED_PLUGIN:
            self.login_failed = True

    def credentialed(self) -> bool | None:
        """Return whether the login worked, letting any sign of a failed login win.

        Claiming a login that failed would let a rescan close local findings it
        never checked, so a failure beats the ``Credentialed_Scan`` tag and any
        success evidence.
        """
        if self.login_failed:
            return False
        flag = self.tags.get("Credentialed_Scan", "").lower()
        if flag in ("true", "false"):
            return flag == "true"
        return True if self.login_worked else None

    def record(self) -> HostRecord:
        tags = self.tags
        return HostRecord(
            address=self.address,
            name=self.host_name,
            fqdn=clean(tags.get("host-fqdn")) or clean(tags.get("host-rdns")),
            netbios=clean(tags.get("netbios-name")),
            os=clean(tags.get("operating-system")) or clean(tags.get("os")),
            mac=clean(tags.get("mac-address")),
            credentialed=self.credentialed(),
            started_at=self.started_at,
            ended_at=from_timestamp(tags.get("HOST_END_TIMESTAMP"))
            or _parse_host_time(tags.get("HOST_END")),
        )


def _children(item: Element) -> dict[str, list[str]]:
    """Map each child tag of a ReportItem to its non-empty texts, in one pass.

    One pass over the children costs far less than a ``findtext`` per field,
    which matters at a million findings.
    """
    texts: dict[str, list[str]] = {}
    for child in item:
        text = child.text
        if text is not None:
            texts.setdefault(child.tag, []).append(text)
    return texts


def _first(texts: dict[str, list[str]], name: str) -> str | None:
    values = texts.get(name)
    return clean(values[0]) if values else None


def _all(texts: dict[str, list[str]], name: str) -> list[str]:
    return [value.strip() for value in texts.get(name, ()) if value.strip()]


_EXPLOIT_TAGS = ("exploit_available", "exploit_framework_metasploit", "exploit_framework_core",
                 "exploit_framework_canvas")


def _score(text: str | None, version: int, vector: str | None) -> float | None:
    score = parse_score(text)
    if score is None and vector:
        return score_vector(version, vector)
    return score


def _finding(item: Element, host: _HostState) -> FindingRecord:
    texts = _children(item)
    port_text = item.get("port", "0")
    cvss2_vector = normalise_vector(2, _first(texts, "cvss_vector"))
    cvss3_vector = _first(texts, "cvss3_vector")
    cvss4_vector = _first(texts, "cvss4_vector")
    exploit_flags = [(_first(texts, name) or "").lower() for name in _EXPLOIT_TAGS]
    exploit: bool | None = None
    if "true" in exploit_flags:
        exploit = True
    elif "false" in exploit_flags:
        exploit = False
    see_also = [line.strip() for text in _all(texts, "see_also") for line in text.splitlines()]
    references = [ref for ref in see_also if ref] + _all(texts, "xref")
    cwes = [cwe for cwe in (parse_cwe(text) for text in _all(texts, "cwe")) if cwe]
    outputs = texts.get("plugin_output")
    return FindingRecord(
        host_address=host.address,
        host_name=host.host_name,
        plugin_id=item.get("pluginID", "").strip(),
        name=(item.get("pluginName") or _first(texts, "plugin_name") or "").strip(),
        port=int(port_text) if port_text.strip().isdigit() else 0,
        protocol=(item.get("protocol") or "tcp").strip().lower(),
        service=clean(item.get("svc_name")),
        scanner_severity=severity_name(item.get("severity"))
        or severity_name(_first(texts, "risk_factor"))
        or "info",
        family=clean(item.get("pluginFamily")),
        cvss2_score=_score(_first(texts, "cvss_base_score"), 2, cvss2_vector),
        cvss2_vector=cvss2_vector,
        cvss3_score=_score(_first(texts, "cvss3_base_score"), 3, cvss3_vector),
        cvss3_vector=cvss3_vector,
        cvss4_score=_score(_first(texts, "cvss4_base_score"), 4, cvss4_vector),
        cvss4_vector=cvss4_vector,
        cves=list(dict.fromkeys(cve.upper() for cve in _all(texts, "cve"))),
        cwes=list(dict.fromkeys(cwes)),
        synopsis=_first(texts, "synopsis"),
        description=_first(texts, "description"),
        solution=_first(texts, "solution"),
        references=list(dict.fromkeys(references)),
        plugin_type=_first(texts, "plugin_type"),
        exploit_available=exploit,
        published=_iso_date(_first(texts, "plugin_publication_date"))
        or _iso_date(_first(texts, "vuln_publication_date")),
        patch_published=_iso_date(_first(texts, "patch_publication_date")),
        plugin_output=outputs[0] if outputs else None,
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
                scan.plugin_set = _plugin_set(value)
        elif tag == "policyName":
            scan.policy_name = clean(element.text)
        elif tag == "HostProperties" and host is not None:
            host.read_properties(element)
        elif tag == "ReportItem":
            scan.scanner_version = scan.scanner_version or _nessus_version(element)
            if host is None:
                yield ParseWarning(f"a ReportItem (plugin {element.get('pluginID')!r}) is outside "
                                   "any ReportHost, so it names no host; skipped")
            else:
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
        raise ReportError(
            path,
            "no <Report> element, so the file holds no scan results (it may be a policy "
            "export or damaged). Export the scan results from Nessus again.",
        )
    scan.started_at, scan.ended_at = first_start, last_end
    yield scan


def _plugin_set(value: str) -> frozenset[str]:
    # Pretty-printed exports wrap the list in whitespace and line breaks.
    ids = (plugin_id.strip() for plugin_id in value.replace(",", ";").split(";"))
    return frozenset(plugin_id for plugin_id in ids if plugin_id)


def _nessus_version(item: Element) -> str | None:
    if item.get("pluginID", "").strip() != SCAN_INFORMATION_PLUGIN:
        return None
    match = _NESSUS_VERSION.search(item.findtext("plugin_output") or "")
    return match.group(1) if match else None


def _item_records(item: Element, host: _HostState) -> Iterator[Record]:
    plugin_id = item.get("pluginID", "").strip()
    if plugin_id in LOGIN_EVIDENCE_PLUGINS:
        host.note_login_evidence(plugin_id, item.findtext("plugin_output"))
    label = host.address or host.name or "?"
    if not plugin_id.isdigit():
        yield ParseWarning(
            f"host {label}: a ReportItem has no numeric pluginID ({plugin_id!r}); skipped"
        )
    elif plugin_id == "0":
        yield ParseWarning(
            f"host {label}: open-port placeholder (plugin 0, port {item.get('port')}/"
            f"{item.get('protocol')}); skipped"
        )
    elif host.address is None and host.name is None:
        yield ParseWarning(
            f"plugin {plugin_id}: the host has neither an address nor a name; skipped"
        )
    else:
        yield _finding(item, host)
