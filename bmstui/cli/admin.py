"""``bmstui show ...``, ``bmstui audit`` and ``bmstui refund``: scheduling, the audit trail and
a money-only refund from the command line.

Run without a signed-in operator, as the person who administers the database; the TUI makes the
same service calls as the signed-in manager.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime

from rich.console import Console
from rich.table import Table

import bmstui
from bmstui.cli.registry import command
from bmstui.domain.actors import administrator
from bmstui.domain.clock import to_local, utc_range_of_local_day
from bmstui.domain.errors import BookingError
from bmstui.domain.pricing import rupees
from bmstui.services import zones

console = Console()


def _local_time(text: str) -> datetime:
    """'2026-12-31 18:00' or '2026-12-31T18:00' -> a naive wall time (whose zone is that of the
    theater it is for: the caller converts)."""
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=None)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date/time: {text!r} (use 2026-12-31 18:00)") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use 2026-12-31)") from None


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    show = sub.add_parser("show", parents=[common], help="schedule, list, cancel shows")
    show_sub = show.add_subparsers(dest="show_command", metavar="ACTION", required=True)
    listing = show_sub.add_parser("list", parents=[common], help="shows of some days")
    listing.add_argument("--date", type=_day, metavar="DAY", help="first day (default today)")
    listing.add_argument("--days", type=int, default=1, help="how many days (1)")
    listing.add_argument("--theater", metavar="NAME", help="only this theater")
    add = show_sub.add_parser("add", parents=[common], help="schedule a show")
    add.add_argument("--movie", required=True, metavar="TITLE|ID")
    add.add_argument("--screen", required=True, metavar="'THEATER/SCREEN'|ID",
                     help="e.g. 'Rangmahal Andheri West/Audi 1'")
    add.add_argument("--at", required=True, type=_local_time, metavar="'DAY HH:MM'",
                     help="start time on the theater's clock (its time zone)")
    add.add_argument("--format", default="2D", help="2D, 3D, IMAX, 4DX (2D)")
    cancel = show_sub.add_parser("cancel", parents=[common],
                                 help="call a show off, refunding every booking in full")
    cancel.add_argument("show_id", type=int, metavar="SHOW_ID")
    cancel.add_argument("--reason", required=True)
    delete = show_sub.add_parser("delete", parents=[common], help="remove a show nobody bought")
    delete.add_argument("show_id", type=int, metavar="SHOW_ID")

    audit = sub.add_parser("audit", parents=[common], help="the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    trail = audit_sub.add_parser("list", parents=[common], help="newest events first")
    trail.add_argument("--kind", help="sale, cancel, refund, login_failed, ... (login* = prefix)")
    trail.add_argument("--operator", metavar="NAME")
    trail.add_argument("--counter", metavar="NAME", help="one terminal's events")
    trail.add_argument("--booking", metavar="CODE")
    trail.add_argument("--text", help="words in the detail")
    trail.add_argument("--date", type=_day, metavar="DAY", help="one local day")
    trail.add_argument("--limit", type=int, default=100)

    refund = sub.add_parser("refund", parents=[common],
                            help="give money back without cancelling seats")
    refund.add_argument("code", metavar="CODE")
    refund.add_argument("amount", metavar="AMOUNT")
    refund.add_argument("--reason", required=True)


def _screen_id(text: str) -> int:
    from bmstui.services import catalog

    if text.strip().isdigit():
        return int(text)
    theater, _, screen = text.rpartition("/")
    found = catalog.screen_id_named(theater.strip(), screen.strip())
    if found is None:
        raise BookingError(f"No screen {text!r}; write it as 'Theater name/Screen name'")
    return found


def _movie_id(text: str) -> int:
    from bmstui.services import catalog

    if text.strip().isdigit():
        return int(text)
    found = catalog.movie_ids_titled(text.strip())
    if len(found) != 1:
        raise BookingError(f"No single movie titled {text!r}; give its id instead"
                           if found else f"No movie titled {text!r}")
    return found[0]


@command("show add")
def show_add(args) -> int:
    from bmstui.services import scheduling

    bmstui.open_database()
    movie, screen = _movie_id(args.movie), _screen_id(args.screen)
    starts_at = scheduling.local_start(screen, args.at)  # the theater's zone, that date's rules
    show_id = scheduling.create_show(movie, screen, starts_at, args.format,
                                     operator=administrator())
    console.print(f"Scheduled show {show_id} at {args.at:%a %d %b %H:%M} "
                  f"({starts_at:%H:%M} UTC)", highlight=False)
    return 0


@command("show list")
def show_list(args) -> int:
    from bmstui.services import scheduling

    bmstui.open_database()
    first = args.date or zones.today()
    theater_id = None
    if args.theater:
        from bmstui.services import catalog

        theater_id = catalog.theater_id_named(args.theater)
        if theater_id is None:
            raise BookingError(f"No theater named {args.theater!r}")
    table = Table("Id", "Theater", "Screen", "Starts", "Ends", "Movie", "Fmt", "Sold", "Status")
    # Each theater's own local days, and its times on its own clock.
    days = max(1, args.days)
    for s in scheduling.schedule_of_day(first, theater_id=theater_id, days=days):
        table.add_row(str(s.id), s.theater, s.screen,
                      f"{to_local(s.starts_at, s.timezone):%a %d %b %H:%M}",
                      f"{to_local(s.ends_at, s.timezone):%H:%M}", s.movie, s.format,
                      f"{s.sold}/{s.capacity}", s.status)
    console.print(table)
    return 0


@command("show cancel")
def show_cancel(args) -> int:
    from bmstui.services import scheduling

    bmstui.open_database()
    done = scheduling.cancel_show(args.show_id, reason=args.reason,
                                  operator=administrator())
    console.print(f"Show {done.show_id} cancelled: {len(done.refunds)} bookings, {done.seats} "
                  f"seats, {rupees(done.refunded)} refunded", highlight=False)
    for refund in done.refunds:
        console.print(f"  {refund.booking_code}: {rupees(refund.amount)} by {refund.method}",
                      highlight=False)
    return 0


@command("show delete")
def show_delete(args) -> int:
    from bmstui.services import scheduling

    bmstui.open_database()
    scheduling.delete_show(args.show_id, operator=administrator())
    console.print(f"Show {args.show_id} deleted", highlight=False)
    return 0


@command("audit list")
def audit_list(args) -> int:
    from bmstui.services import audit

    bmstui.open_database()
    since = until = None
    if args.date:
        since, until = utc_range_of_local_day(args.date, None)  # the chain's zone
    table = Table("When", "Kind", "Operator", "Terminal", "Booking", "Detail")
    for e in audit.events(kind=args.kind, operator=args.operator, terminal=args.terminal,
                          booking=args.booking, text=args.text, since=since, until=until,
                          limit=args.limit):
        table.add_row(f"{to_local(e.at, None):%Y-%m-%d %H:%M:%S}", e.kind, e.operator, e.terminal,
                      e.booking_code, e.detail)
    console.print(table)
    return 0


@command("refund")
def refund(args) -> int:
    from bmstui.services import sales

    bmstui.open_database()
    done = sales.refund(args.code, args.amount, reason=args.reason,
                        operator=administrator())
    console.print(f"Refunded {rupees(done.amount)} of {done.booking_code} by {done.method}",
                  highlight=False)
    return 0
