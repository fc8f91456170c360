"""``patchtui mark``: set findings' status from scripts."""

from __future__ import annotations

from pathlib import Path

import click

from patchtui.commands.common import command_clock, db_option, echo_json, fail, open_database, plural
from patchtui.errors import InputError, NotFoundError
from patchtui.triage.status import ADMIN_STATUSES, set_status


@click.command("mark")
@click.argument("status", type=click.Choice(ADMIN_STATUSES))
@click.argument("finding_ids", nargs=-1, required=True, type=int, metavar="ID...")
@click.option("--note", help="Why; required for false_positive.")
@click.option("--json", "as_json", is_flag=True, help='Print {"changed": N, "ids": [...]}.')
@db_option
def mark_command(status: str, finding_ids: tuple[int, ...], note: str | None, as_json: bool,
                 db_path: Path | None) -> None:
    """Set the status of findings, with a note; each change is an event.

    Findings already in STATUS are left as they are. fixed comes only from a
    rescan and accepted only from an exception.

    Example: patchtui mark false_positive 812 --note "banner only, version is patched"
    """
    db = open_database(db_path)
    try:
        changed = set_status(db, list(finding_ids), status, note, clock=command_clock())
    except (InputError, NotFoundError) as err:
        fail(str(err))
        return
    if as_json:
        echo_json({"changed": changed, "ids": list(finding_ids)})
    else:
        click.echo(f"{plural(changed, 'finding')} marked {status}")
        unchanged = len(set(finding_ids)) - changed
        if unchanged:
            click.echo(f"{plural(unchanged, 'finding')} left unchanged: already {status}, "
                       "or kept accepted by an active exception")
