"""The exceptions area driven by keys: record from the findings view, extend, revoke, expire."""

from __future__ import annotations

from textual.widgets import Input

from patchtui.store.events import events_for
from patchtui.tui.app import create_app
from patchtui.tui.exception_dialogs import ExceptionForm, ExtendDialog, RevokeDialog
from patchtui.tui.exceptions import ExceptionDetailScreen, ExceptionsScreen
from patchtui.tui.long_text import LongText
from tests.rounds import DB, HMI, MS17_010, PHP, WEB, finding_id, import_round, start_clock, status_of
from tests.tui_steps import SIZE, fill_exception, fresh, prepared, select, table_rows, type_text


async def test_exception_from_selection(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    db = fresh(db_path, clock)
    chosen = {finding_id(db, HMI, MS17_010), finding_id(db, HMI, PHP)}
    app = create_app(db_path, clock=clock, actor="alice")

    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, app, chosen)
        await pilot.press("e")
        await fill_exception(pilot, app, title="Legacy HMI", expires="2026-04-30")
        await pilot.press("ctrl+s")
        await pilot.pause()

        assert not isinstance(app.screen, ExceptionForm)
        assert app.screen.table.selected == set()

    check = fresh(db_path, clock)
    assert status_of(check, HMI, MS17_010) == "accepted"
    assert status_of(check, HMI, PHP) == "accepted"
    row = check.execute("SELECT title, risk_note, controls, approved_by, requested_by, expires_on,"
                        " residual_risk, scope FROM exceptions").fetchall()
    assert row == [("Legacy HMI", "Vendor forbids patches", "Isolated VLAN", "J. Doe", "alice",
                    "2026-04-30", "medium", "findings")]


async def test_rule_scope_from_selection(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    db = fresh(db_path, clock)
    chosen = {finding_id(db, HMI, MS17_010)}
    app = create_app(db_path, clock=clock)

    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, app, chosen)
        await pilot.press("e")
        labels = [str(choice.label) for choice in app.screen.choices]
        await fill_exception(pilot, app, title="SMBv1 everywhere", expires="2026-04-30",
                             scope_downs=2)
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert labels == ["only the 1 chosen finding",
                      "nessus:97833 on 10.0.0.7, also in later scans",
                      "nessus:97833 on every asset, also in later scans",
                      "everything on 10.0.0.7, also in later scans"]
    check = fresh(db_path, clock)
    assert status_of(check, WEB, MS17_010) == "accepted"
    import_round(check, 2, clock)
    assert status_of(check, DB, MS17_010) == "accepted"


async def test_bad_expiry_shows_error(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    db = fresh(db_path, clock)
    app = create_app(db_path, clock=clock)

    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, app, {finding_id(db, HMI, PHP)})
        await pilot.press("e")
        await fill_exception(pilot, app, title="Too long", expires="2026-07-01")
        await pilot.press("ctrl+s")
        await pilot.pause()

        assert isinstance(app.screen, ExceptionForm)
        error = str(app.screen.query_one("#error").render())
        assert "more than 90 days away" in error

    assert fresh(db_path, clock).execute("SELECT count(*) FROM exceptions").fetchone() == (0,)


