"""Fixtures shared by every test module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

# CI runs the property tests on a fixed sequence of examples, so a run is
# repeatable; locally each run explores new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DATA = REPO / "sample_data"


def realfiles_dir() -> Path:
    """Return ../shared/realfiles beside the repository (public sample reports)."""
    return REPO.parent / "shared" / "realfiles"


def realfile(relative: str) -> Path:
    """Return one public sample report, skipping the test when the folder is absent."""
    path = realfiles_dir() / relative
    if not path.exists():
        pytest.skip(f"public sample reports not present: {path} (they live in ../shared/realfiles)")
    return path
