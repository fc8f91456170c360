"""Cell values of CSV exports: scores, vectors, dates, times, ports, hosts, flags and CWEs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from patchtui.importers.csvvalues import (
    cvss_fields,
    cvss_score,
    cwe_list,
    flag,
    host_identity,
    iso_date,
    port_fields,
    split_list,
    timestamp,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5.0", 5.0),
        ("5", 5.0),
        ("10", 10.0),
        ("0", 0.0),
        ("5,3", 5.3),
        ("50", 5.0),
        ("75", 7.5),
        ("100", 10.0),
        (" 6.8 ", 6.8),
        ("", None),
        (None, None),
        ("null", None),
        ("101", None),
        ("-1", None),
        ("N/A", None),
    ],
)
def test_cvss_score_forms(text: str | None, expected: float | None) -> None:
    assert cvss_score(text) == expected


@pytest.mark.parametrize(
    ("version", "vector", "expected"),
    [
        (2, "CVSS2#AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
        (2, "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
        (2, "AV:N/AC:L/Au:N/C:N/I:P/A:N/E:POC/RL:OF/RC:C", 5.0),
        (3, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        (3, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        (3, "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        (3, "not a vector", None),
    ],
)
def test_cvss_vector_scored_when_score_empty(version: int, vector: str, expected: float) -> None:
    score, kept_vector = cvss_fields(version, "", vector)

    assert score == expected
    assert kept_vector == vector


def test_cvss_score_column_wins_over_vector() -> None:
    # The export's own score is kept as written even when the vector gives another.
    assert cvss_fields(3, "7.0", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == (
        7.0,
        "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020/10/30", "2020-10-30"),
        ("2000/01/04", "2000-01-04"),
        ("2023-06-05T00:00:00Z", "2023-06-05"),
        ("Jan 5, 2009 12:00:00 MST", "2009-01-05"),
        ("Aug 18, 2004 12:00:00 MDT", "2004-08-18"),
        ("N/A", None),
        ("2020/13/40", None),
        ("", None),
    ],
)
def test_iso_date_forms(text: str, expected: str | None) -> None:
    assert iso_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-06-08T01:58:56.166Z", datetime(2023, 6, 8, 1, 58, 56, 166000, tzinfo=UTC)),
        ("2025-04-13T02:02:37+02:00", datetime(2025, 4, 13, 0, 2, 37, tzinfo=UTC)),
        ("2021-05-26T20:50:18Z", datetime(2021, 5, 26, 20, 50, 18, tzinfo=UTC)),
        ("Jan 5, 2021 10:24:08 MST", datetime(2021, 1, 5, 17, 24, 8, tzinfo=UTC)),
        ("Jan 5, 2021 10:24:08 XYZT", None),
        ("Jan 5, 2021", None),
        ("yesterday", None),
    ],
)
def test_timestamp_forms(text: str, expected: datetime | None) -> None:
    assert timestamp(text) == expected


@pytest.mark.parametrize(
    ("port", "protocol", "expected"),
    [
        ("443", "tcp", (443, "tcp")),
        ("443", "TCP", (443, "tcp")),
        ("443/tcp", None, (443, "tcp")),
        ("161/udp", "", (161, "udp")),
        ("general/tcp", None, (0, "tcp")),
        ("general/CPE-T", None, (0, "cpe-t")),
        ("microsoft-ds (445/tcp)", None, (445, "tcp")),
        ("0", "udp", (0, "udp")),
        ("", "", (0, "tcp")),
        (None, "icmp", (0, "icmp")),
        ("70000", "tcp", None),
        ("\u00b2", "tcp", None),
    ],
)
def test_port_forms(port: str | None, protocol: str | None, expected: tuple | None) -> None:
    assert port_fields(port, protocol) == expected


@pytest.mark.parametrize(
    ("addresses", "name", "expected"),
    [
        (["192.0.2.1"], "web01.example.test", ("192.0.2.1", "web01.example.test")),
        ([None], "192.0.2.1", ("192.0.2.1", None)),
        ([None], "  192.0.2.1 ", ("192.0.2.1", None)),
        ([None], "  Web01.Example.Test ", (None, "Web01.Example.Test")),
        (["192.168.1.1001"], None, (None, None)),
        ([None], "192.168.1.1001", (None, "192.168.1.1001")),
        (["10.0.0.1, 10.0.0.2"], None, ("10.0.0.1", None)),
        (["", "2001:db8::1"], None, ("2001:db8::1", None)),
        ([None], None, (None, None)),
    ],
)
def test_host_identity_forms(addresses: list, name: str | None, expected: tuple) -> None:
    assert host_identity(addresses, name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("TRUE", True), ("Yes", True), ("false", False), ("No", False), ("", None), ("maybe", None)],
)
def test_flag_forms(text: str, expected: bool | None) -> None:
    assert flag(text) == expected


def test_cwe_list_from_column_and_references() -> None:
    cwes = cwe_list("79, CWE-200\n cwe-79", ["CWE #310", "CWE:20", "CERT #836068", "IAVA #1"])

    assert cwes == ["CWE-79", "CWE-200", "CWE-310", "CWE-20"]


def test_split_list_drops_blanks_and_repeats() -> None:
    assert split_list("a, b\n\nb,,c\r\n") == ["a", "b", "c"]
