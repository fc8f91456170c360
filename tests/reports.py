"""Build small Nessus v2 reports for tests, so each test states its scan in a few lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr


@dataclass
class Item:
    plugin_id: str
    port: int = 0
    protocol: str = "tcp"
    severity: int = 2
    name: str | None = None
    plugin_type: str = "remote"
    output: str = "found"
    description: str = "A test finding."
    cves: list[str] = field(default_factory=list)
    cvss3: float | None = None
    cvss4: float | None = None
    cvss2: float | None = None
    exploit: bool | None = None


@dataclass
class Host:
    ip: str
    items: list[Item]
    credentialed: bool | None = True
    fqdn: str | None = None


def nessus_xml(hosts: list[Host], start: datetime, *, name: str = "test scan",
               plugin_set: list[str] | None = None) -> str:
    """Return the text of a Nessus v2 report scanned at ``start``."""
    parts = ['<?xml version="1.0" ?>', "<NessusClientData_v2>"]
    if plugin_set is not None:
        parts.append("<Policy><policyName>test</policyName><Preferences><ServerPreferences>"
                     f"<preference><name>plugin_set</name><value>{';'.join(plugin_set)}</value>"
                     "</preference></ServerPreferences></Preferences></Policy>")
    parts.append(f"<Report name={quoteattr(name)}>")
    stamp = int(start.timestamp())
    for host in hosts:
        parts.append(f'<ReportHost name="{host.ip}"><HostProperties>')
        parts.append(f'<tag name="host-ip">{host.ip}</tag><tag name="HOST_START_TIMESTAMP">{stamp}</tag>')
        if host.fqdn:
            parts.append(f'<tag name="host-fqdn">{escape(host.fqdn)}</tag>')
        if host.credentialed is not None:
            parts.append(f'<tag name="Credentialed_Scan">{str(host.credentialed).lower()}</tag>')
        parts.append("</HostProperties>")
        for item in host.items:
            parts.append(
                f'<ReportItem port="{item.port}" svc_name="svc" protocol="{item.protocol}" '
                f'severity="{item.severity}" pluginID="{item.plugin_id}" '
                f'pluginName={quoteattr(item.name or "Check " + item.plugin_id)} pluginFamily="General">'
            )
            parts += [f"<cve>{cve}</cve>" for cve in item.cves]
            if item.cvss3 is not None:
                parts.append(f"<cvss3_base_score>{item.cvss3}</cvss3_base_score>")
            if item.cvss4 is not None:
                parts.append(f"<cvss4_base_score>{item.cvss4}</cvss4_base_score>")
            if item.cvss2 is not None:
                parts.append(f"<cvss_base_score>{item.cvss2}</cvss_base_score>")
            if item.exploit is not None:
                parts.append(f"<exploit_available>{str(item.exploit).lower()}</exploit_available>")
            parts.append(f"<plugin_type>{item.plugin_type}</plugin_type>"
                         f"<description>{escape(item.description)}</description>"
                         f"<plugin_output>{escape(item.output)}</plugin_output></ReportItem>")
        parts.append("</ReportHost>")
    parts += ["</Report>", "</NessusClientData_v2>", ""]
    return "\n".join(parts)


def write_nessus(directory: Path, file_name: str, hosts: list[Host], start: datetime, **options) -> Path:
    """Write a report into ``directory`` and return its path."""
    path = directory / file_name
    path.write_text(nessus_xml(hosts, start, **options), encoding="utf-8")
    return path


def day(number: int) -> datetime:
    """Return 1 November 2026 plus ``number - 1`` days, 02:00 UTC: scan times that sort plainly."""
    return datetime(2026, 11, number, 2, 0, tzinfo=UTC)
