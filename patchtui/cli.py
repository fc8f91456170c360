"""The ``patchtui`` command."""

from __future__ import annotations

from pathlib import Path

import click

from patchtui import __version__
from patchtui.commands.backup import backup_command
from patchtui.commands.enrich import enrich_command
from patchtui.commands.exceptions import exception_group, exceptions_command
from patchtui.commands.findings import findings_command
from patchtui.commands.importing import import_command
from patchtui.commands.mark import mark_command
from patchtui.commands.policy import policy_group
from patchtui.commands.scans import scans_command
from patchtui.commands.tasks import task_group, tasks_command
from patchtui.commands.tui import demo_command
from patchtui.paths import DB_ENV


@click.group(invoke_without_command=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              envvar=DB_ENV, help=f"Database file (default: ${DB_ENV} or the user data directory).")
@click.version_option(__version__, prog_name="patchtui")
@click.pass_context
def main(context: click.Context, db_path: Path | None) -> None:
    """Triage scanner findings and track patch work in a local SQLite record.

    Run without a command to open the terminal interface.
    """
    context.ensure_object(dict)["db_path"] = db_path
    if context.invoked_subcommand is None:
        from patchtui.commands.tui import run_tui

        run_tui(db_path)


main.add_command(import_command)
main.add_command(findings_command)
main.add_command(backup_command)
main.add_command(exceptions_command)
main.add_command(exception_group)
main.add_command(tasks_command)
main.add_command(task_group)
main.add_command(policy_group)
main.add_command(enrich_command)
main.add_command(scans_command)
main.add_command(mark_command)
main.add_command(demo_command)
