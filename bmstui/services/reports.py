"""The manager's figures: a shift's money per operator, occupancy per day and theater, sales.

Every report is a list of frozen dataclass lines the TUI draws, the command line prints and
``to_csv`` exports alike. What counts, decided once here:

* **Money that moved, when it moved.** A sale counts on the day (and in the shift) its payment
  was taken, to the operator who took it (``Payment.operator``); a refund counts when it was
  made, to the operator who made it (``Refund.operator``), whichever booking it was for and
  whoever sold it. So a shift's cash_expected is exactly what that clerk's drawer should hold
  more than at the start: cash taken − cash given back.
* **Tickets** are the seats on a booking when it was sold; seats given back later are counted
  separately (``refunded_tickets``), never subtracted from the sale.
* **Occupancy** is per show, by the show's local start day: seats ``booked`` now (held seats
  are not sold) over the show's sellable seats (``blocked`` ones excluded). Cancelled shows
  count in ``cancelled_shows`` only, not in shows, capacity or sold. A show's **revenue** is
  what its bookings were paid (``Booking.total``, after coupons) minus every refund made for
  them so far: cancelled shows included, so money not yet refunded still shows.
* Dates are local calendar days of each theater's own zone (``Theater.timezone``, by that
  date's rules; ``bmstui.services.zones``): a chain's day is each theater's day, queried as one
  UTC range per zone. Money counts on the local day of the theater whose show it was for.
  Sums of money are added up as Decimals in Python (SQLite would sum them as floats).

Every report takes ``by``, the signed-in operator: a manager, or ``None`` for the command line
and scripts; a cashier gets ``NotAuthorized``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import peewee as pw

from bmstui.domain.clock import to_local
from bmstui.domain.errors import BookingError, shown
from bmstui.domain.ids import MAX_ID, parse_count, parse_day, parse_id, parse_moment
from bmstui.domain.pricing import money
from bmstui.domain.text import clean_text
from bmstui.domain.vocabulary import PaymentMethod, SeatStatus, ShowStatus
from bmstui.export.report_csv import to_csv  # noqa: F401 -- part of the reports API
from bmstui.services import operators, zones
from bmstui.store.db import database
from bmstui.store.models import (
    PAYMENT_METHODS,
    Booking,
    City,
    Movie,
    Operator,
    Payment,
    Refund,
    Screen,
    Show,
    ShowSeat,
    Theater,
)

NO_OPERATOR = "(no operator)"  # sales and refunds made by scripts or the command line
TOTAL = "Total"
ZERO = Decimal("0.00")
SALES_GROUPS = ("day", "theater", "movie", "method", "channel")
COUNTERS = "counters"  # the channel of every sale made at a counter
MAX_DAYS = 366  # one report at most a year long: a typo of a year would scan the whole history


@dataclass(frozen=True)
class ShiftLine:
    operator: str  # the operator's name; NO_OPERATOR for scripts; TOTAL on a totals line
    bookings: int  # bookings paid in the window
    tickets: int  # seats on those bookings when sold
    sales: dict[str, Decimal]  # payment method -> amount taken; every method present
    gross: Decimal  # all amounts taken
    refunded_tickets: int  # seats given back by this operator in the window
    refunds: dict[str, Decimal]  # method -> amount refunded; every method present
    refunds_total: Decimal
    cash_expected: Decimal  # cash taken − cash refunded: what the drawer should have gained
    net: Decimal  # gross − refunds_total


@dataclass(frozen=True)
class ShowOccupancy:
    show_id: int
    starts_at: datetime  # local
    day: date  # local day of the start
    city: str
    theater: str
    screen: str
    movie: str
    status: str  # scheduled | cancelled
    capacity: int  # sellable seats (blocked ones excluded)
    sold: int  # seats booked now
    occupancy: Decimal  # percent, one decimal
    revenue: Decimal  # bookings' totals − refunds for them


@dataclass(frozen=True)
class OccupancyLine:
    day: date  # local
    city: str
    theater: str  # TOTAL on a totals line
    shows: int  # scheduled shows (cancelled ones are in cancelled_shows only)
    cancelled_shows: int
    capacity: int  # sellable seats of the scheduled shows
    sold: int  # seats booked for them
    occupancy: Decimal  # sold / capacity in percent, one decimal; 0 without seats
    revenue: Decimal  # every show of the day, cancelled ones too: paid − refunded


@dataclass(frozen=True)
class SalesLine:
    key: str  # the local day (ISO), theater, movie or payment method; TOTAL on a totals line
    bookings: int  # bookings sold in the period
    tickets: int  # seats on them when sold
    gross: Decimal  # their list price (subtotal)
    discounts: Decimal  # coupon discounts on them
    refunded_tickets: int  # seats given back in the period (any booking's)
    refunds: Decimal  # money given back in the period
    net: Decimal  # gross − discounts − refunds: the money the period kept


def percent(part: int, whole: int) -> Decimal:
    """``part`` of ``whole`` in percent, one decimal, half up; 0 when there is no whole."""
    part = parse_count(part, "part", most=MAX_ID)
    whole = parse_count(whole, "whole", most=MAX_ID)
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _methods() -> dict[str, Decimal]:
    return dict.fromkeys(PAYMENT_METHODS, ZERO)


def _labels_count(labels: str) -> int:
    return len([label for label in labels.split(",") if label.strip()])


def _local_days(field, day_from: date, day_to: date) -> pw.Expression:
    """SQL: ``field`` falls on the local days day_from..day_to (both included) of its
    theater's zone (the query joins Theater)."""
    if day_to < day_from:
        raise BookingError(f"The report ends ({day_to}) before it starts ({day_from})")
    if (day_to - day_from).days >= MAX_DAYS:
        raise BookingError(f"A report covers at most {MAX_DAYS} days")
    return zones.local_days(field, day_from, day_to)


