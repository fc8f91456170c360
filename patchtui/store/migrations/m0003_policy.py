"""The patch policy, due dates, priorities, overdue reviews and offline threat data.

Adds to ``findings``: ``due_at`` (when it must be fixed, NULL when it need not
be), ``priority`` (higher first, see ``patchtui.triage.priority``),
``reopened_at`` (when a scan last saw it again after ``patched`` or ``fixed``),
``target_at`` (a target date set in an overdue review) and ``reviewed_at``
(the last overdue review). Both sortable columns get an index with the id as
the tie-breaker, named like the other sort indexes.

Adds to ``vulnerabilities`` the threat facts its findings are ranked by, copied
from the ``kev`` and ``epss`` tables, and the inputs last applied to its
findings (``ranked_inputs``), so an import recomputes only what changed.
"""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

VERSION = 3
DESCRIPTION = "patch policy, due dates, priority, overdue reviews and KEV/EPSS threat data"

FINDING_COLUMNS = {"due_at": "TEXT", "priority": "INTEGER NOT NULL DEFAULT 0",
                   "reopened_at": "TEXT", "target_at": "TEXT", "reviewed_at": "TEXT"}
VULNERABILITY_COLUMNS = {"kev_added": "TEXT", "kev_due": "TEXT", "kev_ransomware": "INTEGER",
                         "epss": "REAL", "epss_percentile": "REAL", "threat_cves": "TEXT",
                         "ranked_inputs": "TEXT"}


def apply(db: Database) -> None:
    conn = db.conn
    for name, kind in FINDING_COLUMNS.items():
        conn.execute(f"ALTER TABLE findings ADD COLUMN {name} {kind}")
    for name, kind in VULNERABILITY_COLUMNS.items():
        conn.execute(f"ALTER TABLE vulnerabilities ADD COLUMN {name} {kind}")
    conn.execute("CREATE INDEX findings_sort_due_at ON findings (due_at, id)")
    conn.execute("CREATE INDEX findings_sort_priority ON findings (priority, id)")

    conn.execute(
        "CREATE TABLE policy (id INTEGER PRIMARY KEY CHECK (id = 1), document TEXT NOT NULL,"
        " updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)"
    )
    conn.execute(
        "CREATE TABLE policy_response (severity INTEGER NOT NULL, tier TEXT NOT NULL,"
        " seconds INTEGER, PRIMARY KEY (severity, tier)) WITHOUT ROWID"
    )
    conn.execute(
        "CREATE TABLE kev (cve TEXT PRIMARY KEY, vendor_project TEXT, product TEXT,"
        " vulnerability_name TEXT, date_added TEXT NOT NULL, short_description TEXT,"
        " required_action TEXT, due_date TEXT, ransomware TEXT, notes TEXT, cwes TEXT)"
        " WITHOUT ROWID"
    )
    conn.execute(
        "CREATE TABLE epss (cve TEXT PRIMARY KEY, epss REAL NOT NULL, percentile REAL NOT NULL)"
        " WITHOUT ROWID"
    )
    conn.execute(
        "CREATE TABLE threat_data (kind TEXT PRIMARY KEY, version TEXT, released TEXT NOT NULL,"
        " file_name TEXT NOT NULL, sha256 TEXT NOT NULL, rows INTEGER NOT NULL,"
        " loaded_at TEXT NOT NULL, loaded_by TEXT NOT NULL)"
    )

    # NOTE: for a finding reopened before this migration, the time of its status change
    # stands in for the reopen time; a later admin change of status may have moved it.
    conn.execute(
        "UPDATE findings SET reopened_at = status_at"
        " WHERE reopened_count > 0 AND status IN ('open', 'in_progress')"
    )
    _seed_policy(db)


def _seed_policy(db: Database) -> None:
    # Imported here: the policy rules import the store, which imports the migrations.
    # NOTE: this runs today's refresh code, so it assumes the columns it reads exist at
    # version 3; a later migration that changes them must keep that true.
    import json

    from patchtui.clock import current_actor, system_clock, to_text
    from patchtui.store import policy as policy_store
    from patchtui.store.threats import refresh_vulnerability_threats
    from patchtui.triage.policy import default_policy, policy_document, response_rows

    now = system_clock()
    policy = default_policy(date(now.year, now.month, now.day))
    policy_store.write_policy(db, json.dumps(policy_document(policy), sort_keys=True),
                              response_rows(policy), at=to_text(now), actor=current_actor())
    refresh_vulnerability_threats(db, only_stale=True)
    # Every vulnerability counts as changed here, so this computes every finding.
    policy_store.refresh_changed_vulnerabilities(db)
