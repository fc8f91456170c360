"""Nessus v2 XML importer: own fixtures and public sample reports.

Expected values were counted by reading each file by hand or with grep, not
with the importer.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from patchtui.errors import ReportError
from patchtui.importers import nessus_xml, parse_report
from patchtui.importers.model import FindingRecord, HostRecord, ParseWarning, Record, ScanInfo
from tests.conftest import realfile

FIXTURES = Path(__file__).parent / "fixtures"


def read(path: Path) -> list[Record]:
    fmt, records = parse_report(path)
    assert fmt == "nessus-xml"
    return list(records)


def findings(records: list[Record]) -> list[FindingRecord]:
    return [record for record in records if isinstance(record, FindingRecord)]


def hosts(records: list[Record]) -> list[HostRecord]:
    return [record for record in records if isinstance(record, HostRecord)]


def warnings(records: list[Record]) -> list[ParseWarning]:
    return [record for record in records if isinstance(record, ParseWarning)]


def last_scan(records: list[Record]) -> ScanInfo:
    scan = records[-1]
    assert isinstance(scan, ScanInfo)
    return scan


def by_plugin(records: list[Record], plugin_id: str) -> list[FindingRecord]:
    return [f for f in findings(records) if f.plugin_id == plugin_id]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- own fixtures -----------------------------------------------------------------


def test_local_check_without_login() -> None:
    records = read(FIXTURES / "nessus_local_check_no_login.nessus")

    # Three ReportItems: the scan information, the patch assessment failure, one local check.
    assert len(findings(records)) == 3
    (check,) = by_plugin(records, "201234")
    assert check.plugin_type == "local"
    assert check.scanner_severity == "high"
    assert check.cves == ["CVE-2026-10001", "CVE-2026-10002"]
    # Neither item gives a score: both come from the vectors.
    assert check.cvss2_vector == "AV:L/AC:L/Au:S/C:C/I:C/A:C"
    assert check.cvss2_score == 6.8
    assert check.cvss3_score == 7.8


def test_failed_patch_assessment_beats_tag() -> None:
    records = read(FIXTURES / "nessus_local_check_no_login.nessus")

    # Credentialed_Scan is true, but plugin 21745 reports that the patch assessment failed.
    (host,) = hosts(records)
    assert host.credentialed is False
    assert host.address == "192.0.2.22"
    assert host.name == "web02"
    assert host.fqdn == "web02.office.example"
    assert host.started_at == utc(2026, 3, 2, 9, 0, 0)
    assert host.ended_at == utc(2026, 3, 2, 9, 30, 0)
    assert {f.host_name for f in findings(records)} == {"web02"}


def test_plugin_set_and_version() -> None:
    scan = last_scan(read(FIXTURES / "nessus_local_check_no_login.nessus"))

    # The pretty-printed plugin_set value wraps the ids in whitespace and ends with ";".
    assert scan.plugin_set == frozenset({"19506", "21745", "201234"})
    assert scan.scanner_version == "10.8.3"
    assert scan.policy_name == "Weekly credentialed"


def test_item_outside_host_warns(tmp_path: Path) -> None:
    path = tmp_path / "stray.nessus"
    path.write_text(
        '<NessusClientData_v2><Report name="r">'
        '<ReportItem port="80" protocol="tcp" severity="2" pluginID="10107" pluginName="x"/>'
        '<ReportHost name="192.0.2.9"><HostProperties/></ReportHost>'
        "</Report></NessusClientData_v2>"
    )

    records = list(nessus_xml.parse(path))
    (warning,) = warnings(records)
    assert "'10107'" in warning.message
    assert "outside any ReportHost" in warning.message
    assert findings(records) == []
    assert hosts(records) == [HostRecord(address="192.0.2.9")]


def test_host_without_properties_keeps_address(tmp_path: Path) -> None:
    path = tmp_path / "bare-host.nessus"
    path.write_text(
        '<NessusClientData_v2><Report name="r"><ReportHost name="192.0.2.9">'
        '<ReportItem port="80" protocol="tcp" severity="2" pluginID="10107" pluginName="x"/>'
        "</ReportHost></Report></NessusClientData_v2>"
    )

    records = list(nessus_xml.parse(path))
    (finding,) = findings(records)
    assert (finding.host_address, finding.host_name) == ("192.0.2.9", None)


# --- public sample reports ----------------------------------------------------------


def test_realfile_many_vuln() -> None:
    records = read(realfile("nessus_xml/dd_nessus_many_vuln.xml"))

    # 1 ReportHost with 7 ReportItems, none with pluginID 0, all severity 0.
    assert len(findings(records)) == 7
    assert len(hosts(records)) == 1
    assert warnings(records) == []
    assert Counter(f.scanner_severity for f in findings(records)) == {"info": 7}
    assert Counter(f.port for f in findings(records)) == {0: 5, 443: 1, 264: 1}
    assert all(f.cvss2_score is None and f.cvss3_score is None for f in findings(records))
    assert {(f.host_address, f.host_name) for f in findings(records)} == {
        ("12.233.108.201", "preprod.boardvantage.net")
    }


def test_realfile_many_vuln_host_and_scan() -> None:
    records = read(realfile("nessus_xml/dd_nessus_many_vuln.xml"))

    (host,) = hosts(records)
    assert host.os == "CISCO PIX 7.0"
    assert host.fqdn == "preprod.boardvantage.net"
    # The output of plugin 19506 contains "Credentialed checks : no".
    assert host.credentialed is False
    assert host.started_at == utc(2013, 6, 25, 10, 32, 42)
    scan = last_scan(records)
    assert scan.name == "Remote"
    assert scan.policy_name == "Web App Tests"
    assert scan.scanner_version == "5.2.1"
    # The plugin_set value contains 55,449 ids separated by ";".
    assert len(scan.plugin_set or ()) == 55449


def test_realfile_with_cvssv3_counts() -> None:
    records = read(realfile("nessus_xml/dd_nessus_with_cvssv3.nessus"))

    # 49 ReportItems, none with pluginID 0. Plugin 58987 is listed twice on 80/tcp.
    assert len(findings(records)) == 49
    keys = {(f.host_address, f.plugin_id, f.port, f.protocol) for f in findings(records)}
    assert len(keys) == 48
    assert len(hosts(records)) == 1
    assert warnings(records) == []
    # severity="0".."4" attribute counts by grep.
    assert Counter(f.scanner_severity for f in findings(records)) == {
        "info": 23, "low": 1, "medium": 13, "high": 10, "critical": 2,
    }
    assert sum(f.cvss3_score is not None for f in findings(records)) == 9
    assert sum(f.cvss2_score is not None for f in findings(records)) == 27


def test_realfile_with_cvssv3_fields() -> None:
    records = read(realfile("nessus_xml/dd_nessus_with_cvssv3.nessus"))

    unsupported = by_plugin(records, "58987")
    assert len(unsupported) == 2
    assert unsupported[0].cvss3_score == 10.0
    assert unsupported[0].cvss3_vector == "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
    assert unsupported[0].cvss2_vector == "AV:N/AC:L/Au:N/C:C/I:C/A:C"

    (php,) = by_plugin(records, "31649")
    assert php.cwes == ["CWE-94", "CWE-119", "CWE-399"]
    assert len(php.cves) == 15
    assert php.cves[:2] == ["CVE-2006-1015", "CVE-2006-1549"]
    assert php.cvss2_score == 7.5

    (icmp,) = by_plugin(records, "10114")
    assert (icmp.port, icmp.protocol) == (0, "icmp")
    assert icmp.cves == ["CVE-1999-0524"]
    assert icmp.cwes == ["CWE-200"]
    assert icmp.cvss3_score == 0.0


def test_realfile_with_cvssv3_host_and_scan() -> None:
    records = read(realfile("nessus_xml/dd_nessus_with_cvssv3.nessus"))

    (host,) = hosts(records)
    assert (host.address, host.name) == ("44.228.249.3", "testphp.vulnweb.com")
    assert host.credentialed is False
    assert host.started_at == utc(2022, 3, 23, 13, 31, 51)
    scan = last_scan(records)
    assert scan.scanner_version == "10.1.1"
    assert scan.policy_name == "Basic Network Scan"
    # 139,907 ids, the first of them on the line after <value>.
    assert len(scan.plugin_set or ()) == 139907
    assert "146991" in (scan.plugin_set or ())


def test_realfile_host01_placeholders() -> None:
    records = read(realfile("nessus_xml/dradis_host-01.xml"))

    # 7 ReportItems, 6 of them open-port placeholders with pluginID 0.
    assert len(findings(records)) == 1
    assert len(warnings(records)) == 6
    assert all("open-port placeholder" in w.message for w in warnings(records))
    (finding,) = findings(records)
    assert finding.plugin_id == "10287"
    assert (finding.port, finding.protocol) == (0, "udp")
    assert finding.scanner_severity == "low"
    # "Tue Aug  9 09:50:18 2011" has two spaces before the day.
    assert hosts(records) == [
        HostRecord(
            address="10.0.0.1",
            started_at=utc(2011, 8, 9, 9, 50, 18),
            ended_at=utc(2011, 8, 9, 9, 59, 24),
        )
    ]


def test_realfile_vulnerability_priority_rating() -> None:
    records = read(realfile("nessus_xml/dradis_vulnerability_priority_rating.xml"))

    # One host named "computer" with host-ip 0.0.0.0, one ReportItem.
    assert len(findings(records)) == 1
    (finding,) = findings(records)
    assert (finding.host_address, finding.host_name) == (None, "computer")
    assert (finding.plugin_id, finding.port) == ("24260", 9090)
    # severity="1" wins over <risk_factor>None</risk_factor>.
    assert finding.scanner_severity == "low"
    assert "Protocol version : HTTP/1.1" in (finding.plugin_output or "")
    assert "\r" not in (finding.plugin_output or "")
    assert hosts(records) == [
        HostRecord(
            address=None, name="computer", fqdn="computer.domain", netbios="computer", os="windows"
        )
    ]


def test_realfile_invalid_results_rejected() -> None:
    path = realfile("nessus_xml/sarifsdk_InvalidResults.nessus.xml")

    # Right root, but <InvalidReport> in place of <Report>: nothing to import.
    with pytest.raises(ReportError) as caught:
        read(path)
    assert caught.value.path == path
    assert "no <Report> element" in caught.value.reason
    assert str(path) in str(caught.value)


def test_realfile_no_results() -> None:
    records = read(realfile("nessus_xml/sarifsdk_NoResults.nessus.xml"))

    # 2 ReportHosts without ReportItems; their tags are not host-ip.
    assert findings(records) == []
    assert hosts(records) == [HostRecord(address="10.0.0.1"), HostRecord(address="10.0.0.2")]
    scan = last_scan(records)
    assert (scan.name, scan.policy_name) == ("NessusReport", "NessusConverterTest")
