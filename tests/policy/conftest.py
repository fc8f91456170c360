"""Fixtures for the policy tests: a record on a tmp_path file, scans from small reports, a clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from patchtui.store import open_db
from patchtui.triage.importing import import_file
from tests.reports import Host, write_nessus

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "record.db")


@pytest.fixture
def scan(db, tmp_path, clock):
    """Import a report of ``hosts`` scanned at ``when``; returns the import summary."""
    counter = iter(range(1, 1000))

    def run(hosts: list[Host], when: datetime, **options):
        path = write_nessus(tmp_path, f"scan{next(counter)}.nessus", hosts, when, **options)
        return import_file(db, path, clock=clock, actor="tester")

    return run


def finding(db, plugin_id: str, ip: str = "10.0.0.1") -> dict:
    """Return one finding's row by plugin and host."""
    cursor = db.execute(
        "SELECT f.* FROM findings f JOIN assets a ON a.id = f.asset_id"
        " WHERE f.plugin_id = ? AND a.key = ?", [plugin_id, ip])
    row = cursor.fetchone()
    assert row is not None, f"no finding {plugin_id} on {ip}"
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


def asset_id(db, ip: str) -> int:
    return db.execute("SELECT id FROM assets WHERE key = ?", [ip]).fetchone()[0]


def events(db, entity: str, action: str) -> list[dict]:
    cursor = db.execute("SELECT * FROM events WHERE entity = ? AND action = ? ORDER BY id",
                        [entity, action])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