def _operator_id(operator) -> int:
    """The id of an operator given by name, id, OperatorInfo or row (unknown: BookingError)."""
    return operators.get(operator).id


def _by_whom(queries, operator, terminal) -> list:
    """Each (query, model) narrowed to one operator and/or one counter, when asked."""
    operator_id = None if operator is None else _operator_id(operator)
    narrowed = []
    for query, model in queries:
        if operator_id is not None:
            query = query.where(model.operator == operator_id)
        if terminal is not None:
            query = query.where(model.terminal == clean_text(terminal))
        narrowed.append(query)
    return narrowed


def _place(value, what: str) -> int | str | None:
    """A theater or city filter as given: None (all), a name (text), or an id."""
    if value is None or isinstance(value, str):
        return value if value is None else clean_text(value)
    return parse_id(value, what)


def _at_place(query, theater=None, city=None):
    """Join a query that has Show in it on to its Screen, Theater and City, and keep only one
    theater and/or city (each by id or name) if asked."""
    query = (query.join(Screen, on=(Show.screen == Screen.id))
             .join(Theater, on=(Screen.theater == Theater.id))
             .join(City, on=(Theater.city == City.id)))
    if theater is not None:
        query = query.where(Theater.id == theater if isinstance(theater, int)
                            else Theater.name == str(theater).strip())
    if city is not None:
        query = query.where(City.id == city if isinstance(city, int)
                            else City.name == str(city).strip())
    return query


# --- shift ----------------------------------------------------------------------------------