async def test_extend_revoke_and_expire(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    db = fresh(db_path, clock)
    app = create_app(db_path, clock=clock, actor="bob")

    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, app, {finding_id(db, HMI, PHP)})
        await pilot.press("e")
        await fill_exception(pilot, app, title="PHP on HMI", expires="2026-03-10")
        await pilot.press("ctrl+s", "x")
        await pilot.pause()
        assert isinstance(app.screen, ExceptionsScreen)
        assert table_rows(app.screen)[0][:4] == ["1", "expiring", "2026-03-10", "7"]

        await pilot.press("e")
        assert isinstance(app.screen, ExtendDialog)
        await type_text(pilot, "2026-03-20")
        await pilot.press("enter")
        await type_text(pilot, "vendor late")
        await pilot.press("enter")
        await pilot.pause()
        assert table_rows(app.screen)[0][:3] == ["1", "active", "2026-03-20"]

        clock.set("2026-03-21T08:00:00")
        await pilot.press("f", "x")
        await pilot.pause()
        assert table_rows(app.screen)[0][:4] == ["1", "EXPIRED", "2026-03-20", ""]
        assert status_of(fresh(db_path, clock), HMI, PHP) == "open"

        await pilot.press("e")
        await type_text(pilot, "2026-04-15")
        await pilot.press("enter")
        await type_text(pilot, "re-approved")
        await pilot.press("enter")
        await pilot.pause()
        assert table_rows(app.screen)[0][:3] == ["1", "active", "2026-04-15"]
        assert status_of(fresh(db_path, clock), HMI, PHP) == "accepted"

        await pilot.press("R")
        assert isinstance(app.screen, RevokeDialog)
        await type_text(pilot, "patched after all")
        await pilot.press("enter")
        await pilot.pause()
        assert table_rows(app.screen)[0][:2] == ["1", "revoked"]

    check = fresh(db_path, clock)
    assert status_of(check, HMI, PHP) == "open"
    actions = [(e["actor"], e["action"], e["new"]) for e in events_for(check, "exception", 1)]
    assert actions == [("bob", "create", "PHP on HMI"), ("bob", "extend", "2026-03-20"),
                       ("bob", "expire", "expired"), ("bob", "extend", "2026-04-15"),
                       ("bob", "state", "active"), ("bob", "revoke", "revoked")]


async def test_detail_shows_note_and_fixed(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    db = fresh(db_path, clock)
    app = create_app(db_path, clock=clock)

    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, app, {finding_id(db, WEB, MS17_010)})
        await pilot.press("e")
        await fill_exception(pilot, app, title="Web SMB", expires="2026-04-30")
        await pilot.press("ctrl+s")
        await pilot.pause()
        import_round(fresh(db_path, clock), 2, clock)
        await pilot.press("x", "enter")
        await pilot.pause()

        assert isinstance(app.screen, ExceptionDetailScreen)
        texts = [str(widget.render()) for widget in app.screen.query("#body Static")]
        assert "Vendor forbids patches" in texts
        assert ("Its one finding has been verified fixed by a rescan; the exception "
                "is no longer needed.") in texts


async def test_new_rule_exception_typed(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    app = create_app(db_path, clock=clock)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "n")
        form = app.screen
        assert isinstance(form, ExceptionForm)
        form.query_one("#title", Input).value = "db01 legacy"
        form.query_one("#hosts", Input).value = "db01"
        form.query_one("#approved", Input).value = "J. Doe"
        form.query_one("#expires", Input).value = "2026-04-30"
        form.query_one("#risk-note", LongText).load_text("End of life next quarter")
        await pilot.press("ctrl+s")
        await pilot.pause()

        assert isinstance(app.screen, ExceptionsScreen)
        assert table_rows(app.screen)[0][5] == "3 covered"

    check = fresh(db_path, clock)
    assert [status_of(check, DB, plugin) for plugin in ("42873", "57608")] == ["accepted"] * 2


async def test_editor_falls_back_headless(tmp_path, monkeypatch):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    monkeypatch.setenv("EDITOR", "true")
    app = create_app(db_path, clock=clock)

    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("x", "n")
        note = app.screen.query_one("#risk-note", LongText)
        note.focus()
        await type_text(pilot, "kept")
        await pilot.press("ctrl+e")
        await pilot.pause()

        assert note.text == "kept"
        assert [n.message for n in app._notifications] == [
            "This terminal cannot run an editor; editing here instead."]


async def test_revoke_needs_note(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    db = fresh(db_path, clock)
    app = create_app(db_path, clock=clock, actor="bob")

    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, app, {finding_id(db, HMI, PHP)})
        await pilot.press("e")
        await fill_exception(pilot, app, title="PHP on HMI", expires="2026-03-10")
        await pilot.press("ctrl+s", "x")
        await pilot.pause()

        await pilot.press("R")
        assert isinstance(app.screen, RevokeDialog)
        assert app.screen.query_one("#note", Input).placeholder == "why it is revoked (required)"
        await pilot.press("enter")
        await pilot.pause()

        assert isinstance(app.screen, RevokeDialog)
        error = str(app.screen.query_one("#error").render())
        assert "a note saying why the exception is revoked is required" in error

    assert status_of(fresh(db_path, clock), HMI, PHP) == "accepted"
