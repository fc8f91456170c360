"""Risk exceptions, the findings and assets they cover, and manual patch tasks."""

from __future__ import annotations

from sqlite_utils import Database

VERSION = 4
DESCRIPTION = "risk exceptions and manual patch tasks with checklists"

EXCEPTION_STATES = ("active", "expired", "revoked")
RESIDUAL_RISKS = ("low", "medium", "high")
SCOPES = ("findings", "vulnerability", "asset")
LINK_SOURCES = ("chosen", "rule")
RELEASE_REASONS = ("revoked", "expired")


def apply(db: Database) -> None:
    _exceptions(db)
    _tasks(db)


def _exceptions(db: Database) -> None:
    # scope 'findings' covers the linked findings only; 'vulnerability' covers one
    # scanner check on the assets in exception_assets (on every asset when there
    # are none); 'asset' covers everything on the assets in exception_assets.
    db["exceptions"].create(
        {
            "id": int, "title": str, "risk_note": str, "controls": str, "residual_risk": str,
            "requested_by": str, "approved_by": str, "created_at": str, "expires_on": str,
            "state": str, "state_at": str, "scope": str, "scanner": str, "plugin_id": str,
        },
        pk="id",
        not_null={"title", "risk_note", "residual_risk", "requested_by", "approved_by",
                  "created_at", "expires_on", "state", "state_at", "scope"},
        defaults={"state": "active"},
    )
    db["exceptions"].create_index(["state", "expires_on"])
    db["exceptions"].create_index(["scanner", "plugin_id"])

    db["exception_assets"].create(
        {"exception_id": int, "asset_id": int},
        pk=("exception_id", "asset_id"),
        foreign_keys=[("exception_id", "exceptions", "id"), ("asset_id", "assets", "id")],
    )
    db["exception_assets"].create_index(["asset_id"])

    # One row per finding an exception has ever covered. released_at and
    # released_reason are set while the exception no longer covers it.
    db["exception_findings"].create(
        {"exception_id": int, "finding_id": int, "linked_at": str, "via": str,
         "released_at": str, "released_reason": str},
        pk=("exception_id", "finding_id"),
        not_null={"linked_at", "via"},
        foreign_keys=[("exception_id", "exceptions", "id"), ("finding_id", "findings", "id")],
    )
    db["exception_findings"].create_index(["finding_id"])

    _check(db, "exceptions", "state", EXCEPTION_STATES)
    _check(db, "exceptions", "residual_risk", RESIDUAL_RISKS)
    _check(db, "exceptions", "scope", SCOPES)
    _check(db, "exception_findings", "via", LINK_SOURCES)
    _forbid_delete(db, "exceptions")


def _tasks(db: Database) -> None:
    db["tasks"].create(
        {
            "id": int, "title": str, "description": str, "window_start": str,
            "window_end": str, "rollback_plan": str, "notes": str,
            "created_at": str, "created_by": str, "closed_at": str, "closed_by": str,
        },
        pk="id",
        not_null={"title", "created_at", "created_by"},
    )
    db["tasks"].create_index(["window_start"])

    # reopened_base is the finding's reopened_count when it was linked, so a
    # later reopening shows on the task.
    db["task_findings"].create(
        {"task_id": int, "finding_id": int, "linked_at": str, "reopened_base": int},
        pk=("task_id", "finding_id"),
        not_null={"linked_at", "reopened_base"},
        foreign_keys=[("task_id", "tasks", "id"), ("finding_id", "findings", "id")],
    )
    db["task_findings"].create_index(["finding_id"])

    db["task_assets"].create(
        {"task_id": int, "asset_id": int, "linked_at": str},
        pk=("task_id", "asset_id"),
        not_null={"linked_at"},
        foreign_keys=[("task_id", "tasks", "id"), ("asset_id", "assets", "id")],
    )

    # number is the step's label within its task; it is never reused, so a
    # removed step keeps its number and scripts can rely on it.
    db["task_steps"].create(
        {"id": int, "task_id": int, "number": int, "title": str, "note": str,
         "ticked_at": str, "ticked_by": str, "removed": int, "removed_at": str},
        pk="id",
        not_null={"task_id", "number", "title", "removed"},
        defaults={"removed": 0},
        foreign_keys=[("task_id", "tasks", "id")],
    )
    db["task_steps"].create_index(["task_id", "number"], unique=True)

    for table in ("tasks", "task_steps", "task_findings", "task_assets",
                  "exception_assets", "exception_findings"):
        _forbid_delete(db, table)


def _check(db: Database, table: str, column: str, allowed: tuple[str, ...]) -> None:
    values = ", ".join(f"'{value}'" for value in allowed)
    for verb in ("INSERT", "UPDATE"):
        db.conn.execute(
            f"CREATE TRIGGER {table}_{column}_check_{verb.lower()} BEFORE {verb} ON {table} "
            f"WHEN NEW.{column} NOT IN ({values}) "
            f"BEGIN SELECT RAISE(ABORT, 'invalid {column}'); END"
        )


def _forbid_delete(db: Database, table: str) -> None:
    # Exceptions are revoked and tasks closed, never deleted: the record must
    # still show what was accepted and what was done.
    db.conn.execute(
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END"
    )
