"""Opening the database: schema version, migrations, concurrency, permissions."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from patchtui.errors import PatchtuiError, SchemaError
from patchtui.store import open_db
from patchtui.store.migrations import latest_version


def test_new_database_is_at_latest_version(tmp_path):
    db = open_db(tmp_path / "new.db")

    versions = [row[0] for row in db.execute("SELECT version FROM schema_migrations ORDER BY version")]

    assert versions[0] == 1
    assert versions[-1] == latest_version()


def test_reopening_applies_nothing(tmp_path):
    open_db(tmp_path / "a.db")
    db = open_db(tmp_path / "a.db")

    rows = db.execute("SELECT count(*), count(DISTINCT version) FROM schema_migrations").fetchone()

    assert rows[0] == rows[1]


def test_wal_and_busy_timeout(tmp_path):
    db = open_db(tmp_path / "a.db")

    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000


def test_reader_sees_committed_rows_during_write(tmp_path):
    path = tmp_path / "a.db"
    writer = open_db(path)
    writer.execute("INSERT INTO assets (key, first_seen, last_seen) VALUES ('10.0.0.1', 'x', 'x')")
    reader = sqlite3.connect(path)

    with writer.atomic():
        writer.conn.execute("INSERT INTO assets (key, first_seen, last_seen) VALUES ('10.0.0.2', 'x', 'x')")
        seen_during = reader.execute("SELECT count(*) FROM assets").fetchone()[0]

    assert seen_during == 1
    assert reader.execute("SELECT count(*) FROM assets").fetchone()[0] == 2


def test_file_is_owner_only(tmp_path):
    path = tmp_path / "sub" / "a.db"

    open_db(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_newer_schema_rejected(tmp_path):
    path = tmp_path / "a.db"
    db = open_db(path)
    db.execute("INSERT INTO schema_migrations VALUES (9999, 'from the future', 'x')")

    with pytest.raises(SchemaError, match="9999"):
        open_db(path)


def test_not_a_database_rejected(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")

    with pytest.raises(PatchtuiError, match="notes.db"):
        open_db(path)

    assert path.read_text(encoding="utf-8").startswith("these are my notes")


def test_event_log_is_append_only(tmp_path):
    db = open_db(tmp_path / "a.db")
    db.execute("INSERT INTO events (at, actor, entity, action) VALUES ('t', 'me', 'scan', 'import')")

    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE events SET actor = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM events")
