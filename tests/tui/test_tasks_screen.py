"""The tasks area driven by keys: a task from selected findings, ticking, verified by rescan."""

from __future__ import annotations

from textual.widgets import DataTable

from patchtui.store import tasks as store
from patchtui.triage.tasks import TaskDraft, create_task
from patchtui.tui.app import create_app
from patchtui.tui.forms import ConfirmDialog, TextPrompt
from patchtui.tui.task_dialogs import TaskForm, TaskPicker
from patchtui.tui.tasks import TaskDetailScreen, TasksScreen
from tests.rounds import DB, MS17_010, SMB_SIGNING, SWEET32, WEB, finding_id, import_round, start_clock, status_of
from tests.tui_steps import SIZE, fresh, prepared, select, table_rows, type_text


def step_cells(screen: TaskDetailScreen) -> list[list[str]]:
    table = screen.query_one("#steps", DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def new_task_from_selection(pilot, app, ids: set[int], title: str) -> None:
    await select(pilot, app, ids)
    await pilot.press("t")
    assert isinstance(app.screen, TaskPicker)
    await pilot.press("enter")
    assert isinstance(app.screen, TaskForm)
    await type_text(pilot, title)
    await pilot.press("tab", "tab")
    await type_text(pilot, "2026-03-07 22:00")
    await pilot.press("tab")
    await type_text(pilot, "2026-03-07 23:30")
    await pilot.press("tab")
    await type_text(pilot, "Restore the snapshots")
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_task_ticked_then_verified(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    db = fresh(db_path, clock)
    chosen = {finding_id(db, WEB, MS17_010), finding_id(db, DB, SWEET32)}
    app = create_app(db_path, clock=clock, actor="carol")

    async with app.run_test(size=SIZE) as pilot:
        await new_task_from_selection(pilot, app, chosen, "Patch SMB and TLS")
        await pilot.press("p")
        assert isinstance(app.screen, TasksScreen)
        assert table_rows(app.screen) == [["1", "open", "0/8", "2026-03-07 22:00-23:30",
                                          "0/2 fixed", "Patch SMB and TLS"]]

        await pilot.press("enter")
        assert isinstance(app.screen, TaskDetailScreen)
        for _ in range(7):
            await pilot.press("space")
            await pilot.press("down")
        assert not isinstance(app.screen, ConfirmDialog)
        clock.set("2026-03-07T23:10:00")
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()

        cells = step_cells(app.screen)
        assert [row[0] for row in cells] == ["[x]"] * 8
        assert cells[7][3] == "carol 2026-03-07 23:10"
        check = fresh(db_path, clock)
        assert [status_of(check, WEB, MS17_010), status_of(check, DB, SWEET32)] == ["patched"] * 2

        import_round(check, 2, clock)
        await pilot.press("escape")
        await pilot.pause()
        assert table_rows(app.screen)[0][:5] == ["1", "verified", "8/8", "2026-03-07 22:00-23:30",
                                                 "2/2 fixed"]

        import_round(check, 3, clock)
        await pilot.press("f", "p")
        await pilot.pause()
        assert table_rows(app.screen)[0][:5] == ["1", "done", "8/8", "2026-03-07 22:00-23:30",
                                                 "1/2 fixed, 1 reopened"]


async def test_untick_and_step_edits(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    db = fresh(db_path, clock)
    app = create_app(db_path, clock=clock)

    async with app.run_test(size=SIZE) as pilot:
        await new_task_from_selection(pilot, app, {finding_id(db, DB, SMB_SIGNING)}, "Signing")
        await pilot.press("p", "enter", "space", "up", "space")
        assert step_cells(app.screen)[0][0] == "[ ]"

        await pilot.press("n")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "snapshot db01-pre")
        await pilot.press("enter")
        await pilot.press("a")
        await type_text(pilot, "Update the CMDB")
        await pilot.press("enter", "down", "down", "down", "d", "y")
        await pilot.press("down", "r", "ctrl+u")
        await type_text(pilot, "Reboot db01")
        await pilot.press("enter")
        await pilot.pause()

        cells = step_cells(app.screen)
        assert [row[1:3] for row in cells] == [
            ["1", "Back up or snapshot"], ["2", "Test on staging"], ["3", "Get approval"],
            ["5", "Deploy in the window"], ["6", "Reboot db01"], ["7", "Check services"],
            ["8", "Rescan"], ["9", "Update the CMDB"]]
        assert cells[0][4] == "snapshot db01-pre"

    removed = [s for s in store.task_steps(fresh(db_path, clock), 1, removed=True) if s["removed"]]
    assert [s["title"] for s in removed] == ["Notify users"]


async def test_add_findings_to_open_task(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    db = fresh(db_path, clock)
    first, second = finding_id(db, WEB, MS17_010), finding_id(db, DB, SMB_SIGNING)
    app = create_app(db_path, clock=clock)

    async with app.run_test(size=SIZE) as pilot:
        await new_task_from_selection(pilot, app, {first}, "SMB")
        await select(pilot, app, {second})
        await pilot.press("t", "down", "enter")
        await pilot.pause()

    linked = [f["id"] for f in store.task_findings(fresh(db_path, clock), 1)]
    assert linked == sorted([first, second])


async def test_close_task_asks_note(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    db = fresh(db_path, clock)
    app = create_app(db_path, clock=clock, actor="carol")

    async with app.run_test(size=SIZE) as pilot:
        await new_task_from_selection(pilot, app, {finding_id(db, DB, SMB_SIGNING)}, "Signing")
        await pilot.press("p", "enter", "C")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "replaced by a vendor upgrade")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TaskDetailScreen)

    check = fresh(db_path, clock)
    row = store.get_task(check, 1)
    assert row["closed_at"] == "2026-03-03T08:00:00Z"
    closing = check.execute("SELECT actor, note FROM events WHERE entity = 'task' AND "
                            "action = 'close'").fetchall()
    assert closing == [("carol", "replaced by a vendor upgrade")]


async def test_unplanned_window_has_no_zone(tmp_path):
    clock = start_clock()
    db_path = prepared(tmp_path, clock)
    db = fresh(db_path, clock)
    create_task(db, TaskDraft(title="Unplanned", finding_ids=(finding_id(db, DB, SMB_SIGNING),)),
                clock=clock)
    app = create_app(db_path, clock=clock)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TaskDetailScreen)
        summary = str(app.screen.query_one("#summary").render())

    assert "Window not planned   Assets" in summary
    assert "planned UTC" not in summary
