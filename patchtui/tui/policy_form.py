"""The policy form: every setting of the patch policy as a field, checked before it is saved."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

from patchtui.errors import InputError
from patchtui.importers.model import SEVERITIES
from patchtui.triage.policy import (
    TIERS,
    Policy,
    policy_document,
    policy_from_document,
)
from patchtui.tui.app_access import UsesApp
from patchtui.tui.plain import one_line

FORM_SOURCE = "the policy form"
"""Name of the form in error messages, in the place of a file name."""

_PAIR = re.compile(r"\s*([a-z]+)\s*=\s*(\S+)\s*")


def _row(label: str, field: Input) -> Horizontal:
    return Horizontal(Static(label, classes="label", markup=False), field, classes="row")


def _section(title: str) -> Static:
    return Static(Content.assemble((title, "bold")), classes="section")


def parse_pairs(text: str, key: str) -> dict[str, str]:
    """Parse ``critical=12h, low=none`` into a dict, raising ``InputError`` naming ``key``."""
    pairs: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in text.replace(";", ",").split(","))):
        match = _PAIR.fullmatch(part)
        if match is None:
            raise InputError(f"{FORM_SOURCE}: {key} = {part!r}: write severity=time pairs such "
                             "as critical=12h, low=none")
        pairs[match.group(1)] = match.group(2)
    return pairs


def _number(text: str) -> Any:
    """Return ``text`` as a number when it is one, else as given, for the policy check to name."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


class PolicyForm(UsesApp, ModalScreen[Policy | None]):
    """Edit the policy; dismisses with the checked policy, or None when cancelled."""

    CSS_PATH = "policy.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save the policy"),
    ]

    def __init__(self, policy: Policy) -> None:
        super().__init__()
        self.policy = policy

    def compose(self) -> ComposeResult:
        document = policy_document(self.policy)
        with VerticalScroll(id="form"):
            yield Static(Content.assemble(("Edit the patch policy", "bold")))
            yield Static('Times are whole hours or days such as 48h or 2d; "none" means no '
                         "due date.", classes="hint", markup=False)
            yield _section("Response time per severity")
            for severity in reversed(SEVERITIES):
                yield _row(severity, Input(document["response"][severity], compact=True,
                                           id=f"response-{severity}"))
            for tier in TIERS:
                rule = document["tiers"][tier]
                yield _section(f"Tier {tier}")
                yield _row("factor", Input(f"{rule['factor']:g}", compact=True, id=f"{tier}-factor"))
                yield _row("at least", Input(rule.get("minimum", ""), compact=True,
                                             placeholder="no minimum", id=f"{tier}-minimum"))
                own = ", ".join(f"{sev}={time}" for sev, time in rule.get("response", {}).items())
                yield _row("own times", Input(own, compact=True, id=f"{tier}-response",
                                              placeholder="none (critical=12h, low=none)"))
            yield _section("Exceptions")
            yield _row("longest", Input(document["exceptions"]["max_duration"], compact=True,
                                        id="max-duration"))
            yield _row("expiring", Input(document["exceptions"]["expiring_notice"], compact=True,
                                         id="expiring-notice"))
            yield _section("Policy review")
            yield _row("every months", Input(str(document["review"]["interval_months"]),
                                             compact=True, id="interval-months"))
            yield _row("next review", Input(document["review"]["next_review"], compact=True,
                                            id="next-review"))
            yield _section("Task checklist, one step a line")
            yield TextArea("\n".join(self.policy.task_template), id="checklist")
            yield Static(id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
            yield Static("tab moves · ctrl+s saves · escape cancels", classes="hint",
                         markup=False)

    def on_mount(self) -> None:
        self.query_one("#response-critical", Input).focus()

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def document(self) -> dict[str, Any]:
        """Return the form's values as a policy document, for the policy check."""
        tiers: dict[str, Any] = {}
        for tier in TIERS:
            entry: dict[str, Any] = {"factor": _number(self._value(f"{tier}-factor"))}
            if self._value(f"{tier}-minimum"):
                entry["minimum"] = self._value(f"{tier}-minimum")
            entry["response"] = parse_pairs(self._value(f"{tier}-response"),
                                            f"tiers.{tier}.response")
            tiers[tier] = entry
        steps = [line.strip() for line in self.query_one("#checklist", TextArea).text.splitlines()]
        return {
            "response": {sev: self._value(f"response-{sev}") for sev in SEVERITIES},
            "tiers": tiers,
            "exceptions": {"max_duration": self._value("max-duration"),
                           "expiring_notice": self._value("expiring-notice")},
            "review": {"interval_months": _number(self._value("interval-months")),
                       "next_review": self._value("next-review")},
            "tasks": {"checklist": [step for step in steps if step]},
        }

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Check the form and close it with the new policy, or show what is invalid."""
        today: date = self.patchtui.clock().date()
        try:
            policy = policy_from_document(self.document(), source=FORM_SOURCE, today=today)
        except InputError as err:
            error = self.query_one("#error", Static)
            error.update(Content(one_line(str(err))))
            error.scroll_visible(animate=False)
            return
        self.dismiss(policy)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without changing the policy."""
        self.dismiss(None)
