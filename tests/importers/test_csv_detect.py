"""Which importer reads a CSV file: decided by its header row, never by its name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from patchtui.errors import UnknownFormatError
from patchtui.importers import detect, nessus_csv, nessus_xml, openvas_csv, tenable_csv
from patchtui.importers.csvutil import classify_header

FIXTURES = Path(__file__).parent / "fixtures"

NESSUS_DEFAULT = "Plugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name,Synopsis,Description,Solution,See Also,Plugin Output"
NESSUS_ALL = (
    NESSUS_DEFAULT + ",STIG Severity,CVSS v3.0 Base Score,CVSS Temporal Score,"
    "CVSS v3.0 Temporal Score,Risk Factor,BID,XREF,MSKB,Plugin Publication Date,"
    "Plugin Modification Date,Metasploit,Core Impact,CANVAS"
)
NESSUS_10 = (
    "Plugin ID,CVE,CVSS v2.0 Base Score,Risk,Host,Protocol,Port,Name,Synopsis,Description,"
    "Solution,See Also,Plugin Output,CVSS v3.0 Base Score,CVSS v4.0 Base Score,VPR Score,EPSS Score"
)
TENABLE_IO = NESSUS_DEFAULT + ",Asset UUID,Vulnerability State,IP Address,FQDN,NetBios,OS,MAC Address"
TENABLE_IO_BLANK_NAMES = NESSUS_DEFAULT + ",,Vulnerability State,IP Address,FQDN,NetBios,OS,"
TENABLE_SC = (
    "Plugin,Plugin Name,Family,Severity,IP Address,Protocol,Port,Exploit?,Repository,"
    "MAC Address,DNS Name,NetBIOS Name,Plugin Text"
)
TENABLE_VM = "asset.name,asset.display_ipv4_address,definition.id,definition.name,severity,port,protocol"
OPENVAS_25 = (
    "IP,Hostname,Port,Port Protocol,CVSS,Severity,Solution Type,NVT Name,Summary,"
    "Specific Result,NVT OID,CVEs,Task ID,Task Name,Timestamp,Result ID,Impact,Solution,"
    "Affected Software/OS,Vulnerability Insight,Vulnerability Detection Method,"
    "Product Detection Result,BIDs,CERTs,Other References"
)
OPENVAS_28 = (
    OPENVAS_25.replace("Severity,", "Severity,QoD,", 1) + ",Max Severity EPSS score,Max Severity EPSS percentile"
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (NESSUS_DEFAULT, "nessus-csv"),
        (NESSUS_ALL, "nessus-csv"),
        (NESSUS_10, "nessus-csv"),
        (NESSUS_DEFAULT.upper(), "nessus-csv"),
        (TENABLE_IO, "tenable-csv"),
        (TENABLE_IO_BLANK_NAMES, "tenable-csv"),
        (TENABLE_SC, "tenable-csv"),
        (TENABLE_VM, "tenable-csv"),
        (OPENVAS_25, "openvas-csv"),
        (OPENVAS_28, "openvas-csv"),
        (",".join(reversed(OPENVAS_28.split(","))), "openvas-csv"),
        ("Name,Address,Notes", None),
        ("Plugin ID,Port", None),
    ],
)
def test_classify_header_table(header: str, expected: str | None) -> None:
    assert classify_header(header.split(",")) == expected


@pytest.mark.parametrize(
    ("name", "importer"),
    [
        ("pair_scan.csv", nessus_csv),
        ("tenable_sc_small.csv", tenable_csv),
        ("tenable_io_semicolon.csv", tenable_csv),
        ("tenable_vm_dotted.csv", tenable_csv),
        ("openvas_reordered.csv", openvas_csv),
    ],
)
def test_detect_fixture_csv(name: str, importer: object) -> None:
    assert detect(FIXTURES / name) is importer


def test_detect_ignores_file_name(tmp_path: Path) -> None:
    csv_named_nessus = tmp_path / "weekly.nessus"
    xml_named_csv = tmp_path / "weekly.csv"
    shutil.copy(FIXTURES / "pair_scan.csv", csv_named_nessus)
    shutil.copy(FIXTURES / "pair_scan.nessus", xml_named_csv)

    assert detect(csv_named_nessus) is nessus_csv
    assert detect(xml_named_csv) is nessus_xml


def test_detect_semicolon_header(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(NESSUS_DEFAULT.replace(",", ";") + "\n", encoding="utf-8")

    assert detect(path) is nessus_csv


def test_detect_spreadsheet_sep_hint(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("sep=;\n" + OPENVAS_25.replace(",", ";") + "\n", encoding="utf-8")

    assert detect(path) is openvas_csv


def test_detect_header_after_blank_lines_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n\r\n" + TENABLE_SC.encode() + b"\r\n")

    assert detect(path) is tenable_csv


def test_detect_utf16_spreadsheet_text(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes((NESSUS_DEFAULT.replace(",", "\t") + "\r\n").encode("utf-16"))

    assert detect(path) is nessus_csv


def test_unknown_csv_header_names_line_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "inventory.csv"
    path.write_text("\nName,Address,Owner\nweb01,192.0.2.1,ops\n", encoding="utf-8")

    with pytest.raises(UnknownFormatError) as caught:
        detect(path)

    assert caught.value.path == path
    assert caught.value.line == 2
    assert "'Name', 'Address', 'Owner'" in caught.value.reason
