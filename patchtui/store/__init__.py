"""The SQLite record: schema, migrations and every query patchtui runs."""

from patchtui.store.db import open_db

__all__ = ["open_db"]
