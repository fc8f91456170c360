"""The overdue review: findings past their due date, and the dialog that records a decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from patchtui.clock import to_text
from patchtui.errors import PatchtuiError
from patchtui.store.pages import ListQuery
from patchtui.text import plural
from patchtui.triage.overdue import (
    DECISIONS,
    ReviewPlan,
    ReviewResult,
    plan_review,
    record_review,
)
from patchtui.tui.app_access import UsesApp
from patchtui.tui.findings import FindingsScreen
from patchtui.tui.plain import one_line

if TYPE_CHECKING:
    from patchtui.tui.app import PatchtuiApp

DECISION_KEYS = tuple(DECISIONS)
"""Decisions in the order the dialog lists them, chosen with keys 1 to 3."""


class OverdueScreen(FindingsScreen):
    """Findings past their due date, the longest overdue first; ``R`` reviews them."""

    BINDINGS = [Binding("R", "review", "Review overdue", key_display="R")]

    def compose(self) -> ComposeResult:
        self.base_query = self._overdue_query()
        self.scope_title = "overdue review (R)"
        yield from super().compose()

    def _overdue_query(self) -> ListQuery:
        return ListQuery(overdue_at=to_text(self.patchtui.clock()), sort="due", descending=False)

    def on_screen_resume(self) -> None:
        # Time has moved on since the list was built: more findings may be overdue now.
        if self.table.query.overdue_at is not None:
            self.table.query = self.table.query.with_changes(
                overdue_at=self._overdue_query().overdue_at)
        super().on_screen_resume()

    def action_review(self) -> None:
        """Review the selected findings, or the one under the cursor."""
        ids = self._chosen_ids()
        if not ids:
            self.patchtui.say("No overdue finding to review.", severity="warning")
            return
        current = self.table.current
        subject = current.name if len(ids) == 1 and current else None
        start_review(self.patchtui, ids, subject,
                     lambda result: self._changed(None if result is None else result.reviewed))


def start_review(app: PatchtuiApp, finding_ids: list[int], subject: str | None,
                 done: Callable[[ReviewResult | None], None]) -> None:
    """Open the review dialog, and after an ``exception`` decision the exception form.

    The review of an ``exception`` decision is recorded only once the form saves the
    exception. ``done`` runs when both are closed, with None when nothing was recorded.
    """
    from patchtui.tui.exceptions import new_exception_for

    def exception_saved(plan: ReviewPlan, exception_id: int | None) -> None:
        if exception_id is None:
            app.say("Exception cancelled: no review recorded.", severity="warning")
            done(None)
            return
        try:
            result = record_review(app.db, plan)
        except PatchtuiError as err:
            app.say(f"Exception {exception_id} recorded, but the review failed: {err}",
                    severity="error")
            done(None)
            return
        done(result)

    def reviewed(outcome: ReviewResult | ReviewPlan | None) -> None:
        if isinstance(outcome, ReviewPlan):
            new_exception_for(app, finding_ids,
                              lambda exception_id: exception_saved(outcome, exception_id))
            return
        done(outcome)

    app.push_screen(ReviewDialog(finding_ids, subject=subject), reviewed)


class ReviewDialog(UsesApp, ModalScreen[ReviewResult | ReviewPlan | None]):
    """Choose a decision for overdue findings, with a new target date when work goes on.

    Dismisses with the recorded review's result, with the checked but unwritten
    review for the decision ``exception``, or with None when cancelled.
    """

    CSS_PATH = "overdue.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        *(Binding(str(number), f"choose({number - 1})", f"Choose: {DECISIONS[key]}", show=False)
          for number, key in enumerate(DECISION_KEYS, start=1)),
    ]

    def __init__(self, finding_ids: list[int], *, subject: str | None = None) -> None:
        super().__init__()
        self.finding_ids = finding_ids
        self.subject = subject

    def compose(self) -> ComposeResult:
        if len(self.finding_ids) == 1 and self.subject:
            title = Content.assemble(("Overdue review of: ", "bold"), one_line(self.subject))
        else:
            title = Content.assemble(
                (f"Overdue review of {plural(len(self.finding_ids), 'finding', grouped=True)}", "bold"))
        with Vertical(id="dialog"):
            yield Static(title, id="title")
            yield OptionList(
                *(Option(f"{number}  {DECISIONS[key]}", id=key)
                  for number, key in enumerate(DECISION_KEYS, start=1)),
                id="decisions",
            )
            yield Input(placeholder="new target: a date such as 2027-03-31, or 14d from now",
                        id="target")
            yield Input(placeholder="note: why it is late and what happens next", id="note")
            yield Static(id="error", markup=False)
            yield Static("up/down or 1-3 chooses · tab moves · enter in the note saves · "
                         "escape cancels", classes="hint", markup=False)

    def on_mount(self) -> None:
        decisions = self.query_one("#decisions", OptionList)
        decisions.highlighted = 0
        decisions.focus()

    @property
    def decision(self) -> str:
        """The highlighted decision."""
        highlighted = self.query_one("#decisions", OptionList).highlighted
        return DECISION_KEYS[highlighted if highlighted is not None else 0]

    def action_choose(self, index: int) -> None:
        """Highlight one decision and move to the field it needs next."""
        self.query_one("#decisions", OptionList).highlighted = index
        self._next_field()

    @on(OptionList.OptionSelected, "#decisions")
    def _decision_chosen(self) -> None:
        self._next_field()

    def _next_field(self) -> None:
        field = "#target" if self.decision == "keep" else "#note"
        self.query_one(field, Input).focus()

    @on(OptionList.OptionHighlighted, "#decisions")
    def _show_target(self) -> None:
        self.query_one("#target", Input).display = self.decision == "keep"

    @on(Input.Submitted, "#target")
    def _target_entered(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def _save(self) -> None:
        app = self.patchtui
        decision = self.decision
        target = self.query_one("#target", Input).value if decision == "keep" else None
        note = self.query_one("#note", Input).value
        try:
            plan = plan_review(app.db, self.finding_ids, decision, note, target=target,
                               clock=app.clock, actor=app.actor)
            if decision == "exception":
                self.dismiss(plan)
                return
            result = record_review(app.db, plan)
        except PatchtuiError as err:
            self.query_one("#error", Static).update(Content(one_line(str(err))))
            return
        outcome = (f"due {result.target_at[:10]}" if result.target_at
                   else DECISIONS[decision].lower())
        app.say(f"Review recorded for {plural(result.reviewed, 'finding', grouped=True)}: {outcome}")
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Close without recording anything."""
        self.dismiss(None)
