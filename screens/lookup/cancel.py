"""Cancelling some or all seats of a booking, with the refund shown before it is made.

Ticking seats re-asks the service what the refund would be (tier, amount, method) on the
database clock; past the cutoff it says so, and offers the override with a reason only when the
configuration allows it. Nothing changes until the clerk confirms with F10.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Checkbox, Footer, Input, SelectionList, Static

from bmstui.domain.pricing import rupees
from bmstui.services import sales
from bmstui.services.catalog import ShowInfo
from screens.background import explain, run_service


class SeatTicks(SelectionList[str]):
    """Textual draws a tick as the same "X" in another shade, which a monochrome counter
    terminal (NO_COLOR) cannot show: here a ticked seat reads "✓", an unticked one a blank."""

    TICKED, UNTICKED = "✓", " "

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        index = self.scroll_offset.y + y
        if (len(segments) < 2 or segments[1].text != Checkbox.BUTTON_INNER
                or not 0 <= index < self.option_count):
            return strip
        ticked = self.get_option_at_index(index).value in self.selected
        segments[1] = Segment(self.TICKED if ticked else self.UNTICKED, segments[1].style)
        return Strip(segments, strip.cell_length)


class CancelScreen(ModalScreen):
    BINDINGS = [
        Binding("f10", "cancel_seats", "Cancel & refund", priority=True),
        Binding("escape", "keep", "Keep booking"),
    ]

    def __init__(self, booking: sales.Booking, show: ShowInfo) -> None:
        super().__init__()
        self.booking = booking
        self.show = show
        self.offer: sales.RefundQuote | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="cancel-box"):
            yield Static(Text.assemble(
                (f"Cancel seats of {self.booking.code}\n", "bold"),
                f"{self.show.title} · {self.show.theater} {self.show.screen} · "
                f"{self.show.local_start:%a %d %b %H:%M}"), id="cancel-heading")
            yield SeatTicks(
                *[(label, label, True) for label in self.booking.labels], id="cancel-seats")
            yield Static(id="refund-offer")
            yield Input(placeholder="Reason (recorded with the refund)", id="cancel-reason")
            yield Static(Text("space: tick seats · F10: cancel and refund · escape: keep",
                              style="dim"))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cancel-seats", SelectionList).focus()
        self._ask()

    def _labels(self) -> list[str]:
        return list(self.query_one("#cancel-seats", SelectionList).selected)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self._ask()

    def _ask(self) -> None:
        labels = self._labels()
        if not labels:
            self.offer = None
            self.query_one("#refund-offer", Static).update(Text("Tick the seats to cancel."))
            return
        run_service(self, sales.refund_quote, self.booking.code, labels,
                    operator=self.app.operator, done=self._offered,
                    failed=self._refused, group="refund-quote", exclusive=True)

    def _offered(self, offer: sales.RefundQuote) -> None:
        self.offer = offer
        seats = ", ".join(offer.labels)
        text = Text(offer.why + "\n")
        if offer.allowed:
            text.append(f"Refund {rupees(offer.amount)} by {offer.method.upper()} for {seats}",
                        style="bold green")
            text.append(f" ({offer.percent.normalize():f}% of {rupees(offer.paid_for_seats)} "
                        "paid for them)", style="dim")
        elif offer.override_possible:
            text.append(f"Override: type the reason, then F10 — refund {rupees(offer.amount)} "
                        f"by {offer.method.upper()}", style="bold yellow")
        else:
            text.append("Cannot be cancelled at this counter"
                        + ("; a manager can override it, with a reason." if not offer.allowed
                           else "."), style="bold red")
        self.query_one("#refund-offer", Static).update(text)

    def _refused(self, exc: BaseException) -> None:
        self.offer = None
        self.query_one("#refund-offer", Static).update(
            Text(f"✗ {explain(exc, self)}", style="bold red"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_cancel_seats()

    def action_cancel_seats(self) -> None:
        if self._busy:
            return
        labels = self._labels()
        if not labels:
            self.notify("Tick the seats to cancel first", severity="warning")
            return
        reason = self.query_one("#cancel-reason", Input).value.strip()
        if (self.offer is not None and not self.offer.allowed
                and not self.offer.override_possible):
            # Overriding the cutoff is a manager's action: a cashier is not offered it.
            self.notify(f"{self.offer.why}; a manager can override it with a reason",
                        severity="warning")
            return
        if self.offer is not None and not self.offer.allowed and not reason:
            self.notify("Past the cutoff: give the reason for the override", severity="warning")
            self.query_one("#cancel-reason", Input).focus()
            return
        self._busy = True
        run_service(self, sales.cancel, self.booking.code, labels=labels,
                    operator=self.app.operator, reason=reason or None,
                    done=self.dismiss, failed=self._failed, group="cancel")

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.notify(explain(exc, self), severity="warning", timeout=8)
        self._ask()

    def action_keep(self) -> None:
        self.dismiss(None)
