"""The overdue review: decisions, their events and errors, and ``findings --overdue``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from patchtui.cli import main
from patchtui.errors import InputError, NotFoundError
from patchtui.store.findings import iter_findings
from patchtui.triage.explain import due_reasons
from patchtui.triage.overdue import overdue_filter, review_overdue
from patchtui.triage.status import set_status
from tests.policy.conftest import events, finding
from tests.reports import Host, Item, day


@pytest.fixture
def overdue(db, scan):
    """At 2026-12-01 09:00: 1001 (high, due 11-03) and 1002 (medium, due 11-15) are overdue,
    1003 (low, due 12-01 02:00) too, 1004 (info) has no due date."""
    scan([Host("10.0.0.1", [Item("1001", severity=3), Item("1002", severity=2),
                            Item("1003", severity=1), Item("1004", severity=0)])], day(1))
    return db


def ids(db, *plugins: str) -> list[int]:
    return [finding(db, plugin)["id"] for plugin in plugins]


def test_overdue_filter_lists_past_due(overdue, clock):
    listed = [row["plugin_id"] for row in iter_findings(overdue, overdue_filter(clock()),
                                                        "f.due_at, f.id")]

    assert listed == ["1001", "1002", "1003"]


def test_keep_sets_target_and_records_event(overdue, clock):
    result = review_overdue(overdue, ids(overdue, "1001"), "keep", "vendor patch due Friday",
                            target="2026-12-12", clock=clock, actor="alice")

    row = finding(overdue, "1001")
    recorded = events(overdue, "finding", "overdue_review")
    assert result.target_at == "2026-12-12T23:59:59Z"
    assert row["due_at"] == "2026-12-12T23:59:59Z"
    assert row["reviewed_at"] == "2026-12-01T09:00:00Z"
    assert [(e["entity_id"], e["actor"], e["old"], e["new"], e["note"]) for e in recorded] == [
        (row["id"], "alice", "2026-11-03T02:00:00Z", "keep until 2026-12-12T23:59:59Z",
         "vendor patch due Friday")]
    assert "  target set in an overdue review: 2026-12-12 23:59 UTC" in due_reasons(
        overdue, row["id"], clock())


def test_keep_with_relative_target(overdue, clock):
    review_overdue(overdue, ids(overdue, "1001", "1002"), "keep", "waiting for the window",
                   target="14d", clock=clock)

    assert finding(overdue, "1001")["due_at"] == "2026-12-15T09:00:00Z"
    assert finding(overdue, "1002")["due_at"] == "2026-12-15T09:00:00Z"


def test_target_passes_then_overdue_again(overdue, clock):
    review_overdue(overdue, ids(overdue, "1001"), "keep", "next window", target="2026-12-05",
                   clock=clock)
    clock.now = datetime(2026, 12, 6, tzinfo=UTC)

    review_overdue(overdue, ids(overdue, "1001"), "exception", "legacy controller", clock=clock)

    assert [e["old"] for e in events(overdue, "finding", "overdue_review")] == [
        "2026-11-03T02:00:00Z", "2026-12-05T23:59:59Z"]


def test_exception_records_decision_only(overdue, clock):
    review_overdue(overdue, ids(overdue, "1002"), "exception", "cannot patch the PLC", clock=clock)

    row = finding(overdue, "1002")
    assert (row["status"], row["due_at"]) == ("open", "2026-11-15T02:00:00Z")
    assert events(overdue, "finding", "overdue_review")[0]["new"] == "exception"


def test_false_positive_changes_status(overdue, clock):
    review_overdue(overdue, ids(overdue, "1003"), "false_positive", "backport applied",
                   clock=clock, actor="bob")

    row = finding(overdue, "1003")
    assert (row["status"], row["due_at"], row["reviewed_at"]) == (
        "false_positive", None, "2026-12-01T09:00:00Z")
    status_event = events(overdue, "finding", "status")[-1]
    assert (status_event["new"], status_event["note"]) == ("false_positive",
                                                          "overdue review: backport applied")


def test_target_cleared_when_reopened(overdue, scan, clock):
    review_overdue(overdue, ids(overdue, "1001"), "keep", "window", target="2026-12-20", clock=clock)
    set_status(overdue, ids(overdue, "1001"), "patched", clock=clock)

    scan([Host("10.0.0.1", [Item("1001", severity=3), Item("1002", severity=2)])],
         datetime(2026, 12, 2, tzinfo=UTC))

    row = finding(overdue, "1001")
    assert (row["status"], row["target_at"]) == ("open", None)
    assert row["due_at"] == "2026-12-04T00:00:00Z"


REJECTED = [
    (["1001"], "postpone", "x", None, InputError, "invalid decision 'postpone'"),
    (["1001"], "keep", "  ", "2026-12-12", InputError, "a review needs a note"),
    (["1001"], "keep", "why", None, InputError, "needs a new target date"),
    (["1001"], "keep", "why", "2026-11-30", InputError, "is not in the future"),
    (["1001"], "keep", "why", "2027-06-01", InputError, "more than 90 days away"),
    (["1001"], "keep", "why", "next week", InputError, "invalid target 'next week'"),
    (["1001"], "keep", "why", "2026-02-30", InputError, "invalid target date '2026-02-30'"),
    (["1001"], "exception", "why", "2026-12-12", InputError, "goes with the decision 'keep' only"),
    (["1004"], "exception", "why", None, InputError, "is not overdue"),
    ([], "exception", "why", None, NotFoundError, "no finding with id 999"),
]


@pytest.mark.parametrize(("plugins", "decision", "note", "target", "error", "message"), REJECTED)
def test_rejected_review_writes_nothing(overdue, clock, plugins, decision, note, target, error,
                                        message):
    finding_ids = ids(overdue, *plugins) or [999]
    before = overdue.execute("SELECT count(*) FROM events").fetchone()[0]

    with pytest.raises(error, match=message):
        review_overdue(overdue, finding_ids, decision, note, target=target, clock=clock)

    assert overdue.execute("SELECT count(*) FROM events").fetchone()[0] == before
    assert finding(overdue, "1001")["reviewed_at"] is None


def test_cli_lists_overdue_for_scripts(tmp_path):
    # Scans from 2020 are overdue whatever the machine's clock says.
    from tests.reports import write_nessus

    report = write_nessus(tmp_path, "old.nessus", [Host("10.0.0.1", [
        Item("1001", severity=3), Item("1002", severity=2), Item("1004", severity=0)])],
        datetime(2020, 3, 2, tzinfo=UTC))
    runner = CliRunner()
    db_file = str(tmp_path / "cli.db")
    runner.invoke(main, ["--db", db_file, "import", str(report)])

    listed = runner.invoke(main, ["--db", db_file, "findings", "--overdue", "--json"])
    table = runner.invoke(main, ["--db", db_file, "findings", "--overdue"])

    rows = json.loads(listed.output)
    assert [(row["plugin_id"], row["due_at"]) for row in rows] == [
        ("1001", "2020-03-04T00:00:00Z"), ("1002", "2020-03-16T00:00:00Z")]
    assert "2020-03-04" in table.output
    assert table.output.rstrip().endswith("2 findings")
