"""Three rounds of a synthetic network: fixed and reopened counts match what the files imply."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from patchtui.store import open_db
from patchtui.triage.importing import import_file
from tests.conftest import REPO

SYNTH = REPO.parent / "shared" / "tools" / "synth_scan.py"


def keys_in(path: Path) -> set[tuple[str, str, str, str]]:
    """Read (host ip, plugin id, port, protocol) of every result straight from the XML."""
    keys = set()
    for host in ElementTree.parse(path).getroot().iter("ReportHost"):
        for item in host.iter("ReportItem"):
            keys.add((host.get("name"), item.get("pluginID"), item.get("port"), item.get("protocol")))
    return keys


@pytest.fixture(scope="module")
def rounds(tmp_path_factory) -> list[Path]:
    if not SYNTH.exists():
        pytest.skip(f"synthetic report generator not present: {SYNTH} (it lives in ../shared/tools)")
    folder = tmp_path_factory.mktemp("synth")
    paths = []
    for number in range(3):
        path = folder / f"round{number}.nessus"
        subprocess.run([sys.executable, str(SYNTH), "--hosts", "60", "--items", "40", "--plugins", "150",
                        "--round", str(number), "--fix-rate", "0.3", "-o", str(path)], check=True)
        paths.append(path)
    return paths


def test_rounds_give_the_counts_the_files_imply(tmp_path, rounds):
    first, second, third = (keys_in(path) for path in rounds)
    db = open_db(tmp_path / "record.db")

    summaries = [import_file(db, path) for path in rounds]

    assert (summaries[0].new, summaries[0].fixed) == (len(first), 0)
    assert summaries[1].new == len(second - first)
    assert summaries[1].fixed == len(first - second)
    assert summaries[1].reopened == 0
    assert summaries[2].new == len(third - first - second)
    assert summaries[2].fixed == len(second - third)
    assert summaries[2].reopened == len((first - second) & third)
    assert summaries[2].reopened > 0, "the chosen seed should bring at least one finding back"
    assert all(summary.not_verifiable == 0 for summary in summaries)


def test_rounds_final_statuses(tmp_path, rounds):
    first, second, third = (keys_in(path) for path in rounds)
    db = open_db(tmp_path / "record.db")
    for path in rounds:
        import_file(db, path)

    statuses = dict(db.execute("SELECT status, count(*) FROM findings GROUP BY status").fetchall())

    assert statuses == {"open": len(third), "fixed": len((first | second) - third)}


def final_statuses(db) -> dict[tuple[str, str, str, str], str]:
    rows = db.execute(
        "SELECT a.key, f.plugin_id, f.port, f.protocol, f.status FROM findings f JOIN assets a ON a.id = f.asset_id"
    )
    return {(key, plugin, str(port), protocol): status for key, plugin, port, protocol, status in rows}


@pytest.mark.parametrize("order", [(0, 2, 1), (2, 1, 0), (1, 0, 2), (2, 0, 1)])
def test_import_order_gives_same_record(tmp_path, rounds, order):
    in_order = open_db(tmp_path / "in-order.db")
    for path in rounds:
        import_file(in_order, path)
    shuffled = open_db(tmp_path / "shuffled.db")

    summaries = [import_file(shuffled, rounds[number]) for number in order]

    assert final_statuses(shuffled) == final_statuses(in_order)
    for position, number in enumerate(order):
        if number < max(order[:position], default=-1):
            assert summaries[position].reopened == 0, f"round {number} imported after a newer one reopened"
