"""What each scan could see, kept so a report imported late can be judged against later scans."""

from __future__ import annotations

from sqlite_utils import Database

VERSION = 5
DESCRIPTION = "scan coverage: completeness, severity range, checks run, results per host"


def apply(db: Database) -> None:
    db["scans"].add_column("complete", int)
    db["scans"].add_column("lowest_severity", int)
    db["scans"].add_column("plugin_set", bytes)
    db["scan_hosts"].add_column("results", int)
    db.conn.execute("UPDATE scans SET complete = 1")
    db.conn.execute(
        "UPDATE scan_hosts SET results = (SELECT count(*) FROM observations o"
        " JOIN findings f ON f.id = o.finding_id"
        " WHERE o.scan_id = scan_hosts.scan_id AND f.asset_id = scan_hosts.asset_id)"
    )
    db["scan_hosts"].create_index(["asset_id", "scanned_at"])
