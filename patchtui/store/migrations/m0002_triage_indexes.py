"""Indexes that let the findings list page by any sort column, and its full-text index.

Each sortable column gets an index with the finding id as the tie-breaker, so
keyset paging (``WHERE (key, id) > (?, ?) ORDER BY key, id LIMIT n``) reads
only the rows it shows. The expressions here must stay identical to the sort
keys in ``patchtui.store.pages.SORT_KEYS``, or SQLite cannot use the index.

``findings_fts`` indexes each finding's name, CVEs, host names and the plugin
output of its latest sighting; ``patchtui.store.search`` keeps it current at
the end of every import. Its rowid is the finding id.
"""

from __future__ import annotations

from sqlite_utils import Database

VERSION = 2
DESCRIPTION = "sort indexes for the findings list and a full-text index for search"

SORT_INDEXES = {
    "severity": "severity, id",
    "status": "status, id",
    "host": "host, id",
    "port": "port, id",
    "name": "name, id",
    "cvss": "ifnull(cvss, -1), id",
    "first_seen": "first_seen, id",
    "last_seen": "last_seen, id",
    "cves": "cves, id",
}


def apply(db: Database) -> None:
    for name, columns in SORT_INDEXES.items():
        db.conn.execute(f"CREATE INDEX findings_sort_{name} ON findings ({columns})")

    db.conn.execute(
        "CREATE VIRTUAL TABLE findings_fts USING fts5("
        "name, cves, host, output, tokenize = 'unicode61 remove_diacritics 2')"
    )
    db.conn.execute(
        "INSERT INTO findings_fts (rowid, name, cves, host, output)"
        " SELECT f.id, f.name, f.cves,"
        "  f.host || ' ' || ifnull(a.hostname, '') || ' ' || ifnull(a.fqdn, '')"
        "   || ' ' || ifnull(a.netbios, ''),"
        "  (SELECT o.plugin_output FROM observations o WHERE o.finding_id = f.id"
        "   ORDER BY o.seen_at DESC, o.scan_id DESC LIMIT 1)"
        " FROM findings f JOIN assets a ON a.id = f.asset_id"
    )
