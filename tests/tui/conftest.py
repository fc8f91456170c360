"""Fixtures for the TUI tests: databases built by importing small reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from patchtui.store import open_db
from patchtui.triage.importing import import_file
from tests.tui.helpers import ACTOR
from tests.tui.tui_reports import small_network, write_report


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    """A database holding the eleven findings of ``small_network()``."""
    db_path = tmp_path / "small.db"
    report = write_report(tmp_path / "small.nessus", small_network())
    db = open_db(db_path)
    import_file(db, report, actor=ACTOR)
    db.conn.close()
    return db_path
