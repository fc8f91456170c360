"""Random and mutated report bytes through detection and parsing.

Whatever the bytes, an import either yields records or raises ReportError;
any other exception would reach the admin as a traceback.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchtui.errors import ReportError
from patchtui.importers import parse_report
from patchtui.importers.model import FindingRecord, HostRecord, ParseWarning, ScanInfo

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = sorted(path.read_bytes() for path in FIXTURES.iterdir() if path.is_file())
RECORD_TYPES = (ScanInfo, HostRecord, FindingRecord, ParseWarning)

# Bytes that change how CSV and XML are read.
SPECIAL = [
    b'"',
    b",",
    b";",
    b"\t",
    b"\x00",
    b"\n",
    b"\r",
    b"\r\n",
    b"<",
    b">",
    b"&",
    b"\xff",
    b"\xc3",
]


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        position = draw(st.integers(min_value=0, max_value=len(data)))
        action = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "repeat"]))
        if action == "truncate":
            del data[position:]
        elif action == "flip" and position < len(data):
            data[position] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif action == "insert":
            data[position:position] = draw(st.sampled_from(SPECIAL))
        elif action == "delete":
            del data[position : position + draw(st.integers(min_value=1, max_value=40))]
        elif action == "repeat":
            data[position:position] = data[position : position + draw(st.integers(1, 200))]
    return bytes(data)


def _import(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report"
        path.write_bytes(data)
        try:
            _, records = parse_report(path)
            for record in records:
                assert isinstance(record, RECORD_TYPES)
        except ReportError as err:
            assert err.path == path


@settings(max_examples=int(os.environ.get("PATCHTUI_FUZZ_EXAMPLES", "200")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_fixtures_raise_only_report_error(data: bytes) -> None:
    _import(data)


@settings(max_examples=int(os.environ.get("PATCHTUI_FUZZ_EXAMPLES", "100")), deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_raise_only_report_error(data: bytes) -> None:
    _import(data)


@settings(max_examples=int(os.environ.get("PATCHTUI_FUZZ_EXAMPLES", "100")), deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), max_size=15),
        max_size=6,
    )
)
def test_random_rows_raise_only_report_error(rows: list[list[str]]) -> None:
    header = (FIXTURES / "pair_scan.csv").read_text(encoding="utf-8").splitlines()[0]
    body = "\n".join(",".join(cells) for cells in rows)

    _import(f"{header}\n{body}".encode("utf-8", errors="surrogatepass"))