def shift(*, since: datetime | None = None, until: datetime | None = None,
          day_from: date | None = None, day_to: date | None = None, operator=None,
          terminal=None, by=None) -> list[ShiftLine]:
    """Per operator active in the UTC window [since, until), or on the local days
    day_from..day_to (each payment or refund on the day of its show's theater's zone): what
    they sold, by payment method, what they refunded, and the cash their drawer should have
    gained. ``operator`` (name, id or OperatorInfo) and ``terminal`` narrow it to one clerk or
    one counter. Sorted by name, scripts last."""
    operators.require_manager(by, "seeing reports")
    if day_from is not None:
        day_from = parse_day(day_from, "first day")
        day_to = day_from if day_to is None else parse_day(day_to, "last day")

        def window(field):
            return _local_days(field, day_from, day_to)
    else:
        if since is None or until is None:
            raise BookingError("A shift needs its days, or its start and end")
        since, until = parse_moment(since, "shift's start"), parse_moment(until, "shift's end")
        if until <= since:
            raise BookingError("A shift ends after it starts")

        def window(field):
            return (field >= since) & (field < until)
    with database.connection_context():
        payments = _at_place(
            Payment.select(Payment.operator, Payment.method, Payment.amount, Booking.seat_count)
            .join(Booking, on=(Payment.booking == Booking.id))
            .join(Show, on=(Booking.show == Show.id))).where(window(Payment.created_at))
        refunds = _at_place(
            Refund.select(Refund.operator, Refund.method, Refund.amount, Refund.labels)
            .join(Booking, on=(Refund.booking == Booking.id))
            .join(Show, on=(Booking.show == Show.id))).where(window(Refund.created_at))
        payments, refunds = _by_whom(((payments, Payment), (refunds, Refund)), operator,
                                     terminal)
        paid = list(payments.tuples())
        given_back = list(refunds.tuples())
        names = {None: NO_OPERATOR,
                 **dict(Operator.select(Operator.id, Operator.name).tuples())}
    figures: dict[int | None, dict] = defaultdict(lambda: {
        "bookings": 0, "tickets": 0, "sales": _methods(), "refunded_tickets": 0,
        "refunds": _methods()})
    for operator_id, method, amount, seats in paid:
        line = figures[operator_id]
        line["bookings"] += 1
        line["tickets"] += seats
        line["sales"][method] = line["sales"].get(method, ZERO) + money(amount)
    for operator_id, method, amount, labels in given_back:
        line = figures[operator_id]
        line["refunded_tickets"] += _labels_count(labels)
        line["refunds"][method] = line["refunds"].get(method, ZERO) + money(amount)
    lines = [_shift_line(names.get(operator_id, f"#{operator_id}"), **values)
             for operator_id, values in figures.items()]
    return sorted(lines, key=lambda line: (line.operator == NO_OPERATOR, line.operator))


def _shift_line(name: str, *, bookings: int, tickets: int, sales: dict, refunded_tickets: int,
                refunds: dict) -> ShiftLine:
    gross = sum(sales.values(), ZERO)
    refunds_total = sum(refunds.values(), ZERO)
    return ShiftLine(
        operator=name, bookings=bookings, tickets=tickets, sales=dict(sales), gross=gross,
        refunded_tickets=refunded_tickets, refunds=dict(refunds), refunds_total=refunds_total,
        cash_expected=sales.get(PaymentMethod.CASH, ZERO) - refunds.get(PaymentMethod.CASH, ZERO),
        net=gross - refunds_total,
    )


def shift_totals(lines: list[ShiftLine]) -> ShiftLine:
    """The whole window on one line (operator TOTAL): every counter's drawer together."""
    sales, refunds = _methods(), _methods()
    for line in lines:
        for method, amount in line.sales.items():
            sales[method] = sales.get(method, ZERO) + amount
        for method, amount in line.refunds.items():
            refunds[method] = refunds.get(method, ZERO) + amount
    return _shift_line(TOTAL, bookings=sum(line.bookings for line in lines),
                       tickets=sum(line.tickets for line in lines), sales=sales,
                       refunded_tickets=sum(line.refunded_tickets for line in lines),
                       refunds=refunds)


# --- occupancy ------------------------------------------------------------------------------

