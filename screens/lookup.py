"""Finding a booking by its code or the customer's phone number."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from bmstui.pricing import rupees
from bmstui.services import catalog, sales
from bmstui.tickets import ticket
from screens.background import run_service


def _find(text: str):
    """Bookings with the show each is for (one service round per distinct show)."""
    found = sales.find_bookings(text)
    shows = {booking.show_id: catalog.show(booking.show_id)
             for booking in found}
    return [(booking, shows[booking.show_id]) for booking in found]


class LookupScreen(Screen):
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self) -> None:
        super().__init__()
        self.found = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Booking code (BMS-…) or customer phone, then enter",
                    id="lookup-query")
        with Horizontal(id="lookup-body"):
            yield OptionList(id="lookup-results")
            with VerticalScroll(id="lookup-detail"):
                yield Static(id="lookup-ticket")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "find a booking"
        self.query_one("#lookup-query", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            run_service(self, _find, text, done=self._found, group="lookup", exclusive=True)

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
                f"{len(booking.labels)} seats  {rupees(booking.total)}  {booking.status}",
                id=str(i),
            ))
        results.highlighted = 0
        self._show(0)
        if len(found) > 1:
            results.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self._show(int(event.option.id))

    def _show(self, index: int) -> None:
        booking, show = self.found[index]
        self.query_one("#lookup-ticket", Static).update(ticket(booking, show))

    def action_back(self) -> None:
        self.dismiss()
