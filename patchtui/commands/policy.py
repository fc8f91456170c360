"""``patchtui policy``: show, export, import and review the patch policy."""

from __future__ import annotations

from pathlib import Path

import click

from patchtui.clock import system_clock, to_text
from patchtui.commands.common import db_option, fail, open_database, plural, safe
from patchtui.errors import InputError
from patchtui.store.policy import count_overdue, policy_updated
from patchtui.triage.enrich import LABELS, threat_status
from patchtui.triage.explain import policy_lines, when
from patchtui.triage.policy import load_policy, mark_reviewed
from patchtui.triage.policy_toml import import_policy_file, policy_to_toml


@click.group("policy")
def policy_group() -> None:
    """Show, export, import and review the patch policy (response times, exception limits,
    task checklist).

    Example: patchtui policy export policy.toml; edit it; patchtui policy import policy.toml
    """


@policy_group.command("show")
@db_option
def show_command(db_path: Path | None) -> None:
    """Print the policy, the threat data it uses and how many findings are overdue."""
    db = open_database(db_path)
    now = system_clock()
    policy = load_policy(db)
    updated = policy_updated(db)
    if updated:
        click.echo(f"Patch policy ({updated[2]} {when(updated[0])} by {safe(updated[1])})")
    click.echo()
    for line in policy_lines(policy, now.date()):
        click.echo(line)

    click.echo("Threat data:")
    loaded = {status.kind: status for status in threat_status(db, now)}
    for kind, label in LABELS.items():
        status = loaded.get(kind)
        click.echo(f"  {safe(status.describe()) if status else label + ': not loaded'}")
    overdue = count_overdue(db, to_text(now))
    click.echo(f"Overdue findings: {overdue}" + (" (patchtui findings --overdue)" if overdue else ""))


@policy_group.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@db_option
def export_command(file: Path | None, db_path: Path | None) -> None:
    """Write the policy as TOML to FILE (replacing it), or to standard output."""
    db = open_database(db_path)
    text = policy_to_toml(load_policy(db))
    if file is None:
        click.echo(text, nl=False)
        return
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as err:
        fail(f"{file}: cannot write the file: {err.strerror}")
    click.echo(f"wrote the policy to {file}")


@policy_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def import_command(file: Path, db_path: Path | None) -> None:
    """Replace the policy with FILE's (TOML) and recompute the due dates of findings.

    Settings the file leaves out take the built-in defaults. An invalid file
    changes nothing; the error names the key and the value.
    """
    db = open_database(db_path, create=True)
    try:
        change = import_policy_file(db, file)
    except InputError as err:
        fail(str(err))
        return
    if not change.changes:
        click.echo(f"{file}: the policy is unchanged")
        return
    click.echo(f"{file}: policy updated")
    for line in change.changes:
        click.echo(f"  {safe(line)}")
    click.echo(f"due dates changed for {plural(change.due_dates_changed, 'finding')}")


@policy_group.command("reviewed")
@click.option("--note", help="What the review found or changed.")
@db_option
def reviewed_command(note: str | None, db_path: Path | None) -> None:
    """Record that the policy was reviewed; the next review falls one interval later."""
    db = open_database(db_path)
    policy = mark_reviewed(db, note=note)
    click.echo(f"policy review recorded; next review due {policy.next_review.isoformat()}")

