"""Manual status changes, and how they treat findings an exception covers."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from patchtui.cli import main
from patchtui.errors import InputError
from patchtui.triage import exceptions as ex
from patchtui.triage.status import set_status
from tests.rounds import HMI, MS17_010, PHP, finding_id, import_round, new_db, start_clock, status_of


@pytest.fixture
def clock():
    return start_clock()


@pytest.fixture
def db(tmp_path, clock):
    database = new_db(tmp_path, clock)
    import_round(database, 1, clock)
    return database


def accept(db, clock, *finding_ids: int) -> int:
    draft = ex.ExceptionDraft(title="Legacy HMI", risk_note="The vendor forbids patches.",
                              residual_risk="medium", approved_by="J. Doe", expires="2026-04-30")
    outcome = ex.create_exception(db, draft, ex.Scope("findings", finding_ids=finding_ids),
                                  clock=clock, actor="alice")
    return outcome.exception_id


def status_events(db, finding_id: int) -> int:
    return db.execute("SELECT count(*) FROM events WHERE entity = 'finding' AND entity_id = ?"
                      " AND action = 'status'", [finding_id]).fetchone()[0]


@pytest.mark.parametrize("status", ["open", "in_progress", "false_positive"])
def test_covered_finding_rejects_change(db, clock, status):
    covered = finding_id(db, HMI, MS17_010)
    exception_id = accept(db, clock, covered)
    before = status_events(db, covered)

    with pytest.raises(InputError) as raised:
        set_status(db, [covered], status, "scanner misread", clock=clock)

    assert str(raised.value) == (f"finding {covered} is covered by exception {exception_id}: "
                                 "revoke the exception first, or leave the finding accepted "
                                 "until the exception expires")
    assert status_of(db, HMI, MS17_010) == "accepted"
    assert status_events(db, covered) == before


def test_covered_finding_in_batch_changes_nothing(db, clock):
    covered = finding_id(db, HMI, MS17_010)
    other = finding_id(db, HMI, PHP)
    exception_id = accept(db, clock, covered)

    with pytest.raises(InputError, match=f"finding {covered} is covered by exception "
                                         f"{exception_id}"):
        set_status(db, [other, covered], "in_progress", clock=clock)

    assert status_of(db, HMI, PHP) == "open"


def test_patched_keeps_covered_accepted(db, clock):
    covered = finding_id(db, HMI, MS17_010)
    other = finding_id(db, HMI, PHP)
    accept(db, clock, covered)

    changed = set_status(db, [covered, other], "patched", clock=clock)

    assert changed == 1
    assert status_of(db, HMI, MS17_010) == "accepted"
    assert status_of(db, HMI, PHP) == "patched"


def test_mark_command_names_exception(tmp_path, db, clock):
    covered = finding_id(db, HMI, MS17_010)
    exception_id = accept(db, clock, covered)

    result = CliRunner().invoke(main, ["--db", str(tmp_path / "patchtui.db"), "mark", "open",
                                       str(covered)], obj={"clock": clock})

    assert result.exit_code == 1
    assert result.stderr == (f"error: finding {covered} is covered by exception {exception_id}: "
                             "revoke the exception first, or leave the finding accepted until "
                             "the exception expires\n")
    assert status_of(db, HMI, MS17_010) == "accepted"
