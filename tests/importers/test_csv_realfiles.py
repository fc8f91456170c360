"""CSV importers on the public sample exports in ../shared/realfiles.

The counts were worked out by reading each file with Python's csv module and
by eye, independently of the importers. An asset is a distinct IP address
(else lower-cased host name), a finding a distinct (asset, plugin or OID,
port, protocol). Each test comment shows how its numbers were counted.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from patchtui.importers import parse_report
from patchtui.importers.model import FindingRecord, HostRecord, ParseWarning, Record, ScanInfo
from tests.conftest import realfile

pytestmark = pytest.mark.realfiles


def _records(relative: str) -> tuple[str, list[Record]]:
    format_name, records = parse_report(realfile(relative))
    return format_name, list(records)


def _asset(address: str | None, name: str | None) -> str:
    return address or (name or "").lower()


def _assets(records: list[Record]) -> set[str]:
    hosts = {_asset(r.address, r.name) for r in records if isinstance(r, HostRecord)}
    finding_hosts = {_asset(r.host_address, r.host_name) for r in _findings(records)}
    return hosts | finding_hosts


def _findings(records: list[Record]) -> list[FindingRecord]:
    return [record for record in records if isinstance(record, FindingRecord)]


def _keys(records: list[Record]) -> set[tuple[str, str, int, str]]:
    return {(_asset(f.host_address, f.host_name), f.plugin_id, f.port, f.protocol) for f in _findings(records)}


def _finding(records: list[Record], plugin_id: str, port: int) -> FindingRecord:
    [found] = [f for f in _findings(records) if f.plugin_id == plugin_id and f.port == port]
    return found


def _warnings(records: list[Record]) -> list[ParseWarning]:
    return [record for record in records if isinstance(record, ParseWarning)]


@pytest.mark.parametrize(
    "relative",
    ["nessus_csv/dd_nessus_many_vuln2-default.csv", "nessus_csv/dd_nessus_many_vuln2-all.csv"],
)
def test_nessus_csv_counts(relative: str) -> None:
    format_name, records = _records(relative)

    # 30 data rows, all for host 52.208.101.182; plugin 22964 appears twice on
    # 443/tcp (two consecutive rows), so 29 distinct keys and 29 records.
    assert format_name == "nessus-csv"
    assert isinstance(records[0], ScanInfo)
    assert records[0].scanner == "nessus"
    assert _assets(records) == {"52.208.101.182"}
    assert len(_keys(records)) == 29
    assert len(_findings(records)) == 29
    assert _warnings(records) == []


@pytest.mark.parametrize(
    "relative",
    ["nessus_csv/dd_nessus_many_vuln2-default.csv", "nessus_csv/dd_nessus_many_vuln2-all.csv"],
)
def test_nessus_csv_values(relative: str) -> None:
    _, records = _records(relative)

    tls10 = _finding(records, "104743", 443)
    assert tls10.name == "TLS Version 1.0 Protocol Detection"
    assert tls10.scanner_severity == "medium"
    assert tls10.cvss2_score == 6.1
    traceroute = _finding(records, "10287", 0)
    assert traceroute.protocol == "udp"
    assert traceroute.scanner_severity == "info"
    assert _finding(records, "95631", 443).cves == ["CVE-2004-2761"]
    # Plugin 19506's output reads "Credentialed checks : no".
    [host] = [r for r in records if isinstance(r, HostRecord)]
    assert host.credentialed is False
    # The repeated 22964 rows on 443 (TLS service, then web server) are joined.
    service = _finding(records, "22964", 443).plugin_output or ""
    assert service.startswith("A TLSv1 server answered on this port.")
    assert service.endswith("A web server is running on this port through TLSv1.")


def test_nessus_csv_all_columns_values() -> None:
    _, records = _records("nessus_csv/dd_nessus_many_vuln2-all.csv")

    tls10 = _finding(records, "104743", 443)
    assert tls10.cvss3_score == 6.5
    assert tls10.published == "2017-11-22"
    assert tls10.exploit_available is None
    web = _finding(records, "10107", 80)
    assert web.references == ["IAVT:0001-T-0931"]
    assert web.published == "2000-01-04"


def test_tenable_sc_counts_and_values() -> None:
    format_name, records = _records("tenable_csv/dd_nessus_many_vuln_tenablesc.csv")

    # 533 data rows, of which 529 hold only commas; the other four: plugins
    # 35291 and 51192 on 10.1.1.1:443, 57582 and 65821 on 10.2.1.1:443.
    assert format_name == "tenable-csv"
    assert _assets(records) == {"10.1.1.1", "10.2.1.1"}
    assert len(_keys(records)) == 4
    assert _warnings(records) == [ParseWarning("529 empty rows skipped", skipped=529)]
    weak_hash = _finding(records, "35291", 443)
    assert weak_hash.cvss2_score == 5.0  # written "5"
    assert weak_hash.cvss3_score == 7.5
    assert weak_hash.cves == ["CVE-2004-2761"]
    assert weak_hash.cwes == ["CWE-310"]
    assert weak_hash.exploit_available is True
    assert weak_hash.published == "2009-01-05"
    assert weak_hash.seen_at == datetime(2021, 1, 5, 17, 24, 8, tzinfo=UTC)  # 10:24:08 MST
    assert (weak_hash.plugin_output or "").startswith("The following certificates were part")
    assert _finding(records, "65821", 443).cves == ["CVE-2013-2566", "CVE-2015-2808"]


def test_tenable_io_counts_and_values() -> None:
    format_name, records = _records("tenable_csv/dd_tenable_many_vuln.csv")

    # 22 data rows: 2 empty, 20 with one CVE each. Assets by "IP Address":
    # 127.0.0.1 (18 rows), 192.168.1.110 and 192.167.1.110 (one row each).
    # Keys on 127.0.0.1: plugins 176700, 176703 (10 rows), 176711, 164329,
    # 176699, 176705 (3 rows), 176717, all on port 0/tcp: 7; plus one on each
    # of the other two addresses: 9.
    assert format_name == "tenable-csv"
    assert _assets(records) == {"127.0.0.1", "192.168.1.110", "192.167.1.110"}
    assert len(_keys(records)) == 9
    assert len(_findings(records)) == 9
    assert _warnings(records) == [ParseWarning("2 empty rows skipped", skipped=2)]
    mariadb = _finding(records, "176703", 0)
    assert len(mariadb.cves) == 10
    assert mariadb.cves[0] == "CVE-2021-46666"
    assert mariadb.cvss2_score == 5.0  # written "5"
    assert mariadb.scanner_severity == "high"  # Severity 3, though Risk Factor is Medium
    assert mariadb.plugin_type == "local"
    microcode = _finding(records, "176705", 0)
    assert microcode.scanner_severity == "medium"  # Severity 2, though Risk Factor is High
    assert microcode.cvss3_score == 6.8


def test_tenable_io_hand_edited_counts_and_values() -> None:
    _, records = _records("tenable_csv/faraday_tenableio_csv_export.csv")

    # 6 rows on two assets (192.0.2.10 and 192.0.2.11); the row on line 5
    # (plugin 51192) is in state Fixed and skipped, leaving 5 findings.
    assert _assets(records) == {"192.0.2.10", "192.0.2.11"}
    assert len(_keys(records)) == 5
    assert _warnings(records) == [ParseWarning("row skipped: the export marks the vulnerability as Fixed", 5)]
    mitm = _finding(records, "18405", 3389)
    assert mitm.cvss2_score == 5.1
    assert mitm.cvss3_vector == "AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N"
    assert mitm.cvss3_score == 6.5
    assert _finding(records, "99999", 161).protocol == "udp"
    hosts = {r.address: r for r in records if isinstance(r, HostRecord)}
    assert hosts["192.0.2.10"].mac == "00:11:22:33:44:55"
    assert hosts["192.0.2.10"].fqdn == "host01.example.test"


def test_openvas_many_vuln_counts_and_values() -> None:
    format_name, records = _records("openvas_csv/dd_many_vuln.csv")

    # 4 rows for 192.168.118.212 (hostname LOGSRV): OIDs ...80091 (empty port),
    # ...106223, ...117274 and ...103240 on 9200/tcp.
    assert format_name == "openvas-csv"
    assert _assets(records) == {"192.168.118.212"}
    assert len(_keys(records)) == 4
    assert records[0] == ScanInfo(scanner="openvas", format="openvas-csv", name="LOGSRV")
    timestamps = _finding(records, "1.3.6.1.4.1.25623.1.0.80091", 0)
    assert timestamps.host_name == "LOGSRV"
    assert timestamps.cvss2_score == 2.6
    assert timestamps.scanner_severity == "low"
    tls = _finding(records, "1.3.6.1.4.1.25623.1.0.117274", 9200)
    assert tls.cves == ["CVE-2011-3389", "CVE-2015-0204"]
    assert _finding(records, "1.3.6.1.4.1.25623.1.0.103240", 9200).scanner_severity == "high"


def test_openvas_header_only() -> None:
    _, records = _records("openvas_csv/dd_no_vuln.csv")

    assert records == [ScanInfo(scanner="openvas", format="openvas-csv")]


def test_openvas_combine_counts() -> None:
    _, records = _records("openvas_csv/dd_report_combine_v2.csv")

    # Two rows, both OID ...80091 on 45.33.32.156 with empty port: one finding.
    assert _assets(records) == {"45.33.32.156"}
    assert len(_keys(records)) == 1
    [finding] = _findings(records)
    assert finding.qod == 80
    assert "Packet 1: 1912048204" in (finding.plugin_output or "")
    assert "Packet 1: 1912048205" in (finding.plugin_output or "")


def test_openvas_many_v2_counts_and_values() -> None:
    _, records = _records("openvas_csv/dd_report_many_v2.csv")

    # 27 rows. Distinct IP cells are 15, but one is the first row's indented
    # "      10.63.152.16", the same host as a later row: 14 assets. The rows on
    # lines 2 and 17 share 10.63.152.16 / ...11213 / 8443/tcp: 26 keys.
    assert len(_assets(records)) == 14
    assert len(_keys(records)) == 26
    assert records[0] == ScanInfo(scanner="openvas", format="openvas-csv", name="ABC-l-1_ABC-Server")
    trace = _finding(records, "1.3.6.1.4.1.25623.1.0.11213", 8443)
    assert trace.host_address == "10.63.152.16"
    assert len(trace.cves) == 11
    assert trace.qod == 99
    assert trace.seen_at == datetime(2025, 4, 13, 0, 2, 37, tzinfo=UTC)


def test_openvas_hand_made_row_without_oid() -> None:
    _, records = _records("openvas_csv/ostorlab_openvas_result.csv")

    # One row (128.0.0.1, "test", severity HIGH) with empty NVT OID: the host
    # counts as scanned, the row is skipped.
    assert _findings(records) == []
    assert _assets(records) == {"128.0.0.1"}
    assert _warnings(records) == [ParseWarning("row skipped: no NVT OID", 2)]
