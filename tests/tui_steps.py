"""Key-driven steps shared by the Pilot tests of the exceptions and tasks areas."""

from __future__ import annotations

from textual.widgets import DataTable

from patchtui.store import open_db
from patchtui.tui.exception_dialogs import ExceptionForm
from tests.rounds import import_round

SIZE = (80, 24)


def prepared(tmp_path, clock):
    """Return a database file holding the first round, imported on ``clock``."""
    db_path = tmp_path / "patchtui.db"
    db = open_db(db_path, clock=clock)
    import_round(db, 1, clock)
    db.conn.close()
    return db_path


def fresh(db_path, clock):
    """Open another connection to the database, so a check sees what the app committed."""
    return open_db(db_path, clock=clock)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def select(pilot, app, finding_ids: set[int]) -> None:
    """Walk the findings list from the top, pressing space on each wanted finding."""
    table = app.screen.table
    await pilot.press("home")
    for _ in range(40):
        row = table.current
        if row is None or table.selected >= finding_ids:
            break
        if row.id in finding_ids:
            await pilot.press("space")
        else:
            await pilot.press("down")
    assert table.selected == finding_ids


async def fill_exception(pilot, app, *, title: str, expires: str, scope_downs: int = 0) -> None:
    """Fill the exception form with keys: title, scope, approver, expiry, note, controls."""
    form = app.screen
    assert isinstance(form, ExceptionForm)
    await type_text(pilot, title)
    await pilot.press("tab", *["down"] * scope_downs, "enter", "tab", "tab")
    await type_text(pilot, "J. Doe")
    await pilot.press("tab", "tab")
    await type_text(pilot, expires)
    await pilot.press("tab")
    await type_text(pilot, "Vendor forbids patches")
    await pilot.press("tab")
    await type_text(pilot, "Isolated VLAN")


def table_rows(screen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]
