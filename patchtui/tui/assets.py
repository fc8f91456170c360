"""The assets view: hosts with their unresolved findings by severity, tier, owner and notes."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from patchtui.errors import PatchtuiError
from patchtui.store import open_db
from patchtui.store.asset_admin import get_asset, list_assets
from patchtui.store.pages import ListQuery
from patchtui.triage.assets import TIERS, edit_asset
from patchtui.tui.app_access import UsesApp
from patchtui.tui.plain import one_line

COLUMNS = (("Host", 15), ("Name", 16), ("Tier", 8), ("Owner", 8), ("Crit", 4), ("High", 4),
           ("Med", 4), ("Low", 4), ("Notes", 30))
"""Titles and widths; the columns up to Low fit 80 cells with the table's cell padding."""
SEVERITY_STYLES = ("red bold", "dark_orange", "yellow", "")


def _cells(asset: dict[str, Any]) -> list[Text]:
    counts = [asset[name] for name in ("critical", "high", "medium", "low")]
    return [
        Text(one_line(asset["key"])), Text(one_line(asset["name"])), Text(asset["tier"]),
        Text(one_line(asset["owner"])),
        *(Text(str(count) if count else "-", style=style if count else "dim", justify="right")
          for count, style in zip(counts, SEVERITY_STYLES, strict=True)),
        Text(one_line(asset["notes"])),
    ]


class AssetsScreen(UsesApp, Screen):
    """Every scanned host; ``enter`` lists its findings, ``e`` edits it."""

    CSS_PATH = "assets.tcss"

    BINDINGS = [
        Binding("enter", "open", "Findings on host"),
        Binding("e", "edit", "Edit asset"),
        Binding("t", "cycle_tier", "Next tier"),
        Binding("ctrl+r", "refresh", "Refresh", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Assets: unresolved findings (open, in progress, patched) by severity",
                     id="assets-title", markup=False)
        table: DataTable[Text] = DataTable(id="assets", cursor_type="row", zebra_stripes=True)
        for title, width in COLUMNS:
            table.add_column(title, width=width, key=title.lower())
        yield table
        yield Static(id="assets-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.load()

    def load(self) -> None:
        """Read the assets again in a worker thread; the counts take a moment at a million findings."""
        self.query_one("#assets-status", Static).update(Content("reading assets…"))
        self.read_assets()

    @work(thread=True, exclusive=True, group="assets", exit_on_error=False)
    def read_assets(self) -> None:
        """Read every asset with its counts on a connection of this thread."""
        db = open_db(self.patchtui.db_path, migrate_schema=False)
        try:
            assets = list_assets(db)
        finally:
            db.conn.close()
        self.app.call_from_thread(self._fill, assets)

    def _fill(self, assets: list[dict[str, Any]]) -> None:
        """Show ``assets``, keeping the cursor on the same row number."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for asset in assets:
            table.add_row(*_cells(asset), key=str(asset["id"]))
        if assets:
            table.move_cursor(row=min(row, len(assets) - 1))
        self.query_one("#assets-status", Static).update(
            Content(f"{len(assets):,} assets · enter: findings · e: edit · t: next tier"))

    def _current_id(self) -> int | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(row_key.value or 0)

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        """List the findings of the host under the cursor."""
        asset_id = self._current_id()
        asset = get_asset(self.patchtui.db, asset_id) if asset_id else None
        if asset is None:
            return
        from patchtui.tui.findings import FindingsScreen

        self.app.push_screen(FindingsScreen(ListQuery(asset_id=asset["id"]),
                                            title=f"host {asset['key']}"))

    def action_edit(self) -> None:
        """Edit the tier, owner and notes of the host under the cursor."""
        asset_id = self._current_id()
        if asset_id is None:
            return

        def done(changed: bool | None) -> None:
            if changed:
                self.load()

        self.app.push_screen(AssetDialog(asset_id), done)

    def action_cycle_tier(self) -> None:
        """Give the host under the cursor the next tier."""
        asset_id = self._current_id()
        asset = get_asset(self.patchtui.db, asset_id) if asset_id else None
        if asset is None:
            return
        tier = TIERS[(TIERS.index(asset["tier"]) + 1) % len(TIERS)]
        edit_asset(self.patchtui.db, asset["id"], tier=tier, clock=self.patchtui.clock,
                   actor=self.patchtui.actor)
        self.patchtui.say(f"{asset['key']} is now {tier}")
        self.load()

    def action_refresh(self) -> None:
        """Read the assets again."""
        self.load()


class AssetDialog(UsesApp, ModalScreen[bool | None]):
    """Edit one asset's tier, owner and notes; dismisses with True when something changed."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, asset_id: int) -> None:
        super().__init__()
        self.asset_id = asset_id

    def compose(self) -> ComposeResult:
        asset = get_asset(self.patchtui.db, self.asset_id) or {}
        name = asset.get("hostname") or asset.get("fqdn") or ""
        with Vertical(id="dialog", classes="asset"):
            yield Static(Content.assemble(("Asset ", "bold"), one_line(asset.get("key")),
                                          f" ({one_line(name)})" if name else ""), id="title")
            yield OptionList(*(Option(f"tier: {tier}", id=tier) for tier in TIERS), id="tier")
            yield Input(value=asset.get("owner") or "", placeholder="owner", id="owner")
            yield TextArea(asset.get("notes") or "", id="notes", soft_wrap=True,
                           placeholder="notes (tab leaves this box)")
            yield Static(id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
            yield Static("up/down picks the tier · tab moves · ctrl+s saves · escape cancels",
                         classes="hint", markup=False)

    def on_mount(self) -> None:
        tiers = self.query_one("#tier", OptionList)
        current = (get_asset(self.patchtui.db, self.asset_id) or {}).get("tier")
        tiers.highlighted = TIERS.index(current) if current in TIERS else 1
        tiers.focus()

    @on(OptionList.OptionSelected, "#tier")
    def _tier_chosen(self) -> None:
        self.query_one("#owner", Input).focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#owner")
    def action_save(self) -> None:
        """Save the changes, one event per changed field."""
        highlighted = self.query_one("#tier", OptionList).highlighted
        tier = TIERS[highlighted] if highlighted is not None else None
        try:
            changed = edit_asset(self.patchtui.db, self.asset_id, tier=tier,
                                 owner=self.query_one("#owner", Input).value,
                                 notes=self.query_one("#notes", TextArea).text,
                                 clock=self.patchtui.clock, actor=self.patchtui.actor)
        except PatchtuiError as err:
            self.query_one("#error", Static).update(Content(one_line(str(err))))
            return
        if changed:
            self.patchtui.say("Saved " + ", ".join(changed))
        self.dismiss(bool(changed))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
