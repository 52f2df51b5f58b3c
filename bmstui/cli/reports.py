"""``bmstui report shift|occupancy|sales``: the manager's figures on the command line.

The same ``bmstui.services.reports`` calls the TUI's report screen makes, printed as plain
aligned text (it goes into e-mails and shift logs, so no box drawing or colour), with a bar
chart where a picture helps, or as CSV (``--csv FILE``, or ``--csv -`` for CSV alone on
stdout). Dates are local calendar days of each theater's own time zone (times typed with
--from/--to are on the chain's clock, ``[cinema] timezone``); a bad one ends in one line and exit
code 1 (``BookingError``, see ``bmstui.cli.entry``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import bmstui
from bmstui.cli.registry import command
from bmstui.domain.actors import administrator
from bmstui.domain.clock import to_local, to_utc, utc_range_of_local_day
from bmstui.domain.errors import BookingError
from bmstui.domain.pricing import rupees
from bmstui.domain.report_chart import bars
from bmstui.domain.vocabulary import PaymentMethod
from bmstui.services import zones

CHART_WIDTH = 40
LABEL_WIDTH = 40
METHOD_TITLES = {method: method.title() for method in PaymentMethod}  # the report's columns


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    report = sub.add_parser("report", parents=[common], help="shift, occupancy and sales reports")
    report_sub = report.add_subparsers(dest="report_command", metavar="ACTION", required=True)

    shift = report_sub.add_parser(
        "shift", parents=[common], help="money per operator: sales by method, refunds, cash",
        description="Per operator: bookings, tickets, sales by payment method, refunds and the "
        "cash expected in the drawer.")
    shift.add_argument("--date", metavar="YYYY-MM-DD", help="the local day (default: today)")
    shift.add_argument("--from", dest="since", metavar="WHEN",
                       help="start, local (2026-12-31T14:00); default: the day's start")
    shift.add_argument("--to", dest="until", metavar="WHEN",
                       help="end, local, exclusive; default: the day's end")
    shift.add_argument("--operator", metavar="NAME", help="only this operator")
    _counter_option(shift)
    _csv_option(shift)

    occupancy = report_sub.add_parser(
        "occupancy", parents=[common], help="seats sold and revenue per day and theater",
        description="Per local day and theater: shows, seats, seats sold, occupancy and "
        "revenue (paid − refunded), and a bar chart.")
    _day_range(occupancy)
    occupancy.add_argument("--theater", metavar="NAME", help="only this theater")
    occupancy.add_argument("--city", metavar="NAME", help="only this city's theaters")
    occupancy.add_argument("--chart", choices=("occupancy", "revenue", "none"),
                           default="occupancy", help="what the bars show (default: occupancy)")
    _csv_option(occupancy)

    sales = report_sub.add_parser(
        "sales", parents=[common], help="bookings, discounts, refunds and net, grouped",
        description="Bookings sold and refunds made in the period, grouped.")
    _day_range(sales)
    sales.add_argument("--by", dest="group", choices=("day", "theater", "movie", "method", "channel"),
                       default="day", help="grouping (default: day)")
    sales.add_argument("--theater", metavar="NAME", help="only this theater")
    sales.add_argument("--city", metavar="NAME", help="only this city's theaters")
    sales.add_argument("--operator", metavar="NAME", help="only what this operator did")
    _counter_option(sales)
    _csv_option(sales)


def _day_range(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="day_from", metavar="YYYY-MM-DD",
                        help="first local day (default: today)")
    parser.add_argument("--to", dest="day_to", metavar="YYYY-MM-DD",
                        help="last local day, included (default: the first)")


def _counter_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--counter", metavar="NAME",
                        help="only this counter (terminal); the global --terminal does the same")


def _counter(args) -> str | None:
    """The counter to report on: --counter, else a --terminal given on this command line
    (never the configured terminal name: a report is for the whole cinema unless asked)."""
    return args.counter or getattr(args, "terminal", None)


def _csv_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", metavar="FILE", help="also write the lines as CSV to FILE; "
                        "'-' prints only the CSV")


# --- parsing --------------------------------------------------------------------------------

def parse_day(text: str | None, flag: str, default: date) -> date:
    """A local day from YYYY-MM-DD, or BookingError naming the flag."""
    if text is None:
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BookingError(f"{flag}: not a date: {text[:40]!r} (use YYYY-MM-DD, "
                           f"e.g. 2026-12-31)") from None


def parse_local_time(text: str, flag: str) -> datetime:
    """A date or date-time (2026-12-31T14:00) on the chain's clock -> naive UTC, or
    BookingError."""
    try:
        return to_utc(datetime.fromisoformat(text.strip()).replace(tzinfo=None),
                      zones.chain_zone())
    except ValueError:
        raise BookingError(f"{flag}: not a date/time: {text[:40]!r} (use YYYY-MM-DDTHH:MM, "
                           f"e.g. 2026-12-31T14:00)") from None


def _today() -> date:
    """The chain's today (its theaters' zone unless [cinema] timezone says): needs the catalog."""
    bmstui.open_database()
    return zones.today()


def _days(args) -> tuple[date, date]:
    first = parse_day(args.day_from, "--from", None) if args.day_from else _today()
    return first, parse_day(args.day_to, "--to", first)


# --- printing -------------------------------------------------------------------------------

def amount(value: Decimal) -> str:
    """Rupees with the sign in front: -₹206.00, not ₹-206.00."""
    return f"-{rupees(-value)}" if value < 0 else rupees(value)


def table(header: list[str], rows: list[list[str]], *, total: list[str] | None = None,
          left: int = 1) -> list[str]:
    """Plain aligned text: the first ``left`` columns left-aligned, the figures right-aligned,
    a rule under the header and above the totals row."""
    every = [header, *rows, *([total] if total else [])]
    widths = [max(len(row[i]) for row in every) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(cell.ljust(width) if i < left else cell.rjust(width)
                         for i, (cell, width) in enumerate(zip(row, widths, strict=True))
                         ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    out = [line(header), rule, *(line(row) for row in rows)]
    if total:
        out += [rule, line(total)]
    return out


def _emit(args, lines, kind, text: list[str]) -> None:
    """The table and chart, or the CSV on stdout, or both with the CSV in a file."""
    from bmstui.services import reports

    if args.csv == "-":
        sys.stdout.write(reports.to_csv(lines, kind))
        return
    print("\n".join(text))
    if args.csv:
        path = Path(args.csv).expanduser()
        try:
            path.write_text(reports.to_csv(lines, kind), encoding="utf-8")
        except OSError as exc:
            raise BookingError(f"Cannot write {path}: {exc.strerror or exc}") from None
        print(f"\nCSV: {len(lines)} line{'s' if len(lines) != 1 else ''} written to {path}")


def _period(first: date, last: date) -> str:
    return f"{first:%a %d %b %Y}" + (f" – {last:%a %d %b %Y}" if last != first else "")


# --- commands -------------------------------------------------------------------------------

@command("report shift")
def report_shift(args) -> int:
    from bmstui.services import reports

    day = parse_day(args.date, "--date", None) if args.date else _today()
    window = {"day_from": day}  # the day of each theater's zone
    title = f"Shift {day:%a %d %b %Y} (each theater's local day)"
    if args.since or args.until:  # a window on the chain's clock
        bmstui.open_database()
        chain = zones.chain_zone()
        since, until = utc_range_of_local_day(day, chain)
        if args.since:
            since = parse_local_time(args.since, "--from")
        if args.until:
            until = parse_local_time(args.until, "--to")
        if until <= since:
            raise BookingError("--to must be after --from")
        window = {"since": since, "until": until}
        title = (f"Shift {to_local(since, chain):%a %d %b %Y %H:%M} – "
                 f"{to_local(until, chain):%a %d %b %Y %H:%M}")
    terminal = _counter(args)
    bmstui.open_database()
    lines = reports.shift(**window, operator=args.operator, terminal=terminal,
                          by=administrator())
    title = (title
             + (f", operator {args.operator}" if args.operator else "")
             + (f", counter {terminal}" if terminal else ""))
    methods = list(METHOD_TITLES)
    header = ["Operator", "Bookings", "Tickets", *METHOD_TITLES.values(), "Gross",
              "Refunded seats", "Refunds", "Cash refunds", "Net", "Cash expected"]

    def row(line) -> list[str]:
        return [line.operator, str(line.bookings), str(line.tickets),
                *(amount(line.sales.get(method, Decimal(0))) for method in methods),
                amount(line.gross), str(line.refunded_tickets), amount(line.refunds_total),
                amount(line.refunds.get(PaymentMethod.CASH, Decimal(0))), amount(line.net),
                amount(line.cash_expected)]

    if lines:
        text = [title, "", *table(header, [row(line) for line in lines],
                                  total=row(reports.shift_totals(lines)))]
    else:
        text = [title, "", "No sales or refunds in this window."]
    _emit(args, lines, reports.ShiftLine, text)
    return 0


@command("report occupancy")
def report_occupancy(args) -> int:
    from bmstui.services import reports

    first, last = _days(args)
    bmstui.open_database()
    lines = reports.occupancy(day_from=first, day_to=last, theater=args.theater, city=args.city,
                              by=administrator())
    title = (f"Occupancy {_period(first, last)}"
             + (f", {args.theater}" if args.theater else "")
             + (f", {args.city}" if args.city else ""))
    header = ["Date", "City", "Theater", "Shows", "Cancelled", "Seats", "Sold", "Occupancy",
              "Revenue"]

    def row(line, day: str) -> list[str]:
        return [day, line.city, line.theater, str(line.shows), str(line.cancelled_shows),
                str(line.capacity), str(line.sold), f"{line.occupancy}%", amount(line.revenue)]

    if not lines:
        _emit(args, lines, reports.OccupancyLine, [title, "", "No shows on these days."])
        return 0
    text = [title, "", *table(header, [row(line, line.day.isoformat()) for line in lines],
                              total=row(reports.occupancy_totals(lines), ""), left=3)]
    if args.chart != "none":
        labels = [f"{line.day:%d %b} {line.theater}" for line in lines]
        if args.chart == "occupancy":
            items = [(label, float(line.occupancy)) for label, line in zip(labels, lines,
                                                                           strict=True)]
            chart = bars(items, CHART_WIDTH, scale=100, max_label_width=LABEL_WIDTH,
                         fmt=lambda value: f"{value:.1f}%")
        else:
            items = [(label, float(line.revenue)) for label, line in zip(labels, lines,
                                                                         strict=True)]
            chart = bars(items, CHART_WIDTH, max_label_width=LABEL_WIDTH,
                         fmt=lambda value: amount(Decimal(str(value))))
        text += ["", f"{args.chart.title()} per day and theater", *chart]
    _emit(args, lines, reports.OccupancyLine, text)
    return 0


@command("report sales")
def report_sales(args) -> int:
    from bmstui.services import reports

    first, last = _days(args)
    terminal = _counter(args)
    bmstui.open_database()
    lines = reports.sales(day_from=first, day_to=last, group=args.group, theater=args.theater,
                          city=args.city, operator=args.operator, terminal=terminal,
                          by=administrator())
    title = (f"Sales {_period(first, last)} by {args.group}"
             + "".join(f", {what}" for what in (args.theater, args.city) if what)
             + (f", operator {args.operator}" if args.operator else "")
             + (f", counter {terminal}" if terminal else ""))
    header = [{"day": "Day", "theater": "Theater", "movie": "Movie",
               "method": "Method", "channel": "Channel"}[args.group], "Bookings", "Tickets", "Gross", "Discounts",
              "Refunded seats", "Refunds", "Net"]

    def row(line) -> list[str]:
        key = METHOD_TITLES.get(line.key, line.key) if args.group == "method" else line.key
        return [key, str(line.bookings), str(line.tickets), amount(line.gross),
                amount(line.discounts), str(line.refunded_tickets), amount(line.refunds),
                amount(line.net)]

    if not lines:
        _emit(args, lines, reports.SalesLine, [title, "", "No sales or refunds."])
        return 0
    text = [title, "", *table(header, [row(line) for line in lines],
                              total=row(reports.sales_totals(lines)))]
    if len(lines) > 1:
        chart = bars([(row(line)[0], float(line.net)) for line in lines], CHART_WIDTH,
                     max_label_width=LABEL_WIDTH, fmt=lambda value: amount(Decimal(str(value))))
        text += ["", "Net per " + args.group, *chart]
    _emit(args, lines, reports.SalesLine, text)
    return 0

