"""A manager's money-only refund from Find booking (F7): the seats stay sold.

What is left to refund is asked from the service first and shown; the amount and the reason
are checked by the service, whose refusal shows here with everything typed still in place.
"""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from bmstui.domain.errors import InvalidAmount
from bmstui.domain.money_input import parse_amount
from bmstui.domain.pricing import rupees
from bmstui.services import sales
from screens.background import explain, run_service


class RefundScreen(ModalScreen):
    BINDINGS = [Binding("f10", "refund", "Refund", priority=True),
                Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, booking: sales.Booking) -> None:
        super().__init__()
        self.booking = booking

    def compose(self) -> ComposeResult:
        with Vertical(classes="admin-form"):
            yield Static(Text.assemble((f"Refund money on {self.booking.code}\n", "bold"),
                                       "The seats stay sold; the money goes back by the "
                                       "payment's method."))
            yield Static(id="refund-left")
            yield Input(placeholder="Amount in rupees", id="refund-amount")
            yield Static(id="refund-amount-status", classes="form-status")
            yield Input(placeholder="Reason (required, recorded)", id="refund-reason")
            yield Static(id="refund-status", classes="form-status")
            yield Static(Text("F10: refund · escape: close", style="dim"))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#refund-amount", Input).focus()
        run_service(self, sales.refundable, self.booking.code, done=self._left)

    def _left(self, left) -> None:
        self.query_one("#refund-left", Static).update(Text(
            f"Left to refund: {rupees(left)} of {rupees(self.booking.total)} paid",
            style="bold"))

    def _amount(self) -> Decimal | None:
        """The amount typed, or None after saying beside the field why it is not one."""
        status = self.query_one("#refund-amount-status", Static)
        try:
            amount = parse_amount(self.query_one("#refund-amount", Input).value,
                                  "Refund amount", zero=False)
        except InvalidAmount as exc:
            status.update(Text(f"✗ {exc}", style="bold red"))
            return None
        status.update(Text(f"Refund {rupees(amount)}", style="dim"))
        return amount

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "refund-amount":
            if event.value.strip():
                self._amount()
            else:
                self.query_one("#refund-amount-status", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "refund-amount":
            self.query_one("#refund-reason", Input).focus()
        else:
            self.action_refund()

    def action_refund(self) -> None:
        amount = self._amount()
        if amount is None:
            self.query_one("#refund-amount", Input).focus()
            return
        run_service(self, sales.refund, self.booking.code, amount,
                    reason=self.query_one("#refund-reason", Input).value,
                    operator=self.app.operator, done=self.dismiss,
                    failed=lambda exc: self.query_one("#refund-status", Static).update(
                        Text(f"✗ {explain(exc, self)}", style="bold red")),
                    group="refund", exclusive=True)
