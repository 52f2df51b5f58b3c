"""A sold booking as a printable ticket: one rich renderable for the screen, the printer
spool (plain text) and an SVG for e-mail, so all three always say the same thing."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bmstui.domain.errors import BookingError, shown
from bmstui.domain.pricing import rupees
from bmstui.domain.vocabulary import PaymentMethod

if TYPE_CHECKING:  # the services' answers are printed, never asked for: no import at run time
    from bmstui.services.catalog import ShowInfo
    from bmstui.services.sales import Booking

TICKET_WIDTH = 52


def ticket(booking: Booking, show: ShowInfo) -> Panel:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("Movie", f"{show.title} ({show.certificate}) · {show.language} · {show.format}")
    facts.add_row("When", f"{show.local_start:%a %d %b %Y, %H:%M}")
    facts.add_row("Where", f"{show.theater}, {show.screen}")
    facts.add_row("Seats", ", ".join(booking.labels) or "none (cancelled)")
    if booking.discount:
        facts.add_row("Subtotal", rupees(booking.subtotal))
        facts.add_row("Coupon", f"{booking.coupon} -{rupees(booking.discount)}")
    facts.add_row("Total", rupees(booking.total))
    pay = booking.payment
    paid = pay.method.upper()
    if pay.method == PaymentMethod.CASH and pay.tendered is not None:
        paid += f" — tendered {rupees(pay.tendered)}, change {rupees(pay.change or 0)}"
    elif pay.reference:
        paid += f" — ref {pay.reference}"
    facts.add_row("Paid", paid)
    if booking.customer_name or booking.customer_phone:
        facts.add_row("Customer", " ".join(filter(None, (booking.customer_name,
                                                         booking.customer_phone))))
    if booking.cancelled:
        facts.add_row("Cancelled", ", ".join(booking.cancelled))
        facts.add_row("Refunded", f"{rupees(booking.refunded)} by {pay.method}")
    code = Text(booking.code, style="bold reverse", justify="center")
    footer = Text(
        f"{booking.status.replace('_', ' ')} · counter {booking.terminal} · {booking.created_at:%d %b %Y %H:%M} UTC",
        style="dim", justify="center",
    )
    return Panel(Group(code, Text(""), facts, Text(""), footer), title="bmstui · admit "
                 f"{len(booking.labels)}", width=TICKET_WIDTH, padding=(1, 2))


def ticket_text(booking: Booking, show: ShowInfo) -> str:
    console = Console(file=io.StringIO(), width=TICKET_WIDTH, color_system=None, record=True)
    console.print(ticket(booking, show))
    return console.export_text()


def export_ticket(booking: Booking, show: ShowInfo, path: Path) -> Path:
    """Write the ticket as .svg or plain text (any other suffix); returns the path written.
    A path that is not one, or cannot be written, is a BookingError saying so."""
    if not isinstance(path, str | os.PathLike) or not str(path).strip() or "\x00" in str(path):
        raise BookingError(f"A ticket is written to a file path, not "
                           f"{shown(path, 40, quoted=True)}")
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".svg":
            console = Console(file=io.StringIO(), width=TICKET_WIDTH, record=True)
            console.print(ticket(booking, show))
            path.write_text(console.export_svg(title=booking.code), encoding="utf-8")
        else:
            path.write_text(ticket_text(booking, show), encoding="utf-8")
    except (OSError, UnicodeEncodeError) as exc:
        raise BookingError(f"Cannot write the ticket to {shown(path, 60)}: "
                           f"{shown(getattr(exc, 'strerror', None) or exc, 60)}") from None
    return path
