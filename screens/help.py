"""Every key of the app on one page (F1 or ? anywhere)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = {
    "Anywhere": [
        ("F1 / ?", "this help"), ("ctrl+f", "find a booking by code or phone"),
        ("ctrl+p", "command palette (change city, find booking, sign out, theme…)"),
        ("F9", "the manager's desk (managers)"), ("ctrl+q", "quit"),
    ],
    "Cities and movies": [
        ("↑ ↓", "move"), ("enter", "open the city / the movie's shows / the show"),
        ("/", "search titles"), ("tab", "the filters: day, language, genre, certificate, "
                                       "theater"), ("x", "clear the filters"), ("escape", "back"),
    ],
    "Seat grid": [
        ("arrows / mouse", "move between seats"), ("space / click", "choose or drop a seat"),
        ("1 … 9", "the best N free seats"), ("c", "clear the choice"),
        ("enter", "hold the seats and take payment"), ("r", "reload"), ("escape", "back"),
    ],
    "Checkout": [
        ("F2 F3 F4 F5", "cash, card, UPI, netbanking"), ("type digits", "cash tendered"),
        ("enter / F10", "confirm the sale"), ("F6", "extend the time (once)"),
        ("new coupon + enter", "apply it first (the bill shows the discount or why not); "
                               "enter again confirms"),
        ("space", "on the payment methods: pick the highlighted one"),
        ("escape", "release the seats and go back"),
    ],
    "Ticket": [("t / s", "save as text / SVG"), ("enter", "next sale")],
    "Locked counter (idle)": [
        ("password + enter", "carry on where you were"),
        ("F2", "sign in as someone else (signs the current operator out)"),
    ],
    "Find booking": [
        ("enter", "search by code or phone"), ("↑ ↓", "choose a booking"),
        ("F8", "cancel seats and refund (space ticks seats, F10 confirms)"),
        ("F7", "refund money, seats stay sold (managers; a reason is required)"),
    ],
    "Manager's desk": [
        ("F2 … F8", "schedule, reports, audit trail, movies, coupons, operators, channels"),
        ("n", "new show / movie / coupon / operator"), ("e / enter", "edit the row"),
        ("x", "cancel the show (every booking refunded)"), ("delete", "delete an unsold show"),
        ("[ ]", "previous / next day"), ("ctrl+e", "export the report as CSV"),
        ("escape", "back to sales"),
    ],
}


def keys_table() -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for section, keys in KEYS.items():
        table.add_row(f"[reverse] {section} [/]", "")
        for key, what in keys:
            table.add_row(key, what)
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(keys_table())
