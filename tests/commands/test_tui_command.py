"""``patchtui demo`` and the TUI entry point, without starting the terminal interface."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import patchtui
from patchtui.cli import main
from patchtui.commands import tui as tui_command


def test_sample_data_beside_package() -> None:
    expected = Path(patchtui.__file__).resolve().parents[1] / "sample_data"
    assert tui_command.sample_data_dir() == expected


def test_demo_without_sample_data(tmp_path: Path, monkeypatch) -> None:
    missing = tmp_path / "sample_data"
    monkeypatch.setattr(tui_command, "sample_data_dir", lambda: missing)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 1
    assert f"the demo needs the sample reports in {missing}, which is missing" in result.output


def test_demo_with_empty_sample_data(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tui_command, "sample_data_dir", lambda: tmp_path)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 1
    assert f"{tmp_path} contains no report files" in result.output
