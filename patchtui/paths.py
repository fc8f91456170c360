"""Where the database lives."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

DB_ENV = "PATCHTUI_DB"
DB_FILE_NAME = "patchtui.db"


def _dirs() -> PlatformDirs:
    # roaming=False keeps a large database out of a roaming Windows profile.
    return PlatformDirs("patchtui", appauthor=False, roaming=False)


def default_db_path() -> Path:
    """Return the database path: $PATCHTUI_DB, else the user data directory."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return Path(_dirs().user_data_dir) / DB_FILE_NAME


def state_dir() -> Path:
    """Return the directory for logs and UI state."""
    return Path(_dirs().user_state_dir)
