"""One scan exported twice, as .nessus XML and as Nessus default CSV, gives the same findings.

fixtures/pair_scan.nessus holds three hosts: 192.0.2.10 (plugins 19506 on
port 0, 104743 on 443, and an open-port placeholder that the XML importer
skips), 192.0.2.11 (97833 with three CVEs, 10287 on 0/udp) and a host known
only by its name, printer.example.test (10114 on 0/icmp, 41028 on 161/udp).
fixtures/pair_scan.csv is the same scan in the 13-column CSV layout, which
writes one row per CVE, so plugin 97833 spans three rows.
"""

from __future__ import annotations

from pathlib import Path

from patchtui.importers import parse_report
from patchtui.importers.model import FindingRecord, HostRecord, Record

FIXTURES = Path(__file__).parent / "fixtures"

EXPECTED_KEYS = {
    ("192.0.2.10", "19506", 0, "tcp"),
    ("192.0.2.10", "104743", 443, "tcp"),
    ("192.0.2.11", "97833", 445, "tcp"),
    ("192.0.2.11", "10287", 0, "udp"),
    ("printer.example.test", "10114", 0, "icmp"),
    ("printer.example.test", "41028", 161, "udp"),
}


def _records(name: str) -> tuple[str, list[Record]]:
    format_name, records = parse_report(FIXTURES / name)
    return format_name, list(records)


def _key(finding: FindingRecord) -> tuple[str, str, int, str]:
    host = finding.host_address or (finding.host_name or "").lower()
    return host, finding.plugin_id, finding.port, finding.protocol


def _findings(records: list[Record]) -> dict[tuple[str, str, int, str], FindingRecord]:
    return {_key(r): r for r in records if isinstance(r, FindingRecord)}


def _host_keys(records: list[Record]) -> set[str]:
    return {r.address or (r.name or "").lower() for r in records if isinstance(r, HostRecord)}


def test_pair_formats_detected() -> None:
    assert _records("pair_scan.nessus")[0] == "nessus-xml"
    assert _records("pair_scan.csv")[0] == "nessus-csv"


def test_pair_same_finding_keys() -> None:
    xml_findings = _findings(_records("pair_scan.nessus")[1])
    csv_findings = _findings(_records("pair_scan.csv")[1])

    assert set(xml_findings) == EXPECTED_KEYS
    assert set(csv_findings) == EXPECTED_KEYS


def test_pair_same_hosts() -> None:
    expected = {"192.0.2.10", "192.0.2.11", "printer.example.test"}

    assert _host_keys(_records("pair_scan.nessus")[1]) == expected
    assert _host_keys(_records("pair_scan.csv")[1]) == expected


def test_pair_same_finding_details() -> None:
    xml_findings = _findings(_records("pair_scan.nessus")[1])
    csv_findings = _findings(_records("pair_scan.csv")[1])

    for key in EXPECTED_KEYS:
        xml, csv = xml_findings[key], csv_findings[key]
        assert csv.name == xml.name, key
        assert csv.scanner_severity == xml.scanner_severity, key
        assert csv.cves == xml.cves, key
        assert csv.cvss2_score == xml.cvss2_score, key
        assert csv.synopsis == xml.synopsis, key
        assert csv.solution == xml.solution, key
        assert csv.plugin_output == xml.plugin_output, key


def test_pair_cve_rows_merged() -> None:
    csv_findings = _findings(_records("pair_scan.csv")[1])

    smb = csv_findings[("192.0.2.11", "97833", 445, "tcp")]
    assert smb.cves == ["CVE-2017-0143", "CVE-2017-0144", "CVE-2017-0145"]
    assert smb.scanner_severity == "critical"
    assert smb.cvss2_score == 10.0


def test_pair_same_login_evidence() -> None:
    def credentialed(records: list[Record]) -> dict[str, bool | None]:
        return {
            r.address or r.name or "": r.credentialed for r in records if isinstance(r, HostRecord)
        }

    xml_hosts = credentialed(_records("pair_scan.nessus")[1])
    csv_hosts = credentialed(_records("pair_scan.csv")[1])

    assert csv_hosts == xml_hosts
    assert csv_hosts["192.0.2.10"] is False
