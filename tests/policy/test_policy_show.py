"""``patchtui policy show``: the header says who created, changed or reviewed the policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from click.testing import CliRunner

from patchtui.cli import main
from patchtui.triage.policy import load_policy, mark_reviewed, save_policy


def header(tmp_path) -> str:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "record.db"), "policy", "show"])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[0]


def test_header_created_then_changed(tmp_path, db, clock):
    created = header(tmp_path)

    policy = load_policy(db)
    save_policy(db, replace(policy, exception_max=timedelta(days=60)),
                clock=clock, actor="tester")
    changed = header(tmp_path)
    mark_reviewed(db, clock=clock, actor="auditor")
    reviewed = header(tmp_path)

    assert created.startswith("Patch policy (created ")
    assert changed.startswith("Patch policy (changed ")
    assert changed.endswith(" by tester)")
    assert reviewed.startswith("Patch policy (reviewed ")
    assert reviewed.endswith(" by auditor)")
