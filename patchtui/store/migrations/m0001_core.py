"""Scans, assets, vulnerabilities, findings, observations and the event log."""

from __future__ import annotations

from sqlite_utils import Database

VERSION = 1
DESCRIPTION = "core record: scans, assets, vulnerabilities, findings, observations, events"

STATUSES = ("open", "in_progress", "patched", "fixed", "false_positive", "accepted")
TIERS = ("public", "internal", "dev")


def apply(db: Database) -> None:
    db["scans"].create(
        {
            "id": int, "sha256": str, "file_name": str, "scanner": str, "format": str,
            "name": str, "started_at": str, "time_source": str, "ended_at": str,
            "scanner_version": str, "policy_name": str, "plugin_count": int,
            "hosts": int, "findings": int, "new": int, "seen_again": int, "fixed": int,
            "reopened": int, "not_verifiable": int, "skipped": int, "warnings": str,
            "imported_at": str, "imported_by": str,
        },
        pk="id",
        not_null={"sha256", "file_name", "scanner", "format", "started_at", "time_source",
                  "imported_at", "imported_by"},
    )
    db["scans"].create_index(["sha256"], unique=True)
    db["scans"].create_index(["started_at"])

    db["assets"].create(
        {
            "id": int, "key": str, "ip": str, "hostname": str, "fqdn": str, "netbios": str,
            "os": str, "mac": str, "tier": str, "owner": str, "notes": str,
            "first_seen": str, "last_seen": str,
        },
        pk="id",
        not_null={"key", "tier", "first_seen", "last_seen"},
        defaults={"tier": "internal"},
    )
    db["assets"].create_index(["key"], unique=True)

    db["asset_names"].create(
        {"asset_id": int, "kind": str, "value": str, "first_seen": str, "last_seen": str},
        pk=("asset_id", "kind", "value"),
        foreign_keys=[("asset_id", "assets", "id")],
    )

    db["scan_hosts"].create(
        {"scan_id": int, "asset_id": int, "scanned_at": str, "ended_at": str, "credentialed": int},
        pk=("scan_id", "asset_id"),
        foreign_keys=[("scan_id", "scans", "id"), ("asset_id", "assets", "id")],
    )

    db["vulnerabilities"].create(
        {
            "id": int, "scanner": str, "plugin_id": str, "name": str, "family": str,
            "scanner_severity": str, "severity": str,
            "cvss2_score": float, "cvss2_vector": str, "cvss3_score": float, "cvss3_vector": str,
            "cvss4_score": float, "cvss4_vector": str,
            "cves": str, "cwes": str, "synopsis": str, "description": str, "solution": str,
            "refs": str, "plugin_type": str, "exploit_available": int,
            "published": str, "patch_published": str, "source_time": str,
        },
        pk="id",
        not_null={"scanner", "plugin_id", "name", "severity"},
    )
    db["vulnerabilities"].create_index(["scanner", "plugin_id"], unique=True)

    db["findings"].create(
        {
            "id": int, "asset_id": int, "vulnerability_id": int,
            "scanner": str, "plugin_id": str, "port": int, "protocol": str, "service": str,
            "status": str, "status_at": str, "severity": int, "severity_override": int,
            "cvss": float, "name": str, "host": str, "cves": str, "qod": int,
            "first_seen": str, "last_seen": str, "first_scan_id": int, "last_scan_id": int,
            "fixed_scan_id": int, "reopened_count": int,
        },
        pk="id",
        not_null={"asset_id", "vulnerability_id", "scanner", "plugin_id", "port", "protocol",
                  "status", "status_at", "severity", "name", "host", "first_seen",
                  "last_seen", "reopened_count"},
        defaults={"status": "open", "reopened_count": 0},
        foreign_keys=[("asset_id", "assets", "id"), ("vulnerability_id", "vulnerabilities", "id")],
    )
    db["findings"].create_index(
        ["asset_id", "scanner", "plugin_id", "port", "protocol"], unique=True
    )
    db["findings"].create_index(["vulnerability_id"])

    db["observations"].create(
        {"id": int, "finding_id": int, "scan_id": int, "seen_at": str,
         "plugin_output": str, "qod": int},
        pk="id",
        not_null={"finding_id", "scan_id", "seen_at"},
        foreign_keys=[("finding_id", "findings", "id"), ("scan_id", "scans", "id")],
    )
    db["observations"].create_index(["finding_id", "scan_id"], unique=True)
    db["observations"].create_index(["scan_id"])

    db["events"].create(
        {
            "id": int, "at": str, "actor": str, "entity": str, "entity_id": int,
            "action": str, "old": str, "new": str, "note": str, "scan_id": int,
        },
        pk="id",
        not_null={"at", "actor", "entity", "action"},
    )
    db["events"].create_index(["entity", "entity_id", "id"])
    db["events"].create_index(["at"])

    # The audit trail is append-only: SQLite itself rejects edits and deletions.
    for verb in ("UPDATE", "DELETE"):
        db.conn.execute(
            f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
            "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
        )
    for table, column, allowed in (("findings", "status", STATUSES), ("assets", "tier", TIERS)):
        values = ", ".join(f"'{value}'" for value in allowed)
        for verb in ("INSERT", "UPDATE"):
            db.conn.execute(
                f"CREATE TRIGGER {table}_{column}_check_{verb.lower()} BEFORE {verb} ON {table} "
                f"WHEN NEW.{column} NOT IN ({values}) "
                f"BEGIN SELECT RAISE(ABORT, 'invalid {column}'); END"
            )
