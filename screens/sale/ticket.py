"""The sold ticket: shown in the terminal, saved as text (for the printer spool) or SVG."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from bmstui.export.tickets import export_ticket, ticket
from bmstui.services.catalog import ShowInfo
from bmstui.services.sales import Booking
from screens.background import run_service
from screens.widgets.heading import Heading


class TicketScreen(Screen):
    BINDINGS = [
        Binding("enter", "new_sale", "New sale"),
        Binding("t", "export('txt')", "Save text"),
        Binding("s", "export('svg')", "Save SVG"),
        Binding("escape", "new_sale", "Back to movies", show=False),
    ]

    def __init__(self, booking: Booking, show: ShowInfo) -> None:
        super().__init__()
        self.booking = booking
        self.show = show

    def compose(self) -> ComposeResult:
        yield Heading()
        with VerticalScroll(id="ticket-body"):
            yield Static(f"Sold — booking {self.booking.code}", id="ticket-heading")
            with Center():
                yield Static(ticket(self.booking, self.show), id="ticket")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"ticket {self.booking.code}"

    def action_new_sale(self) -> None:
        self.dismiss()

    def action_export(self, kind: str) -> None:
        path = self.app.tickets_dir / f"{self.booking.code}.{kind}"
        run_service(self, export_ticket, self.booking, self.show, path,
                    done=lambda written: self.notify(f"Saved {written}"), group="export")
