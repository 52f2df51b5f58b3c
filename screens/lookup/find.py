"""Finding a booking by its code or the customer's phone number, and cancelling from there."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from bmstui.domain.pricing import rupees
from bmstui.domain.vocabulary import PaymentMethod
from bmstui.export.tickets import ticket
from bmstui.services import catalog, sales
from screens.background import run_service
from screens.lookup.cancel import CancelScreen
from screens.widgets.heading import Heading


def _find(text: str):
    """Bookings with the show each is for (one service round per distinct show)."""
    found = sales.find_bookings(text)
    shows = {booking.show_id: catalog.show(booking.show_id)
             for booking in found}
    return [(booking, shows[booking.show_id]) for booking in found]


class LookupScreen(Screen):
    BINDINGS = [
        Binding("f8", "cancel_booking", "Cancel / refund"),
        Binding("f7", "refund_money", "Refund money"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found = []
        self.query_text = ""
        self.current = 0

    def compose(self) -> ComposeResult:
        yield Heading()
        # Not selected on focus: the focus comes with the first key of a scan (on_key), and
        # selecting then would let the second key replace the first.
        yield Input(placeholder="Booking code (BMS-…) or customer phone, then enter",
                    id="lookup-query", select_on_focus=False)
        with Horizontal(id="lookup-body"):
            yield OptionList(id="lookup-results")
            with VerticalScroll(id="lookup-detail"):
                yield Static(id="lookup-ticket")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "find a booking"
        self.query_one("#lookup-query", Input).focus()

    def _search(self, field: Input) -> None:
        text = field.value.strip()
        if text:
            self.query_text = text
            field.select_all()  # the next code typed or scanned replaces this one
            # moves_on: F8 / F7 typed right after a scan act on the booking it finds
            run_service(self, _find, text, done=self._found, group="lookup", exclusive=True,
                        moves_on=True)

    def on_key(self, event: events.Key) -> None:
        """A scanner is a keyboard: a code scanned (or typed) with the focus on the results or
        the ticket goes to the search field, and its Enter searches. Keys the field took
        itself never get here.

        Enter in the field searches here, as the key passes, rather than on the field's
        Submitted message, which comes after the keys typed behind it (an F8 right after a
        scan would find no booking yet)."""
        field = self.query_one("#lookup-query", Input)
        if event.key == "enter" and self.focused is field:
            event.stop()
            event.prevent_default()
            self._search(field)
            return
        character = event.character
        if not character or not (character.isascii() and (character.isalnum() or character in "+-")):
            return
        if self.focused is not field:
            field.value = ""
            self.set_focus(field)  # at once: the rest of the scan follows this key
        field.insert_text_at_cursor(character)
        event.stop()
        event.prevent_default()

    def _found(self, found) -> None:
        self.found = found
        results = self.query_one("#lookup-results", OptionList)
        results.clear_options()
        if not found:
            self.query_one("#lookup-ticket", Static).update("No booking found.")
            return
        for i, (booking, show) in enumerate(found):
            results.add_option(Option(
                f"{booking.code}  {show.title}  {show.local_start:%d %b %H:%M}  "
                f"{len(booking.labels)} seat{'' if len(booking.labels) == 1 else 's'}  "
                f"{rupees(booking.total)}  "
                f"{booking.status.replace('_', ' ')}",
                id=str(i),
            ))
        self.current = min(self.current, len(found) - 1)
        results.highlighted = self.current
        self._show(self.current)
        if len(found) > 1:
            results.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self._show(int(event.option.id))

    def _show(self, index: int) -> None:
        self.current = index
        booking, show = self.found[index]
        self.query_one("#lookup-ticket", Static).update(ticket(booking, show))

    def action_cancel_booking(self) -> None:
        if not self.found:
            self.notify("Find the booking first", severity="warning")
            return
        booking, show = self.found[self.current]
        if not booking.labels:
            self.notify(f"{booking.code} is already cancelled", severity="warning")
            return
        self.app.push_screen(CancelScreen(booking, show), self._cancelled)

    def _cancelled(self, refund: sales.Refund | None) -> None:
        if refund is None:
            return
        how = ("cash from the drawer" if refund.method == PaymentMethod.CASH
               else refund.method.upper())
        self.notify(f"{refund.booking_code}: {', '.join(refund.labels)} cancelled and free "
                    f"again. Refund {rupees(refund.amount)} — {how}", timeout=10)
        run_service(self, _find, self.query_text, done=self._found, group="lookup",
                    exclusive=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refund_money":  # a manager's action; the service checks it again
            operator = self.app.operator
            return operator is not None and bool(operator.is_manager)
        return True

    def action_refund_money(self) -> None:
        from screens.lookup.refund import RefundScreen

        if not self.found:
            self.notify("Find the booking first", severity="warning")
            return
        booking, _ = self.found[self.current]
        self.app.push_screen(RefundScreen(booking), self._refunded)

    def _refunded(self, refund: sales.Refund | None) -> None:
        if refund is None:
            return
        how = ("cash from the drawer" if refund.method == PaymentMethod.CASH
               else refund.method.upper())
        self.notify(f"{refund.booking_code}: refunded {rupees(refund.amount)} — {how}",
                    timeout=10)
        run_service(self, _find, self.query_text, done=self._found, group="lookup",
                    exclusive=True)

    def action_back(self) -> None:
        self.dismiss()
