"""CSV importers on the project's own small exports in tests/importers/fixtures.

Each expected value is copied from the fixture file the test reads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from patchtui.importers import parse_report
from patchtui.importers.model import FindingRecord, HostRecord, ParseWarning, Record, ScanInfo

FIXTURES = Path(__file__).parent / "fixtures"


def _records(name: str) -> list[Record]:
    _, records = parse_report(FIXTURES / name)
    return list(records)


def _findings(records: list[Record]) -> list[FindingRecord]:
    return [record for record in records if isinstance(record, FindingRecord)]


def _hosts(records: list[Record]) -> list[HostRecord]:
    return [record for record in records if isinstance(record, HostRecord)]


def _warnings(records: list[Record]) -> list[ParseWarning]:
    return [record for record in records if isinstance(record, ParseWarning)]


def test_tenable_sc_small() -> None:
    records = _records("tenable_sc_small.csv")

    sweet32, syn = _findings(records)
    assert (sweet32.host_address, sweet32.host_name) == ("192.0.2.20", "files01.example.test")
    assert (sweet32.plugin_id, sweet32.port, sweet32.protocol) == ("42873", 443, "tcp")
    assert sweet32.scanner_severity == "medium"
    assert (sweet32.cvss2_score, sweet32.cvss3_score) == (5.0, 7.5)
    assert sweet32.cwes == ["CWE-327"]
    assert sweet32.references == ["https://www.example.test/sweet32", "CWE #327", "IAVA #2016-A-0001"]
    assert sweet32.plugin_output == "Medium strength ciphers : DES-CBC3-SHA\n"
    assert sweet32.exploit_available is False
    assert sweet32.seen_at == datetime(2026, 3, 2, 16, 15, tzinfo=UTC)
    assert syn.plugin_output == "Port 445/tcp was found to be open"
    assert syn.scanner_severity == "info"
    [host] = _hosts(records)
    assert (host.netbios, host.mac) == ("FILES01", "00:50:56:aa:bb:cc")
    assert _warnings(records) == [ParseWarning("1 empty row skipped")]


def test_tenable_io_semicolons_and_decimal_commas() -> None:
    records = _records("tenable_io_semicolon.csv")

    [log4j] = _findings(records)
    assert log4j.cves == ["CVE-2021-44228", "CVE-2021-45046"]
    assert log4j.cvss2_score == 10.0  # written "10,0"
    assert log4j.cvss3_vector == "AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
    assert log4j.cvss3_score == 10.0  # scored from the vector: the score cell is empty
    assert log4j.scanner_severity == "critical"
    assert log4j.service == "http"
    assert log4j.plugin_type == "remote"
    [host] = _hosts(records)
    assert (host.address, host.name, host.os) == ("192.0.2.30", "app01.example.test", "Linux Kernel 5.15")
    assert _warnings(records) == [ParseWarning("row skipped: the export marks the vulnerability as Fixed", 4)]


def test_tenable_vm_dotted_names() -> None:
    records = _records("tenable_vm_dotted.csv")

    exchange, certificate = _findings(records)
    assert (exchange.plugin_id, exchange.port) == ("187896", 443)
    assert exchange.family == "Windows : Microsoft Bulletins"
    assert exchange.cves == ["CVE-2026-20001", "CVE-2026-20002"]
    assert exchange.cvss3_score == 9.8
    assert exchange.scanner_severity == "critical"
    assert exchange.plugin_output == "Installed build 15.2.1544.4"
    assert certificate.scanner_severity == "info"
    [host] = _hosts(records)
    assert (host.address, host.name, host.fqdn, host.netbios) == (
        "192.0.2.40",
        "mail01",
        "mail01.example.test",
        "MAIL01",
    )


def test_openvas_reordered_columns() -> None:
    records = _records("openvas_reordered.csv")

    assert records[0] == ScanInfo(scanner="openvas", format="openvas-csv", name="NAS weekly")
    openssh, services = _findings(records)
    assert openssh.plugin_id == "1.3.6.1.4.1.25623.1.0.108031"
    assert (openssh.port, openssh.protocol, openssh.qod) == (22, "tcp", 80)
    assert openssh.cves == ["CVE-2016-10009", "CVE-2016-10010", "CVE-2016-10011"]
    assert openssh.references == ["https://www.example.test/openssh-7.4", "DFN-CERT-2017-0001"]
    assert openssh.description == (
        "Insight:\nSeveral flaws in the agent and the privilege separation.\n\n"
        "Affected software/OS:\nOpenSSH before 7.4.\n\n"
        "Impact:\nLets a local user gain privileges.\n\n"
        "Detection method:\nChecks the version the service reports."
    )
    assert openssh.seen_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert (services.port, services.scanner_severity) == (0, "info")
