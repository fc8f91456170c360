"""Fill a database with made-up findings, fast, for benchmarks only.

Importing a synthetic report of a million findings through the real importer
takes minutes, so this writes the same tables directly in one transaction
with ``executemany``. The rows follow the schema's rules (one finding per
asset, check and port, an observation per finding, a full-text row per
finding, due dates and priorities from the stored policy) but carry no audit
events. It runs no ANALYZE, because a real database has no statistics
either. Never call it on a real database.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

from sqlite_utils import Database

from patchtui.store.host_order import fill_host_sort
from patchtui.store.policy import refresh_all_findings

_WORDS = (
    "apache openssl ssh tls certificate expired kernel php mysql nginx samba smb windows "
    "update remote code execution overflow injection disclosure bypass privilege escalation "
    "denial service weak cipher outdated version unsupported log4j java tomcat iis dns "
    "cross site scripting request forgery directory traversal authentication default password"
).split()
_STATUSES = (("open", 70), ("in_progress", 5), ("patched", 3), ("fixed", 15),
             ("false_positive", 2), ("accepted", 5))
_SEVERITIES = ((0, 40), (1, 10), (2, 25), (3, 18), (4, 7))
_PORTS = (0, 22, 25, 80, 135, 139, 443, 445, 3306, 3389, 5432, 8080, 8443)
_SCAN_TIMES = tuple(f"2026-{month:02d}-{day:02d}T02:00:00Z" for month in range(1, 13)
                    for day in (3, 17))


def _weighted(rng: random.Random, table: tuple[tuple[object, int], ...]) -> object:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def fill_synthetic(db: Database, findings: int, *, per_host: int = 100, checks: int = 5000,
                   seed: int = 1) -> None:
    """Write ``findings`` made-up findings on ``findings // per_host`` hosts into an empty database."""
    rng = random.Random(seed)
    hosts = max(1, findings // per_host)
    with db.atomic():
        conn = db.conn
        conn.execute(
            "INSERT INTO scans (id, sha256, file_name, scanner, format, name, started_at,"
            " time_source, imported_at, imported_by) VALUES (1, 'synthetic', 'synthetic.nessus',"
            " 'nessus', 'nessus-xml', 'synthetic', ?, 'report', ?, 'bench')",
            (_SCAN_TIMES[-1], _SCAN_TIMES[-1]),
        )
        conn.executemany(
            "INSERT INTO assets (id, key, ip, hostname, tier, first_seen, last_seen)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((i, _ip(i), _ip(i), f"host{i}.example.test", rng.choice(("public", "internal", "dev")),
              _SCAN_TIMES[0], _SCAN_TIMES[-1]) for i in range(1, hosts + 1)),
        )
        catalogue = [_check(rng, i) for i in range(1, checks + 1)]
        conn.executemany(
            "INSERT INTO vulnerabilities (id, scanner, plugin_id, name, severity, cvss3_score,"
            " cves, description, solution, refs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]')",
            ((c["id"], c["scanner"], str(c["id"]), c["name"], c["severity_name"], c["cvss"],
              json.dumps(c["cves"]), c["description"], "Update the software.") for c in catalogue),
        )
        conn.executemany(
            "INSERT INTO findings (id, asset_id, vulnerability_id, scanner, plugin_id, port,"
            " protocol, status, status_at, severity, cvss, name, host, cves, qod, first_seen,"
            " last_seen, first_scan_id, last_scan_id, reopened_count)"
            " VALUES (?, ?, ?, ?, ?, ?, 'tcp', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, 0)",
            _findings(rng, findings, hosts, catalogue),
        )
        fill_host_sort(conn)
        conn.execute(
            "INSERT INTO observations (finding_id, scan_id, seen_at, plugin_output)"
            " SELECT id, 1, last_seen, 'Detected: ' || name || ' on port ' || port FROM findings"
        )
        conn.execute(
            "INSERT INTO findings_fts (rowid, name, cves, host, output)"
            " SELECT f.id, f.name, f.cves, f.host || ' ' || a.hostname, o.plugin_output"
            " FROM findings f JOIN assets a ON a.id = f.asset_id"
            " JOIN observations o ON o.finding_id = f.id"
        )
        refresh_all_findings(db)


def _ip(number: int) -> str:
    return f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"


def _check(rng: random.Random, number: int) -> dict:
    severity = int(_weighted(rng, _SEVERITIES))  # type: ignore[call-overload]
    cvss = None if severity == 0 else round(rng.uniform(severity * 2.25 - 1.5, severity * 2.5), 1)
    year = rng.randint(2014, 2026)
    cves = [f"CVE-{year}-{rng.randint(1000, 99999)}" for _ in range(rng.randint(0, 3))]
    return {"id": number, "scanner": "openvas" if number % 10 < 3 else "nessus",
            "name": f"{_sentence(rng, 4).title()} ({number})", "severity": severity,
            "severity_name": ("info", "low", "medium", "high", "critical")[severity],
            "cvss": cvss, "cves": cves, "description": _sentence(rng, 40)}


def _findings(rng: random.Random, count: int, hosts: int, catalogue: list[dict]) -> Iterator[tuple]:
    used: set[tuple[int, int, int]] = set()
    written = 0
    while written < count:
        asset_id = written % hosts + 1
        check = rng.choice(catalogue)
        port = rng.choice(_PORTS)
        if (asset_id, check["id"], port) in used:
            continue
        used.add((asset_id, check["id"], port))
        written += 1
        first = rng.randrange(len(_SCAN_TIMES))
        last = rng.randrange(first, len(_SCAN_TIMES))
        qod = rng.choice((30, 70, 80, 95, 98)) if check["scanner"] == "openvas" else None
        yield (written, asset_id, check["id"], check["scanner"], str(check["id"]), port,
               _weighted(rng, _STATUSES), _SCAN_TIMES[last], check["severity"], check["cvss"],
               check["name"], _ip(asset_id), ", ".join(check["cves"]), qod, _SCAN_TIMES[first],
               _SCAN_TIMES[last])