def show_occupancy(*, day_from: date, day_to: date, theater=None, city=None,
                   by=None) -> list[ShowOccupancy]:
    """Every show starting on the local days day_from..day_to (both included), cancelled ones
    too, with its seats sold and its revenue; the drill-down under ``occupancy``. In start
    order."""
    operators.require_manager(by, "seeing reports")
    day_from, day_to = parse_day(day_from, "first day"), parse_day(day_to, "last day")
    theater, city = _place(theater, "theater"), _place(city, "city")
    on_days = _local_days(Show.starts_at, day_from, day_to)

    def in_range(query):
        return _at_place(query, theater, city).where(on_days)

    with database.connection_context():
        shows = list(in_range(
            Show.select(Show.id, Show.starts_at, Show.status, City.name, Theater.name,
                        Screen.name, Movie.title, Theater.timezone)
            .join(Movie, on=(Show.movie == Movie.id)).switch(Show)
        ).order_by(Show.starts_at, Theater.name, Screen.name).tuples())
        seats = in_range(
            ShowSeat.select(ShowSeat.show, ShowSeat.status, pw.fn.COUNT(ShowSeat.id))
            .join(Show, on=(ShowSeat.show == Show.id))
        ).group_by(ShowSeat.show, ShowSeat.status).tuples()
        paid = in_range(Booking.select(Booking.show, Booking.total)
                        .join(Show, on=(Booking.show == Show.id))).tuples()
        refunded = in_range(Refund.select(Booking.show, Refund.amount)
                            .join(Booking, on=(Refund.booking == Booking.id))
                            .join(Show, on=(Booking.show == Show.id))).tuples()
        capacity: dict[int, int] = defaultdict(int)
        sold: dict[int, int] = defaultdict(int)
        for show_id, status, count in seats:
            if status != SeatStatus.BLOCKED:
                capacity[show_id] += count
            if status == SeatStatus.BOOKED:
                sold[show_id] += count
        revenue: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for show_id, total in paid:
            revenue[show_id] += money(total)
        for show_id, amount in refunded:
            revenue[show_id] -= money(amount)
    lines = []
    for show_id, starts_at, status, city_name, theater_name, screen, movie, tz in shows:
        local = to_local(starts_at, zones.resolve(tz, theater_name))
        lines.append(ShowOccupancy(
            show_id=show_id, starts_at=local, day=local.date(), city=city_name,
            theater=theater_name, screen=screen, movie=movie, status=status,
            capacity=capacity[show_id], sold=sold[show_id],
            occupancy=percent(sold[show_id], capacity[show_id]), revenue=revenue[show_id]))
    return lines


def occupancy(*, day_from: date, day_to: date, theater=None, city=None,
              by=None) -> list[OccupancyLine]:
    """Per local day and theater: shows, seats, seats sold, occupancy and revenue (see the
    module's docstring for what counts). Days in order, theaters by city and name."""
    groups: dict[tuple, dict] = {}
    for show in show_occupancy(day_from=day_from, day_to=day_to, theater=theater, city=city,
                               by=by):
        group = groups.setdefault((show.day, show.city, show.theater), {
            "shows": 0, "cancelled_shows": 0, "capacity": 0, "sold": 0, "revenue": ZERO})
        if show.status == ShowStatus.CANCELLED:
            group["cancelled_shows"] += 1
        else:
            group["shows"] += 1
            group["capacity"] += show.capacity
            group["sold"] += show.sold
        group["revenue"] += show.revenue
    return [
        OccupancyLine(day=day, city=city_name, theater=theater_name,
                      occupancy=percent(values["sold"], values["capacity"]), **values)
        for (day, city_name, theater_name), values in sorted(groups.items())
    ]


def occupancy_totals(lines: list[OccupancyLine]) -> OccupancyLine | None:
    """Every line together (theater TOTAL, day the first line's); None for no lines."""
    if not lines:
        return None
    capacity, sold = sum(line.capacity for line in lines), sum(line.sold for line in lines)
    return OccupancyLine(
        day=lines[0].day, city="", theater=TOTAL, shows=sum(line.shows for line in lines),
        cancelled_shows=sum(line.cancelled_shows for line in lines), capacity=capacity,
        sold=sold, occupancy=percent(sold, capacity),
        revenue=sum((line.revenue for line in lines), ZERO))


# --- sales ----------------------------------------------------------------------------------

