"""Hostile, broken and misnamed XML files: clear errors, and detection by content alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from patchtui.errors import ReportError, UnknownFormatError
from patchtui.importers import detect, nessus_xml, openvas_xml, parse_report

FIXTURES = Path(__file__).parent / "fixtures"


def import_all(path: Path) -> list[object]:
    _, records = parse_report(path)
    return list(records)


@pytest.mark.parametrize(
    ("name", "line", "reason"),
    [
        # The first <!ENTITY> declaration is on line 3.
        ("hostile_entity_bomb.xml", 3, "declares entities"),
        ("hostile_external_entity.xml", 3, "declares entities"),
        ("hostile_external_dtd.xml", 2, "external DTD"),
        # The file stops in the middle of line 53.
        ("truncated.nessus", 53, "invalid XML"),
    ],
)
def test_broken_xml_raises_report_error(name: str, line: int, reason: str) -> None:
    path = FIXTURES / name

    with pytest.raises(ReportError) as caught:
        import_all(path)
    error = caught.value
    assert error.path == path
    assert error.line == line
    assert error.column is not None
    assert reason in error.reason
    assert str(path) in str(error)


def test_external_entity_not_read() -> None:
    path = FIXTURES / "hostile_external_entity.xml"
    secret = Path("/etc/hostname")
    if not secret.exists() or not secret.read_text().strip():
        pytest.skip("/etc/hostname is absent or empty on this machine")

    with pytest.raises(ReportError) as caught:
        import_all(path)
    assert secret.read_text().strip() not in str(caught.value)


def test_hostile_files_detected_by_root() -> None:
    # Detection looks past the DOCTYPE, so the parser, not the sniffer, rejects the file.
    assert detect(FIXTURES / "hostile_entity_bomb.xml") is nessus_xml
    assert detect(FIXTURES / "hostile_external_entity.xml") is openvas_xml
    assert detect(FIXTURES / "hostile_external_dtd.xml") is openvas_xml


@pytest.mark.parametrize("name", ["wrong_root.xml", "lone_reportitem.xml"])
def test_unknown_xml_rejected(name: str) -> None:
    path = FIXTURES / name

    with pytest.raises(UnknownFormatError) as caught:
        detect(path)
    assert caught.value.path == path
    assert "not a recognised report" in caught.value.reason


def test_openvas_parse_rejects_other_root() -> None:
    path = FIXTURES / "lone_reportitem.xml"

    with pytest.raises(ReportError) as caught:
        list(openvas_xml.parse(path))
    assert "root element is <ReportItem>" in caught.value.reason


@pytest.mark.parametrize(
    ("fixture", "misleading_name", "importer"),
    [
        ("openvas_gmp_one_result.xml", "scan.nessus", openvas_xml),
        ("openvas_bare_report.xml", "export.csv", openvas_xml),
        ("nessus_local_check_no_login.nessus", "greenbone-report.xml", nessus_xml),
        ("nessus_local_check_no_login.nessus", "no_extension", nessus_xml),
    ],
)
def test_detection_ignores_file_name(
    tmp_path: Path, fixture: str, misleading_name: str, importer: object
) -> None:
    path = tmp_path / misleading_name
    shutil.copyfile(FIXTURES / fixture, path)

    assert detect(path) is importer


def test_wrong_root_under_nessus_name(tmp_path: Path) -> None:
    path = tmp_path / "weekly.nessus"
    shutil.copyfile(FIXTURES / "wrong_root.xml", path)

    with pytest.raises(UnknownFormatError):
        detect(path)


def test_unknown_encoding_is_report_error(tmp_path):
    path = tmp_path / "odd.nessus"
    path.write_bytes(b'<?xml version="1.0" encoding="TTF-8"?>\n<NessusClientData_v2></NessusClientData_v2>\n')

    with pytest.raises(ReportError, match="unknown encoding") as caught:
        list(parse_report(path)[1])

    assert caught.value.path == path
