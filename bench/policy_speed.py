"""Due dates and priority at scale: the migration, a policy change, KEV and EPSS loads,
and the queries the findings list and the overdue view run.

Works on a copy of a database that already holds findings (``--db``, copied
into bench/out/ first, so the original stays as it was), or imports a report
into a new one (``--report``). It prints wall times; every step but the pages
runs in one write transaction, as the product runs it.

Usage: python bench/policy_speed.py --db bench/out/bench-100k.db
       python bench/policy_speed.py --report bench/out/synth-100k.nessus
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from patchtui.clock import system_clock, to_text  # noqa: E402
from patchtui.store import open_db  # noqa: E402
from patchtui.store.policy import count_overdue  # noqa: E402
from patchtui.triage.enrich import enrich_file  # noqa: E402
from patchtui.triage.importing import import_file  # noqa: E402
from patchtui.triage.policy import load_policy, save_policy  # noqa: E402

EPSS_ROWS = 300_000
KEV_ROWS = 1_300


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    shown = "" if hasattr(result, "execute") else result
    print(f"{label:<44} {time.perf_counter() - started:8.3f} s   {shown}")
    return result


def cves_in(db) -> list[str]:
    rows = db.execute("SELECT DISTINCT j.value FROM vulnerabilities v, json_each(v.cves) j")
    return [row[0] for row in rows]


def write_epss(path: Path, known: list[str]) -> None:
    rng = random.Random(7)
    names = set(known[: EPSS_ROWS // 2])
    while len(names) < EPSS_ROWS:
        names.add(f"CVE-{rng.randint(1999, 2026)}-{rng.randint(1000, 99999)}")
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write("#model_version:v2025.03.14,score_date:2026-11-30T00:00:00+0000\n")
        out.write("cve,epss,percentile\n")
        for name in sorted(names):
            out.write(f"{name},{rng.random():.5f},{rng.random():.5f}\n")


def write_kev(path: Path, known: list[str]) -> None:
    rng = random.Random(8)
    entries = [{"cveID": cve, "vendorProject": "Example", "product": "Product",
                "vulnerabilityName": "Made-up entry", "dateAdded": "2024-05-01",
                "shortDescription": "Made up.", "requiredAction": "Apply updates.",
                "dueDate": f"2026-{rng.randint(1, 12):02d}-15",
                "knownRansomwareCampaignUse": rng.choice(["Known", "Unknown"]),
                "notes": "", "cwes": ["CWE-20"]}
               for cve in rng.sample(known, min(KEV_ROWS, len(known)))]
    path.write_text(json.dumps({"title": "bench", "catalogVersion": "2026.11.20",
                                "dateReleased": "2026-11-20T15:00:00Z", "count": len(entries),
                                "vulnerabilities": entries}), encoding="utf-8")


def pages(db) -> None:
    now = to_text(system_clock())
    timed("count overdue", lambda: count_overdue(db, now))
    timed("first page by priority", lambda: len(db.execute(
        "SELECT id FROM findings ORDER BY priority DESC, id DESC LIMIT 50").fetchall()))
    timed("first page of overdue by due date", lambda: len(db.execute(
        "SELECT id FROM findings WHERE due_at < ? ORDER BY due_at, id LIMIT 50", [now]
    ).fetchall()))
    middle = db.execute("SELECT priority, id FROM findings ORDER BY priority, id"
                        " LIMIT 1 OFFSET (SELECT count(*) / 2 FROM findings)").fetchone()
    timed("keyset page from the middle by priority", lambda: len(db.execute(
        "SELECT id FROM findings WHERE (priority, id) < (?, ?)"
        " ORDER BY priority DESC, id DESC LIMIT 50", middle).fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser()
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--db", type=Path, help="database with findings, copied first")
    source.add_argument("--report", type=Path, help="report to import into a new database")
    args = parser.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    work = out / "policy-bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)

    if args.db:
        shutil.copyfile(args.db, work)
        db = timed("open (migrates an older schema)", lambda: open_db(work))
    else:
        db = open_db(work)
        timed("import the report", lambda: import_file(db, args.report).findings)
    print(f"{'findings':<44} {db.execute('SELECT count(*) FROM findings').fetchone()[0]:>10}")

    policy = load_policy(db)
    longer = replace(policy, response={name: (value + timedelta(days=1) if value else None)
                                       for name, value in policy.response.items()})
    timed("policy change (every due date moves)",
          lambda: save_policy(db, longer).due_dates_changed)

    known = cves_in(db)
    epss_path, kev_path = out / "epss_scores-2026-11-30.csv.gz", out / "kev-bench.json"
    write_epss(epss_path, known)
    write_kev(kev_path, known)
    timed(f"enrich: EPSS, {EPSS_ROWS} rows (gzipped)",
          lambda: enrich_file(db, epss_path).findings_changed)
    timed(f"enrich: KEV, {min(KEV_ROWS, len(known))} entries",
          lambda: enrich_file(db, kev_path).findings_changed)
    pages(db)


if __name__ == "__main__":
    main()