def sales(*, day_from: date, day_to: date, group: str = "day", theater=None, city=None,
          operator=None, terminal=None, by=None) -> list[SalesLine]:
    """Bookings sold and refunds made on the local days day_from..day_to, grouped by the local
    day it happened, the show's theater or movie, or the payment method (a refund goes back by
    its payment's method), or the channel that sold it (each online channel, and "counters").
    Grouped by day, every day of the range has a line; by method, every method. ``operator``/``terminal`` narrow it to whoever sold or refunded, where."""
    operators.require_manager(by, "seeing reports")
    if group not in SALES_GROUPS:
        raise BookingError(f"Sales are grouped by {', '.join(SALES_GROUPS)}, "
                           f"not {shown(group, 20, quoted=True)}")
    day_from, day_to = parse_day(day_from, "first day"), parse_day(day_to, "last day")
    theater, city = _place(theater, "theater"), _place(city, "city")
    with database.connection_context():
        sold = _at_place(
            Booking.select(Booking.id, Booking.created_at, Booking.seat_count, Booking.subtotal,
                           Booking.discount, Theater.name, Movie.title, Payment.method,
                           Theater.timezone, Booking.terminal)
            .join(Payment, pw.JOIN.LEFT_OUTER, on=(Payment.booking == Booking.id))
            .switch(Booking).join(Show, on=(Booking.show == Show.id))
            .join(Movie, on=(Show.movie == Movie.id)).switch(Show), theater, city
        ).where(_local_days(Booking.created_at, day_from, day_to))
        refunds = _at_place(
            Refund.select(Refund.id, Refund.created_at, Refund.labels, Refund.amount,
                          Theater.name, Movie.title, Refund.method, Theater.timezone,
                          Booking.terminal)
            .join(Booking, on=(Refund.booking == Booking.id))
            .join(Show, on=(Booking.show == Show.id))
            .join(Movie, on=(Show.movie == Movie.id)).switch(Show), theater, city
        ).where(_local_days(Refund.created_at, day_from, day_to))
        sold, refunds = _by_whom(((sold, Booking), (refunds, Refund)), operator, terminal)
        sold_rows = list(sold.order_by(Booking.id, Payment.id).tuples())
        refund_rows = list(refunds.tuples())

    def key_of(when: datetime, theater_name: str, title: str, method: str | None,
               tz: str, sold_at: str) -> str:
        if group == "day":  # the day at the theater the show was for
            return to_local(when, zones.resolve(tz, theater_name)).date().isoformat()
        if group == "channel":  # who sold it: an online channel, or the counters
            return sold_at.removeprefix("online:") if sold_at.startswith("online:") else COUNTERS
        return {"theater": theater_name, "movie": title, "method": method or "?"}[group]

    figures: dict[str, dict] = {}
    if group == "day":
        for n in range((day_to - day_from).days + 1):
            figures[(day_from + timedelta(days=n)).isoformat()] = _sales_zero()
    elif group == "method":
        figures.update((method, _sales_zero()) for method in PAYMENT_METHODS)
    seen: set[int] = set()
    for (booking_id, when, seats, subtotal, discount, theater_name, title, method, tz,
         sold_at) in sold_rows:
        if booking_id in seen:  # a second payment of one booking: the booking counts once
            continue
        seen.add(booking_id)
        line = figures.setdefault(key_of(when, theater_name, title, method, tz, sold_at),
                                  _sales_zero())
        line["bookings"] += 1
        line["tickets"] += seats
        line["gross"] += money(subtotal)
        line["discounts"] += money(discount)
    for _, when, labels, amount, theater_name, title, method, tz, sold_at in refund_rows:
        line = figures.setdefault(key_of(when, theater_name, title, method, tz, sold_at),
                                  _sales_zero())
        line["refunded_tickets"] += _labels_count(labels)
        line["refunds"] += money(amount)
    keys = figures if group in ("day", "method") else sorted(figures)
    return [_sales_line(key, **figures[key]) for key in keys]


def _sales_zero() -> dict:
    return {"bookings": 0, "tickets": 0, "gross": ZERO, "discounts": ZERO,
            "refunded_tickets": 0, "refunds": ZERO}


def _sales_line(key: str, **values) -> SalesLine:
    return SalesLine(key=key, net=values["gross"] - values["discounts"] - values["refunds"],
                     **values)


def sales_totals(lines: list[SalesLine]) -> SalesLine:
    """Every line together, keyed TOTAL."""
    values = _sales_zero()
    for line in lines:
        for name in values:
            values[name] += getattr(line, name)
    return _sales_line(TOTAL, **values)
