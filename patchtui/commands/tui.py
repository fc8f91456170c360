"""Opening the terminal interface: on the admin's database, or on a throwaway demo database."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

import patchtui
from patchtui.commands.common import fail, resolve_db_path, safe
from patchtui.errors import ImportCancelled, PatchtuiError, ReportError


def run_tui(db_path: Path | None) -> None:
    """Open the TUI on the database."""
    from patchtui.tui.app import create_app

    try:
        app = create_app(resolve_db_path(db_path))
    except PatchtuiError as err:
        fail(str(err))
        return
    app.run()


def sample_data_dir() -> Path:
    """Return the repository's sample_data/ folder, which ships with the source, not the wheel."""
    return Path(patchtui.__file__).resolve().parents[1] / "sample_data"


@click.command("demo")
def demo_command() -> None:
    """Open the TUI on a throwaway database loaded from the repository's sample_data/.

    Every file in sample_data/ is imported, in name order; the database is
    deleted when the TUI closes.
    """
    from patchtui.store import open_db
    from patchtui.triage.importing import import_file
    from patchtui.tui.app import create_app

    folder = sample_data_dir()
    if not folder.is_dir():
        fail(f"the demo needs the sample reports in {folder}, which is missing: run 'patchtui demo' "
             "from a source checkout of patchtui (the folder is not part of the installed package)")
    files = sorted(path for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))
    if not files:
        fail(f"{folder} contains no report files")

    with tempfile.TemporaryDirectory(prefix="patchtui-demo-") as temporary:
        db_path = Path(temporary) / "demo.db"
        db = open_db(db_path)
        for path in files:
            try:
                summary = import_file(db, path)
            except (ReportError, ImportCancelled) as err:
                click.echo(f"skipped {safe(path.name)}: {safe(err)}", err=True)
                continue
            click.echo(f"imported {safe(path.name)}: {summary.findings} findings", err=True)
        db.conn.close()
        create_app(db_path).run()
