"""Time the findings list at 1k, 100k and 1M findings: start, filters, searches, sorts, paging.

Run: python bench/tui_paging.py [--sizes 1k,100k,1m] [--repeat 5]

Databases are filled with made-up findings by ``patchtui.store.synthetic`` and
cached in bench/out/ (a million findings take a few minutes to write). Each
size runs the real app headless at 80x24 through ``create_app`` and
``App.run_test``:

- start: from ``create_app`` (open and migrate the database) to the first
  row of the list being drawn, median and maximum of ``--repeat`` starts;
- each operation: from the screen's action to all visible lines of the list
  being drawn again (the SQL page fetch plus building each line), median and
  maximum of ``--repeat`` runs. The match count runs in a worker thread and
  shows in the status line when ready, so it is timed apart;
- assets: the assets view's query (every host with counts by severity).
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from patchtui.store import open_db  # noqa: E402
from patchtui.store.asset_admin import list_assets  # noqa: E402
from patchtui.store.pages import FindingPager, ListQuery  # noqa: E402
from patchtui.store.synthetic import fill_synthetic  # noqa: E402
from patchtui.tui.app import create_app  # noqa: E402
from patchtui.tui.finding_table import FindingTable  # noqa: E402
from patchtui.tui.findings import FindingsScreen  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
BASE = ListQuery()

OPERATIONS: list[tuple[str, Callable[[FindingsScreen], None]]] = [
    ("filter severity=critical", lambda s: s.apply_query(BASE.with_changes(severities=("critical",)))),
    ("filter status=in progress", lambda s: s.apply_query(BASE.with_changes(statuses=("in_progress",)))),
    ("filter scanner=openvas", lambda s: s.apply_query(BASE.with_changes(scanners=("openvas",)))),
    ("filter host 10.0.3.", lambda s: s.apply_query(BASE.with_changes(host="10.0.3."))),
    ("filter overdue", lambda s: s.apply_query(BASE.with_changes(overdue_at="2026-12-31T00:00:00Z"))),
    ("show info and low QoD", lambda s: s.apply_query(BASE.with_changes(show_hidden=True))),
    ("search 'log4j'", lambda s: s.apply_query(BASE.with_changes(search="log4j"))),
    ("search 'remote code execution'",
     lambda s: s.apply_query(BASE.with_changes(search="remote code execution"))),
    ("search 'CVE-2021'", lambda s: s.apply_query(BASE.with_changes(search="CVE-2021"))),
    ("sort name", lambda s: s.apply_query(BASE.with_changes(sort="name"))),
    ("sort CVSS ascending", lambda s: s.apply_query(BASE.with_changes(sort="cvss", descending=False))),
    ("sort host", lambda s: s.apply_query(BASE.with_changes(sort="host"))),
    ("sort due date ascending", lambda s: s.apply_query(BASE.with_changes(sort="due", descending=False))),
    ("sort last seen", lambda s: s.apply_query(BASE.with_changes(sort="last_seen"))),
    ("search 'ssh' sorted by name",
     lambda s: s.apply_query(BASE.with_changes(search="ssh", sort="name"))),
    ("page down", lambda s: s.table.action_page(1)),
    ("jump to last", lambda s: s.table.action_last()),
]


def database(size: int) -> Path:
    """Return a cached database of ``size`` findings, writing it first if needed."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"tui-{size}.db"
    if path.exists():
        open_db(path).conn.close()  # apply newer migrations before anything is timed
        return path
    partial = path.with_suffix(".partial")
    for leftover in OUT.glob(partial.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    db = open_db(partial)
    fill_synthetic(db, size)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    partial.rename(path)
    print(f"  wrote {size:,} findings in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def draw(table: FindingTable) -> None:
    """Build every visible line of the list, as a screen refresh does."""
    for y in range(table.size.height):
        table.render_line(y)


async def measure(path: Path, repeat: int) -> dict[str, tuple[float, float]]:
    """Return {operation: (median ms, max ms)} for one database."""
    starts = [await time_start(path) for _ in range(repeat)]
    results = {"start to first page": (statistics.median(starts), max(starts))}

    app = create_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        await wait_for_count(pilot)

        for name, operation in OPERATIONS:
            times = []
            for _ in range(repeat):
                screen.apply_query(BASE)
                await wait_for_count(pilot)
                began = time.perf_counter()
                operation(screen)
                draw(screen.table)
                times.append((time.perf_counter() - began) * 1000)
                await wait_for_count(pilot)
            results[name] = (statistics.median(times), max(times))
    results.update(headless_timings(path, repeat))
    return results


async def time_start(path: Path) -> float:
    """Return the ms from ``create_app`` to the first row of the list being drawn."""
    first_row: list[float] = []
    original = FindingTable.render_line

    def spy(table: FindingTable, y: int):  # records when the first row is drawn
        if y >= 1 and table.rows and not first_row:
            first_row.append(time.perf_counter())
        return original(table, y)

    FindingTable.render_line = spy  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        app = create_app(path)
        async with app.run_test(size=(80, 24)) as pilot:
            while not first_row:
                await asyncio.sleep(0.001)
            await wait_for_count(pilot)
    finally:
        FindingTable.render_line = original  # type: ignore[method-assign]
    return (first_row[0] - started) * 1000


async def wait_for_count(pilot) -> None:
    workers = [worker for worker in pilot.app.workers if worker.group == "count"]
    if workers:
        await pilot.app.workers.wait_for_complete(workers)


def headless_timings(path: Path, repeat: int) -> dict[str, tuple[float, float]]:
    """Time the count of the default list and the assets view's query."""
    db = open_db(path, migrate_schema=False)
    pager = FindingPager(db)
    timings = {}
    for name, work in (("count (worker thread)", lambda: pager.count(BASE)),
                       ("assets view query", lambda: list_assets(db))):
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            work()
            times.append((time.perf_counter() - began) * 1000)
        timings[name] = (statistics.median(times), max(times))
    db.conn.close()
    return timings


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    import os

    return (f"{os.cpu_count()} cores, {model}, Python {platform.python_version()},"
            f" SQLite {sqlite3.sqlite_version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,100k,1m", help="comma-separated: 1k, 10k, 100k, 1m")
    parser.add_argument("--repeat", type=int, default=5, help="runs per operation")
    options = parser.parse_args()
    sizes = [SIZES[name.strip().lower()] for name in options.sizes.split(",")]

    print(machine())
    table: dict[str, dict[int, tuple[float, float]]] = {}
    for size in sizes:
        print(f"{size:,} findings …", file=sys.stderr)
        for name, figures in asyncio.run(measure(database(size), options.repeat)).items():
            table.setdefault(name, {})[size] = figures

    header = "| operation | " + " | ".join(f"{size:,} median / max ms" for size in sizes)
    ratio = len(sizes) > 1
    print(header + (f" | {sizes[-1]:,} / {sizes[0]:,} |" if ratio else " |"))
    print("|---" * (len(sizes) + 1 + ratio) + "|")
    for name, by_size in table.items():
        cells = [f"{by_size[size][0]:.1f} / {by_size[size][1]:.1f}" for size in sizes]
        row = f"| {name} | " + " | ".join(cells) + " |"
        if ratio:
            row += f" {by_size[sizes[-1]][0] / max(by_size[sizes[0]][0], 0.01):.2f} |"
        print(row)


if __name__ == "__main__":
    main()
