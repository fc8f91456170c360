"""Parse speed and memory of the Nessus CSV importer against the .nessus importer.

For each size, the script writes a synthetic Nessus report with the
generator that ``SYNTH`` names and converts it to the 13-column Nessus CSV
layout, with one row per CVE as Tenable.io exports write it. Both files stay
in bench/out/. Each is parsed in a fresh subprocess, so peak memory is its own.

It prints rows, findings, wall time and peak resident memory per format.
Usage: python bench/csv_parse_speed.py [--sizes 10k,100k]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
SYNTH = REPO.parent / "shared" / "tools" / "synth_scan.py"
SIZES = {"10k": (100, 100), "100k": (1000, 100)}
HEADER = [
    "Plugin ID",
    "CVE",
    "CVSS",
    "Risk",
    "Host",
    "Protocol",
    "Port",
    "Name",
    "Synopsis",
    "Description",
    "Solution",
    "See Also",
    "Plugin Output",
]

PARSE = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from patchtui.importers import parse_report
from patchtui.importers.model import FindingRecord
start = time.perf_counter()
_, records = parse_report(Path(sys.argv[1]))
findings = sum(1 for record in records if isinstance(record, FindingRecord))
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"findings": findings, "seconds": seconds, "peak_mib": peak_kib / 1024}))
"""


def _write_nessus(name: str, hosts: int, items: int) -> Path:
    path = OUT / f"csv_bench_{name}.nessus"
    if not path.exists():
        command = [sys.executable, str(SYNTH), "--format", "nessus", "--hosts", str(hosts), "--items", str(items)]
        subprocess.run([*command, "-o", str(path)], check=True)
    return path


def _write_csv(nessus: Path) -> tuple[Path, int]:
    """Convert a .nessus file to the Nessus default CSV layout and return its path and row count."""
    sys.path.insert(0, str(REPO))
    from patchtui.importers import nessus_xml
    from patchtui.importers.model import FindingRecord

    path = nessus.with_suffix(".csv")
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(HEADER)
        for record in nessus_xml.parse(nessus):
            if not isinstance(record, FindingRecord):
                continue
            host = record.host_address or record.host_name or ""
            cells = [
                record.plugin_id,
                "",
                record.cvss2_score or "",
                record.scanner_severity.title(),
                host,
                record.protocol,
                record.port,
                record.name,
                record.synopsis or "",
                record.description or "",
                record.solution or "",
                "\n".join(record.references),
                record.plugin_output or "",
            ]
            for cve in record.cves or [""]:
                cells[1] = cve
                writer.writerow(cells)
                rows += 1
    return path, rows


def _measure(path: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", PARSE, str(path), str(REPO)], check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated sizes from: " + ", ".join(SIZES))
    arguments = parser.parse_args()
    OUT.mkdir(exist_ok=True)

    for name in arguments.sizes.split(","):
        nessus = _write_nessus(name, *SIZES[name])
        csv_path, rows = _write_csv(nessus)
        for label, path in (("nessus-xml", nessus), ("nessus-csv", csv_path)):
            result = _measure(path)
            size_mb = path.stat().st_size / 1e6
            print(
                f"{name:>5} {label:<11} {size_mb:7.1f} MB  {result['findings']:>7} findings"
                f"{f' from {rows} rows' if label == 'nessus-csv' else '':<17}"
                f"  {result['seconds']:6.2f} s  {size_mb / result['seconds']:5.1f} MB/s"
                f"  peak {result['peak_mib']:6.1f} MiB"
            )


if __name__ == "__main__":
    main()
