"""Write small Nessus v2 reports for the TUI tests, with values the tests know in advance."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

SCAN_START = 1767225600  # 2026-01-01T00:00:00Z
"""HOST_START_TIMESTAMP of every host in these reports."""


@dataclass
class Item:
    """One ReportItem: a check's result on a host and port."""

    plugin_id: int
    name: str
    severity: int
    """Nessus severity 0 (info) to 4 (critical)."""
    port: int = 443
    cvss3: float | None = None
    cves: list[str] = field(default_factory=list)
    output: str = "output"
    description: str = "description"
    solution: str = "solution"


@dataclass
class Host:
    """One ReportHost with its items."""

    ip: str
    name: str
    items: list[Item]


def _item_xml(item: Item) -> str:
    lines = [
        f'<ReportItem port="{item.port}" svc_name="www" protocol="tcp" severity="{item.severity}"'
        f' pluginID="{item.plugin_id}" pluginName={quoteattr(item.name)} pluginFamily="General">',
        f"<description>{escape(item.description)}</description>",
        f"<solution>{escape(item.solution)}</solution>",
        "<synopsis>synopsis</synopsis>",
        "<plugin_type>remote</plugin_type>",
        f"<plugin_output>{escape(item.output)}</plugin_output>",
    ]
    if item.cvss3 is not None:
        lines.append(f"<cvss3_base_score>{item.cvss3}</cvss3_base_score>")
    lines += [f"<cve>{escape(cve)}</cve>" for cve in item.cves]
    lines.append("</ReportItem>")
    return "\n".join(lines)


def nessus_xml(hosts: list[Host], *, scan_name: str = "weekly", start: int = SCAN_START) -> str:
    """Return the text of a Nessus v2 report listing ``hosts``."""
    parts = ['<?xml version="1.0" ?>', "<NessusClientData_v2>",
             f"<Report name={quoteattr(scan_name)}>"]
    for host in hosts:
        parts += [
            f"<ReportHost name={quoteattr(host.ip)}><HostProperties>",
            f'<tag name="host-ip">{escape(host.ip)}</tag>',
            f'<tag name="hostname">{escape(host.name)}</tag>',
            f'<tag name="HOST_START_TIMESTAMP">{start}</tag>',
            f'<tag name="HOST_END_TIMESTAMP">{start + 600}</tag>',
            "</HostProperties>",
        ]
        parts += [_item_xml(item) for item in host.items]
        parts.append("</ReportHost>")
    parts += ["</Report>", "</NessusClientData_v2>"]
    return "\n".join(parts) + "\n"


def write_report(path: Path, hosts: list[Host], **options: object) -> Path:
    """Write a report to ``path`` and return the path."""
    path.write_text(nessus_xml(hosts, **options), encoding="utf-8")  # type: ignore[arg-type]
    return path


def small_network() -> list[Host]:
    """Three hosts, eleven findings: two critical, three high, three medium, one low, two info."""
    return [
        Host("10.0.0.1", "web1.example.test", [
            Item(1001, "OpenSSL Heartbeat Information Disclosure", 4, 443, 9.8, ["CVE-2014-0160"],
                 output="heartbeat leaked 64 kB"),
            Item(1002, "Apache Outdated Version", 3, 80, 7.5, ["CVE-2021-41773", "CVE-2021-42013"]),
            Item(1003, "TLS Weak Cipher Suites", 2, 443, 5.3),
            Item(1004, "Nessus Scan Information", 0, 0),
        ]),
        Host("10.0.0.2", "db1.example.test", [
            Item(2001, "MySQL Remote Code Execution", 4, 3306, 9.1, ["CVE-2016-6662"]),
            Item(2002, "SSH Weak Key Exchange", 2, 22, 4.3),
            Item(2003, "ICMP Timestamp Disclosure", 1, 0, 2.1),
            Item(2004, "OS Identification", 0, 0),
        ]),
        Host("10.0.0.3", "mail.example.test", [
            Item(3001, "Postfix Outdated Version", 3, 25, 7.2),
            Item(3002, "Log4j Remote Code Execution", 3, 8080, 8.8, ["CVE-2021-44228"],
                 output="jndi lookup answered from /opt/app/lib/log4j-core-2.14.jar"),
            Item(3003, "SMTP Cleartext Login", 2, 25, 4.8),
        ]),
    ]


def many_findings(hosts: int, items: int) -> list[Host]:
    """Return ``hosts`` hosts with ``items`` medium findings each, for slow imports."""
    return [
        Host(f"10.1.{number // 250}.{number % 250 + 1}", f"h{number}.example.test",
             [Item(50000 + item, f"Synthetic check {item}", 2, 1000 + item, 5.0,
                   output="x" * 200) for item in range(items)])
        for number in range(hosts)
    ]
