"""Measure what active exceptions add to an import, and what expiring a large one costs.

Run: python bench/exception_speed.py --hosts 1000 --items 100

It writes two synthetic Nessus rounds of the same network (cached in
bench/out/), imports the first round into a database, and copies it twice.
Into one copy it imports the second round as it is; into the other it first
records rule exceptions (five checks everywhere, everything on twenty hosts)
and then imports the second round. It then expires those exceptions and
lists them. Times are wall-clock seconds on whatever else the machine runs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from patchtui.store import open_db  # noqa: E402
from patchtui.triage import exceptions as rules  # noqa: E402
from patchtui.triage.importing import import_file  # noqa: E402

GENERATOR = REPO.parent / "shared" / "tools" / "synth_scan.py"
OUT = REPO / "bench" / "out"


def report(hosts: int, items: int, round_number: int) -> Path:
    path = OUT / f"exceptions-{hosts}x{items}-r{round_number}.nessus"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(GENERATOR), "--hosts", str(hosts), "--items",
                        str(items), "--round", str(round_number), "-o", str(path)], check=True)
    return path


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def timed(label: str, action):
    start = time.perf_counter()
    result = action()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return result


def add_rules(db, clock: Clock) -> int:
    expires = (clock().date() + timedelta(days=30)).isoformat()
    draft = rules.ExceptionDraft("bench", "benchmark rule", "low", "bench", expires)
    checks = db.execute("SELECT scanner, plugin_id FROM findings GROUP BY scanner, plugin_id"
                        " ORDER BY count(*) DESC LIMIT 5").fetchall()
    assets = [row[0] for row in db.execute("SELECT key FROM assets ORDER BY id LIMIT 20")]
    covered = 0
    for scanner, plugin_id in checks:
        scope = rules.Scope("vulnerability", scanner=scanner, plugin_id=plugin_id)
        covered += rules.create_exception(db, draft, scope, clock=clock).changed
    for key in assets:
        covered += rules.create_exception(db, draft, rules.Scope("asset", hosts=(key,)),
                                          clock=clock).changed
    return covered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--items", type=int, default=100)
    args = parser.parse_args()
    first, second = report(args.hosts, args.items, 0), report(args.hosts, args.items, 1)

    work = OUT / "exception-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    base = work / "base.db"
    db = open_db(base, clock=clock)
    summary = timed("import round 0", lambda: import_file(db, first, clock=clock))
    print(f"  {summary.findings} findings")
    db.conn.close()
    for name in ("plain.db", "rules.db"):
        shutil.copy(base, work / name)

    plain = open_db(work / "plain.db", clock=clock)
    timed("import round 1, no exceptions", lambda: import_file(plain, second, clock=clock))

    ruled = open_db(work / "rules.db", clock=clock)
    covered = timed("record 25 rule exceptions", lambda: add_rules(ruled, clock))
    print(f"  {covered} findings accepted")
    summary = timed("import round 1, 25 active rules", lambda: import_file(ruled, second, clock=clock))
    accepted = ruled.execute("SELECT count(*) FROM events WHERE entity = 'finding'"
                             " AND new = 'accepted' AND scan_id = ?", [summary.scan_id]).fetchone()[0]
    print(f"  {summary.new} new findings, {accepted} accepted by a rule during the import")

    clock.now += timedelta(days=31)
    expired = timed("expire 25 exceptions", lambda: rules.expire_due(ruled, clock=clock))
    print(f"  {len(expired)} expired")
    timed("list exceptions", lambda: rules.list_exceptions(ruled, clock=clock))


if __name__ == "__main__":
    main()
