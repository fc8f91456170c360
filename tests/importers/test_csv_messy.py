"""The messy parts of real CSV exports, one test each.

Every input is written here byte for byte, so each expected value can be read
off the input above it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from patchtui.errors import ReportError
from patchtui.importers import parse_report
from patchtui.importers.common import read_fraction
from patchtui.importers.csvrecords import MAX_ROW_WARNINGS
from patchtui.importers.csvutil import FIELD_SIZE_LIMIT
from patchtui.importers.model import FindingRecord, HostRecord, ParseWarning, Record, ScanInfo

HEADER = "Plugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name,Synopsis,Description,Solution,See Also,Plugin Output"
OPENVAS_HEADER = (
    "IP,Hostname,Port,Port Protocol,CVSS,Severity,QoD,Solution Type,NVT Name,Summary,"
    "Specific Result,NVT OID,CVEs,Task ID,Task Name,Timestamp,Result ID,Impact,Solution,"
    "Affected Software/OS,Vulnerability Insight,Vulnerability Detection Method,"
    "Product Detection Result,BIDs,CERTs,Other References"
)
OID = "1.3.6.1.4.1.25623.1.0.10330"


def _row(
    plugin: str = "10107",
    host: str = "192.0.2.1",
    port: str = "80",
    risk: str = "None",
    cvss: str = "",
    cve: str = "",
    output: str = "",
    protocol: str = "tcp",
) -> str:
    cells = [
        plugin,
        cve,
        cvss,
        risk,
        host,
        protocol,
        port,
        "HTTP Server Type and Version",
        "A web server runs.",
        "Finds the web server.",
        "n/a",
        "",
        output,
    ]
    return ",".join(cells)


def _openvas_row(
    ip: str = "192.0.2.9",
    hostname: str = "",
    port: str = "22",
    protocol: str = "tcp",
    severity: str = "Log",
    oid: str = OID,
) -> str:
    cells = [
        ip,
        hostname,
        port,
        protocol,
        "0.0",
        severity,
        "80",
        "",
        "Services",
        "Finds services.",
        "An SSH server runs here.",
        oid,
        "",
        "",
        "Weekly",
        "2026-03-02T10:00:00Z",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ]
    return ",".join(cells)


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _records(path: Path) -> list[Record]:
    _, records = parse_report(path)
    return list(records)


def _findings(records: list[Record]) -> list[FindingRecord]:
    return [record for record in records if isinstance(record, FindingRecord)]


def _hosts(records: list[Record]) -> list[HostRecord]:
    return [record for record in records if isinstance(record, HostRecord)]


def _warnings(records: list[Record]) -> list[ParseWarning]:
    return [record for record in records if isinstance(record, ParseWarning)]


def test_multiline_quoted_fields(tmp_path: Path) -> None:
    text = HEADER + "\n" + _row(output='"Server: nginx\n\nsecond line\n"') + "\n" + _row(plugin="11219", host="") + "\n"

    records = _records(_write(tmp_path, text))

    assert _findings(records)[0].plugin_output == "Server: nginx\n\nsecond line\n"
    # The first data row spans lines 2-5, so the hostless row starts on line 6.
    assert [(w.message, w.line) for w in _warnings(records)] == [("row skipped: no host address or name", 6)]


def test_fully_quoted_with_doubled_quotes(tmp_path: Path) -> None:
    header = ",".join(f'"{name}"' for name in HEADER.split(","))
    row = ",".join(
        f'"{cell}"'
        for cell in [
            "10107",
            "",
            "",
            "None",
            "192.0.2.1",
            "tcp",
            "80",
            'The ""quoted"" name',
            "s",
            "d",
            "n/a",
            "",
            'Banner: ""Apache"", build 7',
        ]
    )

    records = _records(_write(tmp_path, f"{header}\n{row}\n"))

    finding = _findings(records)[0]
    assert finding.name == 'The "quoted" name'
    assert finding.plugin_output == 'Banner: "Apache", build 7'


def test_delimiter_only_rows_give_one_warning(tmp_path: Path) -> None:
    empty = "," * 12
    text = "\n".join([HEADER, _row(), empty, empty, "", empty, _row(port="443"), empty]) + "\n"

    records = _records(_write(tmp_path, text))

    assert len(_findings(records)) == 2
    assert [w.message for w in _warnings(records)] == ["5 empty rows skipped"]


def test_indented_first_row(tmp_path: Path) -> None:
    text = OPENVAS_HEADER + "\n      " + _openvas_row() + "\n"

    findings = _findings(_records(_write(tmp_path, text)))

    assert findings[0].host_address == "192.0.2.9"


def test_indented_quoted_first_cell(tmp_path: Path) -> None:
    text = HEADER + '\n   "10107",' + _row().split(",", 1)[1] + "\n"

    findings = _findings(_records(_write(tmp_path, text)))

    assert findings[0].plugin_id == "10107"


def test_blank_column_names_ignored(tmp_path: Path) -> None:
    text = HEADER + ",,Vulnerability State,,\n" + _row() + ",x,Active,y,\n"

    records = _records(_write(tmp_path, text))

    assert [f.plugin_id for f in _findings(records)] == ["10107"]
    assert _warnings(records) == []


@pytest.mark.parametrize("ending", ["\n", "", "\r\n"])
def test_header_only_file(tmp_path: Path, ending: str) -> None:
    records = _records(_write(tmp_path, HEADER + ending))

    assert records == [ScanInfo(scanner="nessus", format="nessus-csv")]


def test_crlf_line_endings(tmp_path: Path) -> None:
    text = HEADER + "\r\n" + _row(output='"line one\r\nline two"') + "\r\n" + _row(port="443") + "\r\n"

    findings = _findings(_records(_write(tmp_path, text)))

    assert [f.port for f in findings] == [80, 443]
    assert findings[0].plugin_output == "line one\nline two"
    assert findings[1].name == "HTTP Server Type and Version"


def test_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "\n" + _row() + "\n").encode())

    records = _records(path)

    assert [f.plugin_id for f in _findings(records)] == ["10107"]
    assert _warnings(records) == []


def test_latin1_text_read_with_warning(tmp_path: Path) -> None:
    text = HEADER + "\n" + _row(host="caf\u00e9.example.test", output="D\u00e9p\u00f4t") + "\n"

    records = _records(_write(tmp_path, text, encoding="latin-1"))

    finding = _findings(records)[0]
    assert finding.host_name == "caf\u00e9.example.test"
    assert finding.plugin_output == "D\u00e9p\u00f4t"
    # The é of the host name, byte 0xE9 in Latin-1, is the first byte that is not UTF-8.
    [warning] = _warnings(records)
    offset = len(HEADER) + 1 + len("10107,,,None,caf")
    assert warning.message == (
        f"the file is not valid UTF-8 (byte 0xE9 at offset {offset}); "
        "it was read as Windows-1252 text, so check accented names"
    )
    assert warning.line == 2


def test_cp1252_quote_marks(tmp_path: Path) -> None:
    text = HEADER + "\n" + _row(output="The server\u2019s banner") + "\n"

    findings = _findings(_records(_write(tmp_path, text, encoding="cp1252")))

    assert findings[0].plugin_output == "The server\u2019s banner"


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes((HEADER + "\n" + _row(output="x") + "\n").encode().replace(b",x\n", b",\x81x\n"))

    records = _records(path)

    assert _findings(records)[0].plugin_output == "\x81x"
    assert "read as Latin-1 text" in _warnings(records)[0].message


@pytest.mark.parametrize(
    ("risk", "expected"),
    [
        ("HIGH", "high"),
        ("high", "high"),
        ("High", "high"),
        ("none", "info"),
        ("CRITICAL", "critical"),
    ],
)
def test_nessus_risk_any_case(tmp_path: Path, risk: str, expected: str) -> None:
    findings = _findings(_records(_write(tmp_path, HEADER + "\n" + _row(risk=risk) + "\n")))

    assert findings[0].scanner_severity == expected


@pytest.mark.parametrize(
    ("severity", "expected"),
    [("HIGH", "high"), ("medium", "medium"), ("LOG", "info"), ("Low", "low")],
)
def test_openvas_severity_any_case(tmp_path: Path, severity: str, expected: str) -> None:
    text = OPENVAS_HEADER + "\n" + _openvas_row(severity=severity) + "\n"

    findings = _findings(_records(_write(tmp_path, text)))

    assert findings[0].scanner_severity == expected


@pytest.mark.parametrize(("cvss", "expected"), [("50", 5.0), ("5", 5.0), ("5.0", 5.0), ('"5,0"', 5.0)])
def test_cvss_without_decimal_point(tmp_path: Path, cvss: str, expected: float) -> None:
    text = HEADER + "\n" + _row(cvss=cvss, risk="Medium") + "\n"

    findings = _findings(_records(_write(tmp_path, text)))

    assert findings[0].cvss2_score == expected


@pytest.mark.parametrize(
    ("v2_vector", "v3_vector"),
    [
        ("CVSS2#AV:N/AC:L/Au:N/C:P/I:P/A:P", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
    ],
)
def test_vectors_scored_when_scores_empty(tmp_path: Path, v2_vector: str, v3_vector: str) -> None:
    header = HEADER + ",CVSS v2.0 Vector,CVSS v3.0 Base Score,CVSS v3.0 Vector"
    text = header + "\n" + _row() + f",{v2_vector},,{v3_vector}\n"

    finding = _findings(_records(_write(tmp_path, text)))[0]

    assert (finding.cvss2_score, finding.cvss2_vector) == (7.5, v2_vector)
    assert (finding.cvss3_score, finding.cvss3_vector) == (9.8, v3_vector)


def test_cwe_column_both_forms(tmp_path: Path) -> None:
    text = HEADER + ",CWE,XREF\n" + _row() + ',"CWE-79, 200","CWE:352\nIAVA:2026-A-0001"\n'

    finding = _findings(_records(_write(tmp_path, text)))[0]

    assert finding.cwes == ["CWE-79", "CWE-200", "CWE-352"]
    assert finding.references == ["CWE:352", "IAVA:2026-A-0001"]


@pytest.mark.parametrize(
    ("port", "protocol", "expected"),
    [
        ("443", "tcp", (443, "tcp")),
        ("443/tcp", "", (443, "tcp")),
        ("general/tcp", "", (0, "tcp")),
        ("general/CPE-T", "", (0, "cpe-t")),
        ('"microsoft-ds (445/tcp)"', "", (445, "tcp")),
    ],
)
def test_port_forms_in_rows(tmp_path: Path, port: str, protocol: str, expected: tuple) -> None:
    text = HEADER + "\n" + _row(port=port, protocol=protocol) + "\n"

    finding = _findings(_records(_write(tmp_path, text)))[0]

    assert (finding.port, finding.protocol) == expected


def test_openvas_general_port(tmp_path: Path) -> None:
    text = OPENVAS_HEADER + "\n" + _openvas_row(port="general", protocol="icmp") + "\n"

    finding = _findings(_records(_write(tmp_path, text)))[0]

    assert (finding.port, finding.protocol) == (0, "icmp")


def test_host_names_with_stray_spaces(tmp_path: Path) -> None:
    text = HEADER + "\n" + _row(host="  Web01.Example.Test ") + "\n" + _row(host=" 192.0.2.7  ") + "\n"

    records = _records(_write(tmp_path, text))

    findings = _findings(records)
    assert (findings[0].host_address, findings[0].host_name) == (None, "Web01.Example.Test")
    assert (findings[1].host_address, findings[1].host_name) == ("192.0.2.7", None)
    assert [(h.address, h.name) for h in _hosts(records)] == [
        (None, "Web01.Example.Test"),
        ("192.0.2.7", None),
    ]


def test_invalid_address_keys_by_name(tmp_path: Path) -> None:
    text = (
        OPENVAS_HEADER
        + "\n"
        + _openvas_row(ip="192.168.1.1001")
        + "\n"
        + _openvas_row(ip="192.168.1.1002", hostname="nas02")
        + "\n"
    )

    findings = _findings(_records(_write(tmp_path, text)))

    assert [(f.host_address, f.host_name) for f in findings] == [
        (None, "192.168.1.1001"),
        (None, "nas02"),
    ]


def test_placeholder_items_skipped_with_warning(tmp_path: Path) -> None:
    nessus = _write(tmp_path, HEADER + "\n" + _row(plugin="0") + "\n" + _row() + "\n", name="n.csv")
    openvas = _write(tmp_path, OPENVAS_HEADER + "\n" + _openvas_row(oid="0") + "\n", name="o.csv")

    nessus_records = _records(nessus)
    openvas_records = _records(openvas)

    assert [f.plugin_id for f in _findings(nessus_records)] == ["10107"]
    assert [(w.message, w.line) for w in _warnings(nessus_records)] == [
        ("row skipped: open-port placeholder (plugin 0)", 2)
    ]
    assert _findings(openvas_records) == []
    assert [(w.message, w.line) for w in _warnings(openvas_records)] == [
        ("row skipped: placeholder result (NVT OID 0)", 2)
    ]


def test_skipped_rows_warned_one_by_one(tmp_path: Path) -> None:
    rows = [_row(host="")] * 3 + [_row(plugin="abc")]
    text = HEADER + "\n" + "\n".join(rows) + "\n"

    warnings = _warnings(_records(_write(tmp_path, text)))

    assert [(w.message, w.line) for w in warnings] == [
        ("row skipped: no host address or name", 2),
        ("row skipped: no host address or name", 3),
        ("row skipped: no host address or name", 4),
        ("row skipped: no numeric plugin ID", 5),
    ]


def test_skipped_row_warnings_capped(tmp_path: Path) -> None:
    text = HEADER + "\n" + "\n".join([_row(host="")] * (MAX_ROW_WARNINGS + 5)) + "\n"

    warnings = _warnings(_records(_write(tmp_path, text)))

    assert len(warnings) == MAX_ROW_WARNINGS + 1
    assert warnings[MAX_ROW_WARNINGS - 1].line == MAX_ROW_WARNINGS + 1
    assert warnings[-1] == ParseWarning("5 more rows skipped: no host address or name", skipped=5)


def test_fixed_rows_share_one_warning(tmp_path: Path) -> None:
    header = HEADER + ",Vulnerability State"
    states = ["Active", "Fixed", "Fixed", "Resurfaced", "Fixed"]
    rows = [_row(port=str(80 + n)) + f",{state}" for n, state in enumerate(states)]

    records = _records(_write(tmp_path, header + "\n" + "\n".join(rows) + "\n"))

    assert [f.port for f in _findings(records)] == [80, 83]
    assert _warnings(records) == [
        ParseWarning("3 rows skipped: the export marks the vulnerability as Fixed (lines 3, 4, 6)", skipped=3)
    ]


def test_plugin_output_larger_than_csv_default_limit(tmp_path: Path) -> None:
    # The csv module refuses values over 131,072 characters unless the limit is raised.
    output = "x" * 1_000_000
    text = HEADER + "\n" + _row(output=f'"{output}"') + "\n"

    finding = _findings(_records(_write(tmp_path, text)))[0]

    assert len(finding.plugin_output or "") == 1_000_000
    assert FIELD_SIZE_LIMIT >= 100 * 1024 * 1024


def test_one_row_per_cve_merged(tmp_path: Path) -> None:
    rows = [_row(plugin="97833", cve=f"CVE-2017-014{n}", port="445") for n in (3, 4, 5)]
    rows.append(_row(plugin="97833", cve="CVE-2017-0146", port="139"))
    text = HEADER + "\n" + "\n".join(rows) + "\n"

    findings = _findings(_records(_write(tmp_path, text)))

    assert [(f.port, f.cves) for f in findings] == [
        (445, ["CVE-2017-0143", "CVE-2017-0144", "CVE-2017-0145"]),
        (139, ["CVE-2017-0146"]),
    ]


def test_one_row_listing_many_cves(tmp_path: Path) -> None:
    cves = ",".join(f"CVE-2024-{n:04d}" for n in range(1, 31))
    text = HEADER + "\n" + _row(cve=f'"{cves}"') + "\n"

    finding = _findings(_records(_write(tmp_path, text)))[0]

    assert len(finding.cves) == 30
    assert finding.cves[-1] == "CVE-2024-0030"


def test_login_evidence_from_scan_information(tmp_path: Path) -> None:
    text = (
        HEADER
        + "\n"
        + _row(plugin="19506", port="0", output='"Credentialed checks : yes\nPatch management : none"')
        + "\n"
        + _row(plugin="19506", host="192.0.2.2", port="0", output='"Credentialed checks : no"')
        + "\n"
    )

    hosts = _hosts(_records(_write(tmp_path, text)))

    assert [(h.address, h.credentialed) for h in hosts] == [
        ("192.0.2.1", True),
        ("192.0.2.2", False),
    ]


def test_short_row_fails_with_line(tmp_path: Path) -> None:
    text = HEADER + "\n" + _row() + "\n" + "10107,,,None,192.0.2.1,tcp\n"

    with pytest.raises(ReportError) as caught:
        _records(_write(tmp_path, text))

    assert caught.value.line == 3
    assert "the row has 6 cells but the header names 13 columns" in caught.value.reason


def test_unclosed_quote_fails_with_line(tmp_path: Path) -> None:
    text = HEADER + "\n" + _row() + "\n" + _row(output='"cut off here') + "\n"

    with pytest.raises(ReportError) as caught:
        _records(_write(tmp_path, text))

    assert caught.value.line == 3
    assert "invalid CSV in the row that starts on this line" in caught.value.reason


def test_progress_follows_the_file(tmp_path: Path) -> None:
    rows = [_row(port=str(port), output="x" * 200) for port in range(1, 2001)]
    path = _write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n")

    fractions = [read_fraction() for record in _records_lazily(path) if isinstance(record, FindingRecord)]

    assert fractions[0] is not None
    assert 0 < fractions[0] < 0.5
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0


def _records_lazily(path: Path) -> Iterator[Record]:
    _, records = parse_report(path)
    yield from records


def test_port_without_number_skips_row(tmp_path: Path) -> None:
    text = HEADER + "\n" + _row(port="abc") + "\n" + _row(plugin="11219", port="22") + "\n"

    records = _records(_write(tmp_path, text))

    assert [finding.port for finding in _findings(records)] == [22]
    assert len(_warnings(records)) == 1
    assert "invalid port" in _warnings(records)[0].message
