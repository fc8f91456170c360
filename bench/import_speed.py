"""Import speed and memory against a bare defusedxml pass over the same file.

For each size, the script writes a synthetic Nessus report with the
generator in ../shared/tools/synth_scan.py (kept in bench/out/ for reuse),
then runs, each in a fresh subprocess so peak memory is its own:

- a bare pass: defusedxml iterparse over the file, clearing each element;
- patchtui's import of the file into a new database.

It prints wall time and peak resident memory for both, and their ratio.
Usage: python bench/import_speed.py [--sizes 10k,100k,1m] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SYNTH = REPO.parent / "shared" / "tools" / "synth_scan.py"
SIZES = {"10k": (100, 100), "100k": (1000, 100), "1m": (10000, 100)}

BARE_PASS = """
import sys
from defusedxml.ElementTree import iterparse
count = 0
for event, element in iterparse(sys.argv[1], events=("end",)):
    if element.tag == "ReportItem":
        count += 1
        element.clear()
    elif element.tag == "ReportHost":
        element.clear()
print(count)
"""

IMPORT = """
import sys
from pathlib import Path
from patchtui.store import open_db
from patchtui.triage.importing import import_file
summary = import_file(open_db(sys.argv[2]), Path(sys.argv[1]))
print(summary.findings)
"""


def measure(code: str, *args: str) -> tuple[float, float, str]:
    """Run ``code`` in a new interpreter; return wall seconds, peak RSS in MiB and its output."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True,
                               cwd=REPO)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    output = process.stdout.read().strip() if process.stdout else ""
    if status != 0:
        raise SystemExit(f"benchmark step failed ({status}): {code[:60]}")
    return wall, usage.ru_maxrss / 1024, output


def report_for(size: str) -> Path:
    hosts, items = SIZES[size]
    path = HERE / "out" / f"synth-{size}.nessus"
    if not path.exists():
        if not SYNTH.exists():
            raise SystemExit(f"generator not found: {SYNTH}")
        path.parent.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(SYNTH), "--hosts", str(hosts), "--items", str(items),
                        "-o", str(path)], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best is kept")
    options = parser.parse_args()

    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}")
    print("| findings | file MB | bare pass s | bare MiB | import s | import MiB | time ratio |")
    print("|---|---|---|---|---|---|---|")
    results = []
    for size in options.sizes.split(","):
        path = report_for(size)
        bare = min((measure(BARE_PASS, str(path)) for _ in range(options.repeat)), key=lambda r: r[0])
        runs = []
        for _ in range(options.repeat):
            database = HERE / "out" / f"bench-{size}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            runs.append(measure(IMPORT, str(path), str(database)))
        imported = min(runs, key=lambda r: r[0])
        ratio = imported[0] / bare[0]
        megabytes = path.stat().st_size / 1e6
        print(f"| {imported[2]} | {megabytes:.0f} | {bare[0]:.2f} | {bare[1]:.0f} | {imported[0]:.2f} | "
              f"{imported[1]:.0f} | {ratio:.2f} |", flush=True)
        results.append({"size": size, "bare": bare[:2], "import": imported[:2], "findings": imported[2]})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
