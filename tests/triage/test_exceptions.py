"""Risk exceptions: scope, coverage of later scans, revoke, extend and expiry."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from patchtui.errors import InputError, NotFoundError
from patchtui.store import open_db
from patchtui.store.events import events_for
from patchtui.store.exceptions import covering, review_flags
from patchtui.triage import exceptions as ex
from patchtui.triage.policy import load_policy, save_policy
from tests.rounds import (
    DB,
    HMI,
    MS17_010,
    PHP,
    SMB_SIGNING,
    SWEET32,
    TRACEROUTE,
    WEB,
    finding_id,
    import_round,
    new_db,
    start_clock,
    status_of,
)


def draft(expires: str = "2026-04-30", **changes: str) -> ex.ExceptionDraft:
    values = {"title": "Legacy HMI", "risk_note": "The vendor forbids patches on the HMI.",
              "residual_risk": "medium", "approved_by": "J. Doe", "expires": expires,
              "controls": "Isolated VLAN, no internet"}
    values.update(changes)
    return ex.ExceptionDraft(**values)


@pytest.fixture
def clock():
    return start_clock()


@pytest.fixture
def db(tmp_path, clock):
    database = new_db(tmp_path, clock)
    import_round(database, 1, clock)
    return database


def counts(db) -> tuple[int, int, int]:
    return (db.execute("SELECT count(*) FROM exceptions").fetchone()[0],
            db.execute("SELECT count(*) FROM events").fetchone()[0],
            db.execute("SELECT count(*) FROM findings WHERE status = 'accepted'").fetchone()[0])


def test_chosen_findings_become_accepted(db, clock):
    chosen = [finding_id(db, HMI, MS17_010), finding_id(db, HMI, PHP)]

    outcome = ex.create_exception(db, draft(), ex.Scope("findings", finding_ids=tuple(chosen)),
                                  clock=clock, actor="alice")

    assert outcome.changed == 2
    assert status_of(db, HMI, MS17_010) == "accepted"
    assert status_of(db, HMI, PHP) == "accepted"
    assert status_of(db, HMI, TRACEROUTE) == "open"
    assert covering(db, chosen) == {chosen[0]: [outcome.exception_id],
                                    chosen[1]: [outcome.exception_id]}
    row = ex.list_exceptions(db, clock=clock)[0]
    assert row["requested_by"] == "alice"
    assert row["created_at"] == "2026-03-03T08:00:00Z"
    assert (row["linked"], row["covered"], row["view_state"]) == (2, 2, "active")


def test_exception_events_record_who_and_why(db, clock):
    chosen = finding_id(db, HMI, PHP)
    outcome = ex.create_exception(db, draft(), ex.Scope("findings", finding_ids=(chosen,)),
                                  clock=clock, actor="alice")

    created = events_for(db, "exception", outcome.exception_id)
    status = events_for(db, "finding", chosen)

    assert [(e["actor"], e["action"], e["new"]) for e in created] == [
        ("alice", "create", "Legacy HMI")]
    assert [(e["at"], e["old"], e["new"], e["note"]) for e in status] == [
        ("2026-03-03T08:00:00Z", "open", "accepted", f"covered by exception {outcome.exception_id}")]


@pytest.mark.parametrize("scope", [
    ex.Scope("vulnerability", scanner="nessus", plugin_id=MS17_010),
    ex.Scope("vulnerability", scanner="nessus", plugin_id=MS17_010, hosts=("db01",)),
    ex.Scope("asset", hosts=(DB,)),
], ids=["check-everywhere", "check-on-asset", "whole-asset"])
def test_rule_covers_finding_from_later_scan(db, clock, scope):
    outcome = ex.create_exception(db, draft(), scope, clock=clock)

    summary = import_round(db, 2, clock)

    new_id = finding_id(db, DB, MS17_010)
    assert status_of(db, DB, MS17_010) == "accepted"
    assert covering(db, [new_id]) == {new_id: [outcome.exception_id]}
    events = events_for(db, "finding", new_id)
    assert [(e["old"], e["new"], e["scan_id"]) for e in events] == [
        ("open", "accepted", summary.scan_id)]


def test_rule_on_other_asset_leaves_new_finding_open(db, clock):
    ex.create_exception(db, draft(), ex.Scope("vulnerability", scanner="nessus",
                                               plugin_id=MS17_010, hosts=(WEB, HMI)), clock=clock)

    import_round(db, 2, clock)

    assert status_of(db, DB, MS17_010) == "open"
    assert status_of(db, HMI, MS17_010) == "accepted"


def test_chosen_scope_ignores_later_findings(db, clock):
    ex.create_exception(db, draft(), ex.Scope("findings", finding_ids=(finding_id(db, HMI, MS17_010),)),
                        clock=clock)

    import_round(db, 2, clock)

    assert status_of(db, DB, MS17_010) == "open"


def test_asset_rule_accepts_every_finding_on_it(db, clock):
    outcome = ex.create_exception(db, draft(), ex.Scope("asset", hosts=("hmi01.example.test",)),
                                  clock=clock)

    assert outcome.changed == 3
    assert [status_of(db, HMI, p) for p in (TRACEROUTE, MS17_010, PHP)] == ["accepted"] * 3
    assert status_of(db, WEB, MS17_010) == "open"


@pytest.mark.parametrize("expires, message", [
    ("2026-03-02", "the expiry date 2026-03-02 is in the past"),
    ("2026-06-02", "more than 90 days away"),
    ("03/30/2026", "invalid expiry date '03/30/2026'"),
])
def test_bad_expiry_changes_nothing(db, clock, expires, message):
    before = counts(db)

    with pytest.raises(InputError, match=message):
        ex.create_exception(db, draft(expires), ex.Scope("asset", hosts=(HMI,)), clock=clock)

    assert counts(db) == before


def test_expiry_limits_are_inclusive(db, clock):
    today = ex.create_exception(db, draft("2026-03-03"), ex.Scope("asset", hosts=(HMI,)),
                                clock=clock)
    cap = ex.create_exception(db, draft("2026-06-01"), ex.Scope("asset", hosts=(WEB,)),
                              clock=clock)

    states = {row["id"]: row["view_state"] for row in ex.list_exceptions(db, clock=clock)}
    assert states == {today.exception_id: "expiring", cap.exception_id: "active"}


@pytest.mark.parametrize("changes, scope, error, message", [
    ({"risk_note": "  "}, ex.Scope("asset", hosts=(HMI,)), InputError, "a risk note"),
    ({"approved_by": ""}, ex.Scope("asset", hosts=(HMI,)), InputError, "approved"),
    ({"title": ""}, ex.Scope("asset", hosts=(HMI,)), InputError, "a title"),
    ({"residual_risk": "none"}, ex.Scope("asset", hosts=(HMI,)), InputError, "residual risk"),
    ({}, ex.Scope("findings", finding_ids=(999,)), NotFoundError, "no finding with id 999"),
    ({}, ex.Scope("findings"), InputError, "at least one finding"),
    ({}, ex.Scope("asset", hosts=("nas01",)), NotFoundError, "'nas01'"),
    ({}, ex.Scope("asset"), InputError, "at least one asset"),
])
def test_bad_input_changes_nothing(db, clock, changes, scope, error, message):
    before = counts(db)

    with pytest.raises(error, match=message):
        ex.create_exception(db, draft(**changes), scope, clock=clock)

    assert counts(db) == before


def test_fixed_finding_cannot_be_chosen(db, clock):
    import_round(db, 2, clock)
    fixed = finding_id(db, WEB, MS17_010)

    with pytest.raises(InputError, match=f"finding {fixed} is fixed"):
        ex.create_exception(db, draft(), ex.Scope("findings", finding_ids=(fixed,)), clock=clock)


def test_rule_matching_nothing_is_kept_with_warning(db, clock):
    outcome = ex.create_exception(db, draft(), ex.Scope("vulnerability", scanner="openvas",
                                                        plugin_id="1.3.6.1.4.1.25623.1.0.1"),
                                  clock=clock)

    assert outcome.changed == 0
    assert outcome.warnings == ["no imported scan has reported openvas:1.3.6.1.4.1.25623.1.0.1 "
                                "yet; the rule covers it when a later scan does"]
    assert [row["id"] for row in ex.list_exceptions(db, clock=clock)] == [outcome.exception_id]


def test_known_check_without_open_findings_warns(db, clock):
    import_round(db, 2, clock)

    outcome = ex.create_exception(db, draft(), ex.Scope(
        "vulnerability", scanner="nessus", plugin_id=SWEET32, hosts=(DB,)), clock=clock)

    assert outcome.warnings == ["the rule matches no open finding now; it covers matching "
                                "findings that later scans bring in"]


def test_revoke_reopens_findings(db, clock):
    outcome = ex.create_exception(db, draft(), ex.Scope("asset", hosts=(HMI,)), clock=clock)
    clock.advance(days=2)

    revoked = ex.revoke_exception(db, outcome.exception_id, "vendor shipped a fix", clock=clock,
                                  actor="bob")

    assert revoked.changed == 3
    assert [status_of(db, HMI, p) for p in (TRACEROUTE, MS17_010, PHP)] == ["open"] * 3
    row = ex.list_exceptions(db, clock=clock)[0]
    assert (row["state"], row["state_at"], row["covered"]) == ("revoked", "2026-03-05T08:00:00Z", 0)
    last = events_for(db, "exception", outcome.exception_id)[-1]
    assert (last["actor"], last["action"], last["old"], last["new"], last["note"]) == (
        "bob", "revoke", "active", "revoked", "vendor shipped a fix")
    assert review_flags(db) == {}


def test_revoked_exception_cannot_change_again(db, clock):
    outcome = ex.create_exception(db, draft(), ex.Scope("asset", hosts=(HMI,)), clock=clock)
    ex.revoke_exception(db, outcome.exception_id, "vendor fix", clock=clock)

    with pytest.raises(InputError, match="already revoked"):
        ex.revoke_exception(db, outcome.exception_id, "again", clock=clock)
    with pytest.raises(InputError, match="is revoked"):
        ex.extend_exception(db, outcome.exception_id, "2026-04-30", "again", clock=clock)


def test_revoke_keeps_finding_under_other_exception(db, clock):
    broad = ex.create_exception(db, draft(), ex.Scope("vulnerability", scanner="nessus",
                                                      plugin_id=MS17_010), clock=clock)
    narrow = ex.create_exception(db, draft(), ex.Scope("asset", hosts=(HMI,)), clock=clock)

    ex.revoke_exception(db, broad.exception_id, "the broad rule was too wide", clock=clock)

    hmi = finding_id(db, HMI, MS17_010)
    assert status_of(db, HMI, MS17_010) == "accepted"
    assert covering(db, [hmi]) == {hmi: [narrow.exception_id]}
    assert status_of(db, WEB, MS17_010) == "open"


def test_expiry_on_open_reopens_and_flags(tmp_path, db, clock):
    outcome = ex.create_exception(db, draft("2026-03-20"), ex.Scope("asset", hosts=(HMI,)),
                                  clock=clock)
    clock.set("2026-03-20T23:59:59")
    assert status_of(open_db(tmp_path / "patchtui.db", clock=clock), HMI, PHP) == "accepted"

    clock.set("2026-03-21T00:00:00")
    reopened = open_db(tmp_path / "patchtui.db", clock=clock)

    ids = [finding_id(reopened, HMI, p) for p in (TRACEROUTE, MS17_010, PHP)]
    assert [status_of(reopened, HMI, p) for p in (TRACEROUTE, MS17_010, PHP)] == ["open"] * 3
    assert review_flags(reopened) == {i: outcome.exception_id for i in ids}
    status_at = reopened.execute("SELECT status_at FROM findings WHERE id = ?", [ids[2]]).fetchone()
    assert status_at == ("2026-03-21T00:00:00Z",)
    row = ex.list_exceptions(reopened, clock=clock)[0]
    assert (row["state"], row["view_state"], row["covered"]) == ("expired", "expired", 0)


def test_listing_expires_without_reopening_db(db, clock):
    ex.create_exception(db, draft("2026-03-10"), ex.Scope("asset", hosts=(HMI,)), clock=clock)
    clock.set("2026-03-11T09:00:00")

    rows = ex.list_exceptions(db, clock=clock)

    assert rows[0]["state"] == "expired"
    assert status_of(db, HMI, PHP) == "open"


def test_extend_expired_covers_again(db, clock):
    outcome = ex.create_exception(db, draft("2026-03-10"), ex.Scope("asset", hosts=(HMI,)),
                                  clock=clock)
    clock.set("2026-03-12T09:00:00")
    ex.expire_due(db, clock=clock)

    extended = ex.extend_exception(db, outcome.exception_id, "2026-04-15", "vendor fix due in April",
                                   clock=clock, actor="carol")

    assert extended.changed == 3
    assert [status_of(db, HMI, p) for p in (TRACEROUTE, MS17_010, PHP)] == ["accepted"] * 3
    assert review_flags(db) == {}
    row = ex.list_exceptions(db, clock=clock)[0]
    assert (row["state"], row["expires_on"], row["covered"]) == ("active", "2026-04-15", 3)
    actions = [(e["action"], e["old"], e["new"]) for e in events_for(db, "exception", outcome.exception_id)]
    assert actions == [("create", None, "Legacy HMI"), ("expire", "active", "expired"),
                       ("extend", "2026-03-10", "2026-04-15"), ("state", "expired", "active")]


def test_extend_active_moves_date_only(db, clock):
    outcome = ex.create_exception(db, draft("2026-03-20"), ex.Scope("asset", hosts=(HMI,)),
                                  clock=clock)

    extended = ex.extend_exception(db, outcome.exception_id, "2026-05-30", "waiting on vendor",
                                   clock=clock)

    assert extended.changed == 0
    assert ex.list_exceptions(db, clock=clock)[0]["expires_on"] == "2026-05-30"


@pytest.mark.parametrize("expires, note, message", [
    ("2026-06-02", "later", "more than 90 days away"),
    ("2026-03-01", "later", "in the past"),
    ("2026-04-30", " ", "a note"),
])
def test_bad_extension_changes_nothing(db, clock, expires, note, message):
    outcome = ex.create_exception(db, draft("2026-03-20"), ex.Scope("asset", hosts=(HMI,)),
                                  clock=clock)
    before = counts(db)

    with pytest.raises(InputError, match=message):
        ex.extend_exception(db, outcome.exception_id, expires, note, clock=clock)

    assert counts(db) == before
    assert ex.list_exceptions(db, clock=clock)[0]["expires_on"] == "2026-03-20"


def test_revoke_needs_note(db, clock):
    outcome = ex.create_exception(db, draft(), ex.Scope("asset", hosts=(HMI,)), clock=clock)
    before = counts(db)

    with pytest.raises(InputError, match="a note saying why the exception is revoked is required"):
        ex.revoke_exception(db, outcome.exception_id, "  ", clock=clock)

    assert counts(db) == before
    assert ex.list_exceptions(db, clock=clock)[0]["state"] == "active"


def test_earlier_expiry_is_shortening(db, clock):
    outcome = ex.create_exception(db, draft("2026-04-30"), ex.Scope("asset", hosts=(HMI,)),
                                  clock=clock)

    shortened = ex.extend_exception(db, outcome.exception_id, "2026-03-31", "audit asked",
                                    clock=clock)

    assert ex.expiry_change(shortened) == (
        "shortened (expiry changed from 2026-04-30 to 2026-03-31)")
    last = events_for(db, "exception", outcome.exception_id)[-1]
    assert (last["action"], last["old"], last["new"]) == ("shorten", "2026-04-30", "2026-03-31")
    assert ex.list_exceptions(db, clock=clock)[0]["expires_on"] == "2026-03-31"


def test_same_expiry_rejected(db, clock):
    outcome = ex.create_exception(db, draft("2026-04-30"), ex.Scope("asset", hosts=(HMI,)),
                                  clock=clock)

    with pytest.raises(InputError, match="already expires on 2026-04-30"):
        ex.extend_exception(db, outcome.exception_id, "2026-04-30", "again", clock=clock)


def test_unknown_exception_not_found(db, clock):
    with pytest.raises(NotFoundError, match="no exception with id 42"):
        ex.revoke_exception(db, 42, "typo", clock=clock)


def test_import_after_expiry_expires_first(db, clock):
    ex.create_exception(db, draft("2026-03-08"), ex.Scope("vulnerability", scanner="nessus",
                                                          plugin_id=MS17_010), clock=clock)

    import_round(db, 2, clock)

    assert status_of(db, DB, MS17_010) == "open"
    assert status_of(db, HMI, MS17_010) == "open"
    assert review_flags(db) == {finding_id(db, HMI, MS17_010): 1}


def test_all_fixed_when_rescan_verifies(db, clock):
    outcome = ex.create_exception(db, draft(), ex.Scope("findings", finding_ids=(
        finding_id(db, WEB, MS17_010), finding_id(db, DB, SWEET32))), clock=clock)

    summary = import_round(db, 2, clock)

    row = ex.list_exceptions(db, clock=clock)[0]
    assert (row["linked"], row["fixed"], row["covered"], row["all_fixed"]) == (2, 2, 0, True)
    fixed = [(e["action"], e["new"], e["scan_id"])
             for e in events_for(db, "exception", outcome.exception_id) if e["action"] == "finding_fixed"]
    assert fixed == [("finding_fixed", str(finding_id(db, WEB, MS17_010)), summary.scan_id),
                     ("finding_fixed", str(finding_id(db, DB, SWEET32)), summary.scan_id)]


def test_reopened_covered_finding_accepted_again(db, clock):
    ex.create_exception(db, draft(), ex.Scope("findings", finding_ids=(
        finding_id(db, WEB, MS17_010),)), clock=clock)
    import_round(db, 2, clock)
    assert status_of(db, WEB, MS17_010) == "fixed"

    import_round(db, 3, clock)

    assert status_of(db, WEB, MS17_010) == "accepted"
    row = ex.list_exceptions(db, clock=clock)[0]
    assert (row["covered"], row["all_fixed"]) == (1, False)


def test_untouched_findings_keep_status(db, clock):
    ex.create_exception(db, draft(), ex.Scope("asset", hosts=(HMI,)), clock=clock)

    import_round(db, 2, clock)

    assert status_of(db, WEB, SWEET32) == "open"
    assert status_of(db, DB, SMB_SIGNING) == "open"


def test_exceptions_are_never_deleted(db, clock):
    ex.create_exception(db, draft(), ex.Scope("asset", hosts=(HMI,)), clock=clock)

    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        db.conn.execute("DELETE FROM exceptions")


def test_policy_sets_limit_and_window(db, clock):
    policy = load_policy(db)
    save_policy(db, replace(policy, exception_max=timedelta(days=30),
                            exception_expiring=timedelta(days=3)), clock=clock)

    with pytest.raises(InputError, match="more than 30 days away; the policy allows exceptions up "
                                         "to 2026-04-02"):
        ex.create_exception(db, draft("2026-04-03"), ex.Scope("asset", hosts=(HMI,)), clock=clock)
    soon = ex.create_exception(db, draft("2026-03-06"), ex.Scope("asset", hosts=(HMI,)), clock=clock)
    later = ex.create_exception(db, draft("2026-03-07"), ex.Scope("asset", hosts=(WEB,)), clock=clock)

    states = {row["id"]: row["view_state"] for row in ex.list_exceptions(db, clock=clock)}
    assert states == {soon.exception_id: "expiring", later.exception_id: "active"}


def test_scope_of_one_chosen_finding(db, clock):
    chosen = finding_id(db, HMI, PHP)
    ex.create_exception(db, draft(), ex.Scope("findings", finding_ids=(chosen,)), clock=clock)

    assert ex.describe_scope(ex.list_exceptions(db, clock=clock)[0]) == "the 1 chosen finding"
