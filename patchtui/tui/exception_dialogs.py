"""Dialogs that record, extend and revoke risk exceptions."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from patchtui.errors import PatchtuiError
from patchtui.store.migrations.m0004_exceptions_tasks import RESIDUAL_RISKS
from patchtui.text import plural
from patchtui.triage import exceptions as rules
from patchtui.tui.forms import FormDialog, field_row
from patchtui.tui.long_text import LongText
from patchtui.tui.plain import one_line

if TYPE_CHECKING:
    pass


class ExceptionForm(FormDialog):
    """Record a new exception over chosen findings or a rule.

    ``choices`` are the scopes that fit the findings selected in the findings
    view; without them the form has fields for a check and hosts. Dismisses with the
    new exception's id, or None when cancelled.
    """

    def __init__(self, choices: list[rules.ScopeChoice], subject: str | None = None) -> None:
        super().__init__()
        self.choices = choices
        self.subject = subject

    def compose(self) -> ComposeResult:
        app = self.patchtui
        today = rules.today_of(app.clock)
        latest = today + timedelta(days=rules.max_days(self.patchtui.db))
        with VerticalScroll(id="dialog", classes="form"):
            yield Static(Content.assemble(("Accept a risk: new exception", "bold")))
            if self.subject:
                yield Static(Content(one_line(self.subject)), classes="subject")
            yield field_row("Title", Input(id="title", compact=True))
            yield Static("Covers", classes="label", markup=False)
            if self.choices:
                with RadioSet(id="scope"):
                    for index, choice in enumerate(self.choices):
                        yield RadioButton(Content(one_line(choice.label)), value=index == 0)
            else:
                yield field_row("Check", Input(placeholder="nessus:97833, empty: everything on the hosts",
                                            id="plugin", compact=True))
                yield field_row("Hosts", Input(placeholder="IP addresses or names, comma separated",
                                            id="hosts", compact=True))
            yield Static("Residual risk", classes="label", markup=False)
            with RadioSet(id="risk", classes="inline"):
                for risk in RESIDUAL_RISKS:
                    yield RadioButton(risk, value=risk == "medium")
            yield field_row("Approved by", Input(id="approved", compact=True))
            yield field_row("Requested by", Input(app.actor, id="requested", compact=True))
            yield field_row("Expires", Input(placeholder=f"YYYY-MM-DD, {today} to {latest}",
                                          id="expires", compact=True))
            yield Static("Risk note: why the risk is accepted (ctrl+e: $EDITOR)", classes="label",
                         markup=False)
            yield LongText(id="risk-note")
            yield Static("Compensating controls", classes="label", markup=False)
            yield LongText(id="controls")
            yield Static(id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
            yield Static("tab moves · ctrl+s saves · escape cancels", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def _scope(self) -> rules.Scope:
        if self.choices:
            index = self.query_one("#scope", RadioSet).pressed_index
            return self.choices[max(index, 0)].scope
        plugin = self.query_one("#plugin", Input).value.strip()
        hosts = tuple(host.strip() for host in self.query_one("#hosts", Input).value.split(",")
                      if host.strip())
        if plugin:
            scanner, plugin_id = rules.parse_plugin(plugin)
            return rules.Scope("vulnerability", scanner=scanner, plugin_id=plugin_id, hosts=hosts)
        return rules.Scope("asset", hosts=hosts)

    def action_save(self) -> None:
        """Validate and record the exception."""
        app = self.patchtui
        risk = self.query_one("#risk", RadioSet).pressed_index
        draft = rules.ExceptionDraft(
            title=self.query_one("#title", Input).value,
            risk_note=self.query_one("#risk-note", LongText).text,
            residual_risk=RESIDUAL_RISKS[max(risk, 0)],
            approved_by=self.query_one("#approved", Input).value,
            expires=self.query_one("#expires", Input).value,
            controls=self.query_one("#controls", LongText).text,
            requested_by=self.query_one("#requested", Input).value,
        )
        try:
            outcome = rules.create_exception(app.db, draft, self._scope(), clock=app.clock,
                                             actor=app.actor)
        except PatchtuiError as err:
            self.show_error(str(err))
            return
        message = (f"Exception {outcome.exception_id} recorded; "
                   f"{plural(outcome.changed, 'finding')} accepted")
        app.say("; ".join([message, *outcome.warnings]),
                severity="warning" if outcome.warnings else "information")
        self.dismiss(outcome.exception_id)


class ExtendDialog(FormDialog):
    """Give an exception a new expiry date with a note. Dismisses with the id, or None."""

    def __init__(self, exception_id: int, title: str, expires_on: str) -> None:
        super().__init__()
        self.exception_id = exception_id
        self.exception_title = title
        self.expires_on = expires_on

    def compose(self) -> ComposeResult:
        today = rules.today_of(self.patchtui.clock)
        latest = today + timedelta(days=rules.max_days(self.patchtui.db))
        with VerticalScroll(id="dialog", classes="small"):
            yield Static(Content.assemble((f"Change the expiry of exception {self.exception_id}: ", "bold"),
                                          one_line(self.exception_title)))
            yield Static(f"It expires {self.expires_on}.", markup=False)
            yield field_row("New expiry", Input(placeholder=f"YYYY-MM-DD, {today} to {latest}",
                                             id="expires", compact=True))
            yield field_row("Note", Input(placeholder="why the expiry date changes", id="note", compact=True))
            yield Static(id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Extend", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
            yield Static("enter in the note or ctrl+s saves · escape cancels", classes="hint",
                         markup=False)

    def on_mount(self) -> None:
        self.query_one("#expires", Input).focus()

    @on(Input.Submitted, "#expires")
    def _next(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def action_save(self) -> None:
        """Validate and record the new expiry date."""
        app = self.patchtui
        try:
            outcome = rules.extend_exception(
                app.db, self.exception_id, self.query_one("#expires", Input).value,
                self.query_one("#note", Input).value, clock=app.clock, actor=app.actor)
        except PatchtuiError as err:
            self.show_error(str(err))
            return
        message = f"Exception {self.exception_id} {rules.expiry_change(outcome)}"
        if outcome.changed:
            message += f"; it covers {plural(outcome.changed, 'finding')} again"
        app.say(message)
        self.dismiss(self.exception_id)


class RevokeDialog(FormDialog):
    """Confirm revoking an exception, with a required note. Dismisses with the id, or None."""

    def __init__(self, exception_id: int, title: str, covered: int) -> None:
        super().__init__()
        self.exception_id = exception_id
        self.exception_title = title
        self.covered = covered

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="small"):
            yield Static(Content.assemble((f"Revoke exception {self.exception_id}: ", "bold"),
                                          one_line(self.exception_title)))
            covered = plural(self.covered, "finding")
            yield Static(f"The {covered} it covers go{'es' if self.covered == 1 else ''} back to "
                         "open.", markup=False)
            yield field_row("Note", Input(placeholder="why it is revoked (required)", id="note",
                                       compact=True))
            yield Static(id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Revoke", variant="error", id="save")
                yield Button("Cancel", id="cancel")
            yield Static("enter or ctrl+s revokes · escape cancels", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def action_save(self) -> None:
        """Revoke the exception."""
        app = self.patchtui
        try:
            outcome = rules.revoke_exception(app.db, self.exception_id,
                                             self.query_one("#note", Input).value,
                                             clock=app.clock, actor=app.actor)
        except PatchtuiError as err:
            self.show_error(str(err))
            return
        reopened = plural(outcome.changed, "finding")
        app.say(f"Exception {self.exception_id} revoked; {reopened} "
                f"{'is' if outcome.changed == 1 else 'are'} open again")
        self.dismiss(self.exception_id)
