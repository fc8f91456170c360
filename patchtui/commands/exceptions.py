"""``patchtui exceptions`` and ``patchtui exception add|show|extend|revoke``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from patchtui.commands.common import (
    command_clock,
    db_option,
    echo_json,
    fail,
    open_database,
    plural,
    safe,
)
from patchtui.errors import NotFoundError, PatchtuiError
from patchtui.importers.model import SEVERITIES
from patchtui.store import exceptions as store
from patchtui.store.events import events_for
from patchtui.store.migrations.m0004_exceptions_tasks import RESIDUAL_RISKS
from patchtui.triage import exceptions as rules


def exception_json(db: Database, row: dict[str, Any]) -> dict[str, Any]:
    """Shape one exception row from ``triage.exceptions.list_exceptions`` for ``--json``."""
    findings = store.linked_findings(db, row["id"])
    return {
        "id": row["id"],
        "title": row["title"],
        "state": row["state"],
        "view_state": row["view_state"],
        "expires": row["expires_on"],
        "days_left": row["days_left"],
        "risk_note": row["risk_note"],
        "controls": row["controls"],
        "residual_risk": row["residual_risk"],
        "requested_by": row["requested_by"],
        "approved_by": row["approved_by"],
        "created_at": row["created_at"],
        "state_at": row["state_at"],
        "scope": {
            "kind": row["scope"],
            "scanner": row["scanner"],
            "plugin_id": row["plugin_id"],
            "assets": row["assets"],
        },
        "findings": {
            "linked": row["linked"],
            "covered": row["covered"],
            "fixed": row["fixed"],
            "all_fixed": row["all_fixed"],
            "ids": [finding["id"] for finding in findings],
            "covered_ids": [f["id"] for f in findings
                            if f["status"] == "accepted" and f["released_at"] is None],
            "review_ids": [f["id"] for f in findings if f["review"]],
        },
    }


def _summary_line(row: dict[str, Any]) -> str:
    findings = f"{row['covered']} covered"
    if row["fixed"]:
        findings += f", {row['fixed']} fixed"
    if row["all_fixed"]:
        findings = f"all {row['linked']} fixed"
    left = str(row["days_left"]) if row["state"] == "active" else "-"
    what = f"{rules.describe_scope(row)}: {row['title']}"
    return (f"{row['id']:>4} {row['view_state']:<9} {row['expires_on']} {left:>4} "
            f"{row['residual_risk']:<6} {findings:<20} {safe(what)[:80]}")


def _one(db: Database, exception_id: int) -> dict[str, Any]:
    for row in rules.list_exceptions(db, clock=command_clock()):
        if row["id"] == exception_id:
            return row
    raise NotFoundError(f"no exception with id {exception_id}")


@click.command("exceptions")
@click.option("--state", "states", multiple=True, type=click.Choice(rules.STATES),
              help="Only exceptions in this state (repeat for several); expiring means active "
                   "and ending within the policy's warning time (14 days by default).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (see README).")
@db_option
def exceptions_command(states: tuple[str, ...], as_json: bool, db_path: Path | None) -> None:
    """List risk exceptions, soonest expiry first."""
    db = open_database(db_path)
    rows = rules.list_exceptions(db, clock=command_clock(), states=states)
    if as_json:
        echo_json([exception_json(db, row) for row in rows])
        return
    click.echo(f"{'ID':>4} {'STATE':<9} {'EXPIRES':<10} {'LEFT':>4} {'RISK':<6} "
               f"{'FINDINGS':<20} SCOPE: TITLE")
    for row in rows:
        click.echo(_summary_line(row))
    click.echo(f"{len(rows)} exception{'' if len(rows) == 1 else 's'}")


@click.group("exception")
def exception_group() -> None:
    """Record, extend and revoke one risk exception."""


def _report(db: Database, outcome: rules.Outcome, verb: str, as_json: bool) -> None:
    row = _one(db, outcome.exception_id)
    if as_json:
        echo_json({"ok": True, "exception": exception_json(db, row),
                   "changed": outcome.changed, "warnings": outcome.warnings})
        return
    changed = plural(outcome.changed, "finding")
    click.echo(f"exception {row['id']} {verb}: {rules.describe_scope(row)}, expires "
               f"{row['expires_on']}; {changed} changed status")
    for warning in outcome.warnings:
        click.echo(f"warning: {safe(warning)}", err=True)


def _scope(finding_ids: tuple[int, ...], plugin: str | None, hosts: tuple[str, ...]
           ) -> rules.Scope:
    if finding_ids and (plugin or hosts):
        raise click.UsageError("choose the findings with --finding, or a rule with --plugin "
                               "and/or --asset, not both")
    if finding_ids:
        return rules.Scope("findings", finding_ids=finding_ids)
    if plugin:
        scanner, plugin_id = rules.parse_plugin(plugin)
        return rules.Scope("vulnerability", scanner=scanner, plugin_id=plugin_id, hosts=hosts)
    if hosts:
        return rules.Scope("asset", hosts=hosts)
    raise click.UsageError("say what the exception covers: --finding ID, --plugin SCANNER:ID "
                           "[--asset HOST ...] or --asset HOST")


@exception_group.command("add")
@click.option("--title", required=True, help="Short name of the exception.")
@click.option("--risk-note", required=True, help="Why the risk is accepted.")
@click.option("--controls", help="Compensating controls in place.")
@click.option("--residual-risk", required=True, type=click.Choice(RESIDUAL_RISKS),
              help="Risk that remains with the controls in place.")
@click.option("--approved-by", required=True, help="Who approved the exception.")
@click.option("--requested-by", help="Who requested it (default: the OS user).")
@click.option("--expires", required=True, metavar="YYYY-MM-DD",
              help="Last day covered (UTC), at most the policy's maximum ahead (90 days by "
                   "default).")
@click.option("--finding", "finding_ids", multiple=True, type=int, metavar="ID",
              help="Cover this finding (repeat for several).")
@click.option("--plugin", metavar="SCANNER:ID",
              help="Cover this check (nessus:97833), on the --asset hosts or everywhere, "
                   "including findings later scans bring in.")
@click.option("--asset", "hosts", multiple=True, metavar="HOST",
              help="With --plugin: only on this asset; alone: everything on this asset. "
                   "IP address or host name, repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (see README).")
@db_option
def add_command(title: str, risk_note: str, controls: str | None, residual_risk: str,
                approved_by: str, requested_by: str | None, expires: str,
                finding_ids: tuple[int, ...], plugin: str | None, hosts: tuple[str, ...],
                as_json: bool, db_path: Path | None) -> None:
    """Record a risk exception; the findings it covers become accepted.

    Example: patchtui exception add --title "HMI vendor lock" --risk-note "vendor
    forbids patching" --residual-risk medium --approved-by "J. Doe" --expires
    2027-03-31 --asset hmi01
    """
    db = open_database(db_path)
    draft = rules.ExceptionDraft(title=title, risk_note=risk_note, residual_risk=residual_risk,
                                 approved_by=approved_by, expires=expires, controls=controls,
                                 requested_by=requested_by)
    try:
        scope = _scope(finding_ids, plugin, hosts)
        outcome = rules.create_exception(db, draft, scope, clock=command_clock())
    except PatchtuiError as err:
        fail(str(err))
        return
    _report(db, outcome, "recorded", as_json)


@exception_group.command("extend")
@click.argument("exception_id", type=int, metavar="ID")
@click.option("--expires", required=True, metavar="YYYY-MM-DD", help="New last day covered (UTC).")
@click.option("--note", required=True, help="Why the expiry date changes.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (see README).")
@db_option
def extend_command(exception_id: int, expires: str, note: str, as_json: bool,
                   db_path: Path | None) -> None:
    """Give an exception a new expiry date, later or earlier; an expired one covers its
    findings again."""
    db = open_database(db_path)
    try:
        outcome = rules.extend_exception(db, exception_id, expires, note, clock=command_clock())
    except PatchtuiError as err:
        fail(str(err))
        return
    _report(db, outcome, rules.expiry_change(outcome), as_json)


@exception_group.command("revoke")
@click.argument("exception_id", type=int, metavar="ID")
@click.option("--note", required=True, help="Why the exception is revoked.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (see README).")
@db_option
def revoke_command(exception_id: int, note: str, as_json: bool,
                   db_path: Path | None) -> None:
    """Revoke an exception; the findings it covered go back to open."""
    db = open_database(db_path)
    try:
        outcome = rules.revoke_exception(db, exception_id, note, clock=command_clock())
    except PatchtuiError as err:
        fail(str(err))
        return
    _report(db, outcome, "revoked", as_json)


@exception_group.command("show")
@click.argument("exception_id", type=int, metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the exception as JSON (see README).")
@db_option
def show_command(exception_id: int, as_json: bool, db_path: Path | None) -> None:
    """Show one exception with its findings and history."""
    db = open_database(db_path)
    try:
        row = _one(db, exception_id)
    except PatchtuiError as err:
        fail(str(err))
        return
    findings = store.linked_findings(db, exception_id)
    events = events_for(db, "exception", exception_id)
    if as_json:
        shaped = exception_json(db, row)
        shaped["finding_list"] = [_finding_json(finding) for finding in findings]
        shaped["events"] = events
        echo_json(shaped)
        return
    for line in _detail_lines(row, findings, events):
        click.echo(line)


def _finding_json(finding: dict[str, Any]) -> dict[str, Any]:
    return {"id": finding["id"], "host": finding["host"], "scanner": finding["scanner"],
            "plugin_id": finding["plugin_id"], "name": finding["name"], "port": finding["port"],
            "protocol": finding["protocol"], "severity": SEVERITIES[finding["severity"]],
            "status": finding["status"], "via": finding["via"],
            "released": finding["released_reason"], "review": bool(finding["review"])}


def _left(row: dict[str, Any]) -> str:
    if row["state"] != "active":
        return ""
    return f" ({plural(row['days_left'], 'day')} left)"


def _detail_lines(row: dict[str, Any], findings: list[dict[str, Any]],
                  events: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"exception {row['id']}: {safe(row['title'])} ({row['view_state']})",
        f"  covers:        {safe(rules.describe_scope(row))}",
        f"  expires:       {row['expires_on']}{_left(row)}",
        f"  residual risk: {row['residual_risk']}",
        f"  requested by:  {safe(row['requested_by'])}, approved by {safe(row['approved_by'])}",
        f"  created:       {row['created_at']}",
        f"  risk note:     {safe(row['risk_note'])}",
        f"  controls:      {safe(row['controls'] or '-')}",
    ]
    if row["all_fixed"]:
        if row["linked"] == 1:
            lines.append("  its one finding has been verified fixed")
        else:
            lines.append(f"  every one of its {row['linked']} findings has been verified fixed")
    lines.append("findings:")
    for finding in findings:
        released = f" ({finding['released_reason']})" if finding["released_reason"] else ""
        if finding["review"]:
            released += ", flagged for review"
        lines.append(f"  {finding['id']:>6} {finding['status']:<14} {safe(finding['host']):<16} "
                     f"{finding['scanner']}:{finding['plugin_id']} {safe(finding['name'])[:50]}"
                     f"{released}")
    lines.append("history:")
    for event in events:
        change = f"{event['old'] or ''} -> {event['new'] or ''}" if event["old"] else (
            event["new"] or "")
        note = f" ({safe(event['note'])})" if event["note"] else ""
        lines.append(f"  {event['at']} {safe(event['actor'])} {event['action']} "
                     f"{safe(change)}{note}")
    return lines
