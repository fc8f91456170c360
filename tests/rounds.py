"""Test data for exceptions and tasks: three weekly Nessus rounds and a clock the test moves.

round1.nessus (scanned 2026-03-02 22:00 UTC) reports, besides Traceroute
(10287) on every host:
    10.0.0.5 web01: 97833 MS17-010 (445/tcp), 42873 SWEET32 (443/tcp)
    10.0.0.6 db01:  42873 SWEET32 (443/tcp), 57608 SMB signing (445/tcp)
    10.0.0.7 hmi01: 97833 MS17-010 (445/tcp), 58987 PHP unsupported (80/tcp)
round2.nessus (2026-03-09) drops 97833 on web01 and 42873 on db01 and adds
97833 on db01. round3.nessus (2026-03-16) brings 97833 on web01 back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from patchtui.store import open_db
from patchtui.triage.importing import import_file

ROUNDS = Path(__file__).resolve().parent / "fixtures" / "rescan_rounds"

WEB, DB, HMI = "10.0.0.5", "10.0.0.6", "10.0.0.7"
MS17_010, SWEET32, SMB_SIGNING, PHP, TRACEROUTE = "97833", "42873", "57608", "58987", "10287"


class TestClock:
    """A clock that stands still until the test moves it."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, text: str) -> None:
        self.now = datetime.fromisoformat(text).replace(tzinfo=UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def start_clock() -> TestClock:
    """Return a clock set to the morning after the first round's scan."""
    return TestClock(datetime(2026, 3, 3, 8, 0, tzinfo=UTC))


def new_db(tmp_path: Path, clock: TestClock) -> Database:
    return open_db(tmp_path / "patchtui.db", clock=clock)


def import_round(db: Database, number: int, clock: TestClock):
    """Import round ``number`` the morning after its scan and leave the clock there."""
    day = {1: 3, 2: 10, 3: 17}[number]
    if clock.now < datetime(2026, 3, day, 8, 0, tzinfo=UTC):
        clock.set(f"2026-03-{day:02d}T08:00:00")
    return import_file(db, ROUNDS / f"round{number}.nessus", clock=clock, actor="scanner-admin")


def finding_id(db: Database, host: str, plugin: str) -> int:
    row = db.execute(
        "SELECT f.id FROM findings f JOIN assets a ON a.id = f.asset_id"
        " WHERE a.key = ? AND f.plugin_id = ?", [host, plugin]
    ).fetchone()
    assert row is not None, f"no finding {plugin} on {host}"
    return int(row[0])


def status_of(db: Database, host: str, plugin: str) -> str:
    return db.execute("SELECT status FROM findings WHERE id = ?",
                      [finding_id(db, host, plugin)]).fetchone()[0]
