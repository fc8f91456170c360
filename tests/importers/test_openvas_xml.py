"""Greenbone/OpenVAS XML importer: own fixtures and public sample reports.

Expected values were counted by reading each file by hand or with grep, not
with the importer.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from patchtui.errors import ReportError
from patchtui.importers import openvas_xml, parse_report
from patchtui.importers.model import FindingRecord, HostRecord, ParseWarning, Record, ScanInfo
from tests.conftest import realfile, realfiles_dir

FIXTURES = Path(__file__).parent / "fixtures"


def read(path: Path) -> list[Record]:
    fmt, records = parse_report(path)
    assert fmt == "openvas-xml"
    return list(records)


def findings(records: list[Record]) -> list[FindingRecord]:
    return [record for record in records if isinstance(record, FindingRecord)]


def hosts(records: list[Record]) -> list[HostRecord]:
    return [record for record in records if isinstance(record, HostRecord)]


def warnings(records: list[Record]) -> list[ParseWarning]:
    return [record for record in records if isinstance(record, ParseWarning)]


def scans(records: list[Record]) -> list[ScanInfo]:
    return [record for record in records if isinstance(record, ScanInfo)]


def finding_keys(records: list[Record]) -> set[tuple[str | None, str | None, str, int, str]]:
    return {
        (f.host_address, f.host_name, f.plugin_id, f.port, f.protocol) for f in findings(records)
    }


def by_oid(records: list[Record], oid_suffix: str) -> list[FindingRecord]:
    return [f for f in findings(records) if f.plugin_id.endswith("." + oid_suffix)]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- own fixtures -----------------------------------------------------------------


def test_gmp_one_result_counts() -> None:
    records = read(FIXTURES / "openvas_gmp_one_result.xml")

    assert len(findings(records)) == 1
    assert len(hosts(records)) == 1
    assert warnings(records) == []


def test_gmp_scan_info_first_and_last() -> None:
    records = read(FIXTURES / "openvas_gmp_one_result.xml")

    assert isinstance(records[0], ScanInfo)
    assert isinstance(records[-1], ScanInfo)
    first, last = records[0], records[-1]
    assert first.scanner == "openvas"
    assert first.format == "openvas-xml"
    assert first.name == "Weekly office LAN"
    assert first.scanner_version == "22.7"
    # 09:00:05+01:00 is 08:00:05 UTC.
    assert first.started_at == utc(2026, 3, 2, 8, 0, 5)
    assert last.ended_at == utc(2026, 3, 2, 8, 41, 31)


def test_gmp_result_fields() -> None:
    (finding,) = findings(read(FIXTURES / "openvas_gmp_one_result.xml"))

    assert finding.plugin_id == "1.3.6.1.4.1.25623.1.1.2.2026.9999"
    assert finding.name == "Debian: Security Advisory (DSA-9999-1)"
    assert finding.family == "Debian Local Security Checks"
    assert finding.plugin_type == "local"
    assert (finding.host_address, finding.host_name) == ("192.0.2.10", "files01.office.example")
    assert (finding.port, finding.protocol) == (0, "tcp")
    assert finding.scanner_severity == "high"
    assert finding.cvss3_score == 7.8
    assert finding.cvss3_vector == "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"
    assert finding.cvss2_score is None
    assert finding.cves == ["CVE-2026-10001", "CVE-2026-10002"]
    assert finding.cwes == ["CWE-122"]
    assert finding.references == [
        "https://security-tracker.example/DSA-9999-1",
        "WID-SEC-2026-0101",
    ]
    assert finding.qod == 97
    assert finding.seen_at == utc(2026, 3, 2, 8, 0, 5)


def test_gmp_tags_split_on_key_only() -> None:
    (finding,) = findings(read(FIXTURES / "openvas_gmp_one_result.xml"))

    assert finding.synopsis == "The remote host is missing an update for the 'examplelib' package."
    # The "|" inside the insight text is no tag separator, because no "key=" follows it.
    assert finding.description == (
        "Insight:\nA heap overflow in the parser | the tokenizer allows code execution.\n\n"
        "Affected software/OS:\n'examplelib' package(s) on Debian 12.\n\n"
        "Detection method:\n"
        "Checks if a vulnerable package version is present on the target host."
    )
    assert finding.solution == "Please install the updated\npackage(s)."
    assert finding.plugin_output == (
        "Vulnerable package: examplelib\nInstalled version: 1.2.3-1\n"
        "Fixed version:     1.2.3-1+deb12u1"
    )


def test_gmp_host_details() -> None:
    (host,) = hosts(read(FIXTURES / "openvas_gmp_one_result.xml"))

    assert host == HostRecord(
        address="192.0.2.10",
        name="files01.office.example",
        fqdn="files01.office.example",
        os="Debian GNU/Linux 12",
        mac="00:00:5E:00:53:0A",
        credentialed=True,
        started_at=utc(2026, 3, 2, 8, 0, 6),
        ended_at=utc(2026, 3, 2, 8, 41, 30),
    )


def test_bare_report_counts_and_warnings() -> None:
    records = read(FIXTURES / "openvas_bare_report.xml")

    # 5 results: one with OID "0" and one with an empty <host> are skipped.
    assert len(findings(records)) == 3
    messages = [warning.message for warning in warnings(records)]
    assert len(messages) == 2
    assert "'Open port' on 21/tcp" in messages[0]
    assert "placeholder" in messages[0]
    assert "'Check for SSL Weak Ciphers' on 443/tcp" in messages[1]
    assert "names no host" in messages[1]


def test_bare_report_scan_info() -> None:
    records = read(FIXTURES / "openvas_bare_report.xml")

    last = scans(records)[-1]
    assert last.name == "Legacy DMZ"
    assert last.scanner_version == "6.0"
    assert last.started_at == utc(2015, 8, 25, 21, 48, 25)
    assert last.ended_at == utc(2015, 8, 25, 22, 10, 3)


def test_bare_report_omp_fields() -> None:
    records = read(FIXTURES / "openvas_bare_report.xml")
    inventory, httpd, ssh = findings(records)

    assert (inventory.port, inventory.protocol) == (0, "cpe-t")
    assert inventory.scanner_severity == "info"
    assert inventory.cves == []
    assert inventory.references == []

    # An empty <threat> takes its rating from the 7.5 severity score.
    assert httpd.scanner_severity == "high"
    assert httpd.cves == ["CVE-2014-0001", "CVE-2014-0002"]
    assert httpd.cwes == ["CWE-79"]
    assert httpd.cvss2_score == 7.5
    assert httpd.cvss2_vector == "AV:N/AC:L/Au:N/C:P/I:P/A:P"
    assert httpd.published == "2014-02-11"
    assert httpd.references == [
        "BID:65001",
        "BID:65002",
        "http://httpd.example/security.html",
        "https://cwe.mitre.org/data/definitions/79.html",
        "CB-K14/0123",
    ]
    assert httpd.qod is None
    assert httpd.plugin_type == "remote"

    assert (ssh.host_address, ssh.host_name) == (None, "198.51.100.300")


def test_bare_report_hosts() -> None:
    records = read(FIXTURES / "openvas_bare_report.xml")

    assert hosts(records) == [
        HostRecord(
            address="198.51.100.7",
            credentialed=False,
            started_at=utc(2015, 8, 25, 21, 48, 27),
            ended_at=utc(2015, 8, 25, 22, 10, 2),
        ),
        HostRecord(address=None, name="198.51.100.300"),
    ]


def test_sniff_needs_greenbone_markers() -> None:
    assert openvas_xml.sniff(b'<?xml version="1.0"?>\n<get_reports_response status="200">')
    assert openvas_xml.sniff(b'<report id="1"><report_format id="x"/>')
    assert openvas_xml.sniff(b"<report>\n  <omp><version>7.0</version></omp>")
    assert not openvas_xml.sniff(b'<report generator="lynis"><host name="a"/></report>')
    assert not openvas_xml.sniff(b"<NessusClientData_v2><Report>")


def test_failed_gmp_response_rejected(tmp_path: Path) -> None:
    path = tmp_path / "response.xml"
    path.write_text('<get_reports_response status="404" status_text="Failed to find report"/>')

    with pytest.raises(ReportError) as caught:
        list(openvas_xml.parse(path))
    assert caught.value.path == path
    assert "status 404" in caught.value.reason
    assert "Failed to find report" in caught.value.reason


def test_unfinished_scan_warns(tmp_path: Path) -> None:
    path = tmp_path / "running.xml"
    path.write_text(
        "<report><report><gmp><version>22.4</version></gmp>"
        "<scan_run_status>Interrupted</scan_run_status><results/></report></report>"
    )

    records = list(openvas_xml.parse(path))
    (warning,) = warnings(records)
    assert "'Interrupted'" in warning.message


def test_delta_gone_result_skipped(tmp_path: Path) -> None:
    path = tmp_path / "delta.xml"
    path.write_text(
        '<report><report type="delta"><gmp><version>22.4</version></gmp><results>'
        '<result id="a"><host>192.0.2.1</host><port>80/tcp</port>'
        '<nvt oid="1.3.6.1.4.1.25623.1.0.1"><name>Still here</name></nvt>'
        "<threat>High</threat><delta>same</delta></result>"
        '<result id="b"><host>192.0.2.1</host><port>22/tcp</port>'
        '<nvt oid="1.3.6.1.4.1.25623.1.0.2"><name>Fixed since</name></nvt>'
        "<threat>High</threat><delta>gone</delta></result>"
        "</results></report></report>"
    )

    records = list(openvas_xml.parse(path))
    assert [f.name for f in findings(records)] == ["Still here"]
    (warning,) = warnings(records)
    assert "'Fixed since'" in warning.message
    assert "gone" in warning.message


def test_two_reports_in_one_file_warn(tmp_path: Path) -> None:
    report = (
        '<report id="{0}"><report id="{0}"><task><name>Task {0}</name></task><results>'
        '<result><host>192.0.2.{0}</host><port>80/tcp</port>'
        '<nvt oid="1.3.6.1.4.1.25623.1.0.1"><name>x</name></nvt><threat>Low</threat></result>'
        "</results></report></report>"
    )
    path = tmp_path / "two.xml"
    path.write_text(
        '<get_reports_response status="200">' + report.format(1) + report.format(2)
        + "</get_reports_response>"
    )

    records = list(openvas_xml.parse(path))
    assert len(findings(records)) == 2
    (warning,) = warnings(records)
    assert "more than one report" in warning.message
    assert scans(records)[-1].name == "Task 1"


# --- public sample reports ----------------------------------------------------------


def test_realfile_many_vuln_counts() -> None:
    records = read(realfile("openvas_xml/dd_many_vuln.xml"))

    # 44 <result> elements under <results>, all with an OID and the same host.
    # No two share an OID and port.
    assert len(findings(records)) == 44
    assert len(finding_keys(records)) == 44
    assert len(hosts(records)) == 1
    assert warnings(records) == []


def test_realfile_many_vuln_invalid_address() -> None:
    records = read(realfile("openvas_xml/dd_many_vuln.xml"))

    # 192.168.1.1001 is no IPv4 address: it becomes the host name.
    assert {(f.host_address, f.host_name) for f in findings(records)} == {(None, "192.168.1.1001")}
    assert hosts(records) == [
        HostRecord(
            address=None,
            name="192.168.1.1001",
            fqdn="b6b9f466d63",
            started_at=utc(2023, 9, 26, 10, 50, 34),
            ended_at=utc(2023, 9, 26, 13, 4, 0),
        )
    ]


def test_realfile_many_vuln_fields() -> None:
    records = read(realfile("openvas_xml/dd_many_vuln.xml"))

    # 19 results say High, 23 Medium and 2 have an empty <threat> with severity 4.0.
    assert Counter(f.scanner_severity for f in findings(records)) == {"high": 19, "medium": 25}
    # <qod><value> counts by grep.
    assert Counter(f.qod for f in findings(records)) == {
        80: 18, 99: 12, 95: 5, 70: 5, 98: 3, 100: 1,
    }

    (rexec,) = by_oid(records, "100111")
    assert (rexec.port, rexec.protocol) == (512, "tcp")
    assert rexec.cves == ["CVE-1999-0618"]
    assert rexec.cvss2_score == 10.0
    assert rexec.family == "Useless services"
    assert rexec.seen_at == utc(2023, 9, 26, 10, 50, 34)

    (eol,) = by_oid(records, "103674")
    assert (eol.port, eol.protocol) == (0, "tcp")

    (druby,) = by_oid(records, "108010")
    assert druby.name == (
        "Distributed Ruby (dRuby/DRb) Multiple Remote Code Execution Vulnerabilities"
    )

    (dh_group,) = by_oid(records, "106223")
    assert dh_group.scanner_severity == "medium"

    (cleartext,) = by_oid(records, "108440")
    assert cleartext.cwes == ["CWE-319"]


def test_realfile_many_vuln_scan_info() -> None:
    records = read(realfile("openvas_xml/dd_many_vuln.xml"))

    first, last = scans(records)
    assert records[0] is first
    assert first.name == "metasploitable2-scan"
    assert first.scanner_version == "9.0"
    assert first.started_at == utc(2023, 9, 26, 10, 50, 34)
    assert last.ended_at == utc(2023, 9, 26, 13, 4, 0)


def test_realfile_no_vuln() -> None:
    records = read(realfile("openvas_xml/dd_no_vuln.xml"))

    # <results start="1" max="-1"/> is empty and there is no <host> element.
    assert findings(records) == []
    assert hosts(records) == []
    assert warnings(records) == []
    last = scans(records)[-1]
    assert last.name == "HP-scan"
    assert last.started_at == utc(2023, 9, 25, 10, 46, 9)
    assert last.ended_at == utc(2023, 9, 25, 10, 54, 26)


def test_realfile_one_vuln() -> None:
    records = read(realfile("openvas_xml/dd_one_vuln.xml"))

    # One <result>, one <host> with an empty <detail/>.
    assert len(findings(records)) == 1
    assert len(hosts(records)) == 1
    (finding,) = findings(records)
    assert finding.plugin_id == "1.3.6.1.4.1.25623.1.0.832260"
    assert (finding.host_address, finding.host_name) == ("10.0.101.2", None)
    assert (finding.port, finding.protocol) == (0, "tcp")
    assert finding.scanner_severity == "high"
    assert finding.cvss2_score == 10.0
    assert finding.qod == 97
    assert finding.cves == [
        "CVE-2023-4573", "CVE-2023-4574", "CVE-2023-4575", "CVE-2023-4576",
        "CVE-2023-4577", "CVE-2023-4578", "CVE-2023-4579", "CVE-2023-4580",
        "CVE-2023-4581", "CVE-2023-4585", "CVE-2023-4583", "CVE-2023-4584",
    ]
    assert finding.references == ["https://www.mozilla.org/en-US/security/advisories/mfsa2023-34/"]
    assert finding.solution == (
        "Upgrade to version 117 or later,\nPlease see the references for more information."
    )
    # The family is General, but QoD type "registry" means the check read the registry
    # through a login.
    assert finding.plugin_type == "local"
    (host,) = hosts(records)
    assert host.credentialed is None
    assert host.ended_at == utc(2023, 9, 28, 16, 12, 15)


def test_realfile_report_detail_v2() -> None:
    records = read(realfile("openvas_xml/dd_report_detail_v2.xml"))

    # One <result> and no <host> section: the host comes from the result alone.
    assert len(findings(records)) == 1
    assert hosts(records) == [HostRecord(address="10.99.99.99", name="server99")]
    (finding,) = findings(records)
    assert (finding.port, finding.protocol) == (42, "tcp")
    assert finding.cvss3_score == 9.8
    assert finding.cvss3_vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    assert finding.cvss2_score is None
    # 93 <ref type="cve">, all different.
    assert len(finding.cves) == 93
    assert finding.cves[0] == "CVE-2025-49659"
    assert finding.cves[-1] == "CVE-2025-49757"
    # 1 url, 3 cert-bund and 2 dfn-cert refs.
    assert len(finding.references) == 6
    assert finding.qod == 80
    assert finding.plugin_type == "local"
    assert finding.seen_at == utc(2025, 8, 22, 13, 1, 38)
    last = scans(records)[-1]
    assert (last.name, last.scanner_version) == ("Report", "22.6")
    assert last.ended_at == utc(2025, 8, 22, 15, 9, 57)


def test_realfile_report_v7_nested_results() -> None:
    records = read(realfile("openvas_xml/dradis_report_v7.xml"))

    # 8 <result id=...> tags, 2 of them nested inside a result's <detection>.
    assert len(findings(records)) == 6
    assert finding_keys(records) == {
        ("10.10.10.10", None, "1.3.6.1.4.1.25623.1.0." + oid, port, "tcp")
        for oid, port in [
            ("105042", 1443), ("100712", 8443), ("103955", 3390),
            ("103440", 443), ("103440", 1443), ("103032", 8443),
        ]
    }
    assert hosts(records) == [HostRecord(address="10.10.10.10")]
    assert warnings(records) == []


def test_realfile_report_v7_placeholders() -> None:
    records = read(realfile("openvas_xml/dradis_report_v7.xml"))

    (ccs,) = by_oid(records, "105042")
    assert ccs.cves == ["CVE-2014-0224"]
    assert ccs.cvss2_vector == "AV:N/AC:M/Au:N/C:P/I:P/A:P"
    # 1 BID, 2 xref URLs and 11 DFN-CERT refs.
    assert len(ccs.references) == 14
    assert ccs.references[:3] == [
        "BID:67899", "http://www.securityfocus.com/bid/67899", "http://openssl.org/"
    ]

    (expired,) = by_oid(records, "103955")
    assert expired.cves == []
    assert expired.references == []
    assert (expired.plugin_output or "").startswith("Expired Certificates:")

    last = scans(records)[-1]
    assert last.name == "10.10.10.10"
    assert last.scanner_version is None
    assert last.started_at == utc(2014, 9, 20, 3, 55, 33)


def test_synthetic_report_parses(tmp_path: Path) -> None:
    tool = realfiles_dir().parent / "tools" / "synth_scan.py"
    if not tool.exists():
        pytest.skip(f"synthetic report generator not present: {tool}")
    path = tmp_path / "synthetic.xml"
    subprocess.run(
        [sys.executable, str(tool), "--format", "openvas", "--hosts", "20", "--items", "10",
         "-o", str(path)],
        check=True,
    )
    text = path.read_text()

    records = read(path)
    assert len(findings(records)) == text.count("<result id=")
    addresses = {line.split("</ip>")[0] for line in text.split("<ip>")[1:]}
    assert {host.address for host in hosts(records)} == addresses
