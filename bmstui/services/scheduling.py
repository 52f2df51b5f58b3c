"""Putting shows on screens, taking them off, and cancelling them with refunds.

Every show seat is created with its price (base price of its type times the show's factor) in
one server-side statement, so the price a clerk sells at is fixed the moment the show exists.
A screen runs one show at a time plus a cleaning gap (``scheduling.cleaning_gap_minutes``); the
check and the insert share a transaction that first locks the screen's row, so two managers
scheduling the same hall at once cannot both get in. A show that has sold a seat is never
deleted (its bookings and payments would lose their show): it is cancelled, every booking is
refunded in full, and its seats are blocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from peewee import JOIN, fn

from bmstui.config import get_settings
from bmstui.domain.clock import to_local, to_utc
from bmstui.domain.errors import BookingError, NotFound, ShowNotFound, shown
from bmstui.domain.ids import parse_id, parse_moment, parse_optional_id
from bmstui.domain.vocabulary import BookingStatus, HoldState, SeatStatus, ShowStatus
from bmstui.services import audit, prices, zones
from bmstui.services.cancellations import Refund, carry_out, full_refund_plan
from bmstui.services.operators import require_manager
from bmstui.services.seat_index import forget_show
from bmstui.store.db import database, db_now, is_mysql, now_sql, transaction
from bmstui.store.models import Booking, Hold, Movie, Screen, Show, ShowSeat, Theater
from bmstui.store.seeding import create_show_seats


@dataclass(frozen=True)
class ScheduledShow:
    id: int
    movie: str
    theater: str
    screen: str
    screen_id: int
    starts_at: datetime  # UTC
    ends_at: datetime
    format: str
    status: str  # scheduled | cancelled
    sold: int
    capacity: int
    timezone: str = ""  # the theater's IANA zone, for showing the times
    ended: bool = False  # by the database's clock when read, so a desk can say it is over


@dataclass(frozen=True)
class ShowCancellation:
    show_id: int
    refunds: tuple[Refund, ...]
    refunded: Decimal
    seats: int  # tickets refunded


def _when(value: datetime, zone: str) -> str:
    return to_local(value, zone).strftime("%a %d %b %H:%M")


def _clash(screen: Screen, movie_title: str, starts_at: datetime, ends_at: datetime,
           gap: timedelta, zone: str) -> None:
    """Refuse a show that would overlap another live show on this screen, gap included."""
    other = (Show.select(Show, Movie.title).join(Movie)
             .where((Show.screen == screen.id) & (Show.status == ShowStatus.SCHEDULED)
                    & (Show.starts_at < ends_at + gap) & (Show.ends_at > starts_at - gap))
             .order_by(Show.starts_at).first())
    if other is None:
        return
    minutes = int(gap.total_seconds() // 60)
    raise BookingError(
        f"{screen.theater.name} {screen.name} already has a show at that time: "
        f"{other.movie.title} {_when(other.starts_at, zone)}–"
        f"{to_local(other.ends_at, zone):%H:%M}"
        f"{f' (+{minutes} min cleaning)' if minutes else ''}; {movie_title} would run "
        f"{_when(starts_at, zone)}–{to_local(ends_at, zone):%H:%M}")


def create_show(movie_id: int, screen_id: int, starts_at: datetime, format: str = "2D", *,
                operator=None) -> int:
    """A new show with its seats priced; returns its id. ``starts_at`` is naive UTC, or an aware
    datetime (converted; see ``local_start`` to type the theater's wall time). A manager's
    action (``operator``). Refused in the past, for an inactive movie, for a format the screen
    cannot show, and when it would overlap another show on the screen (cleaning gap included)."""
    actor = require_manager(operator, "scheduling a show")
    movie_id, screen_id = parse_id(movie_id, "movie"), parse_id(screen_id, "screen")
    starts_at = parse_moment(starts_at, "show's start")  # naive UTC
    format = str(format).strip().upper()
    if not isinstance(starts_at, datetime):
        raise BookingError("A show starts at a date and time")
    if starts_at.tzinfo is not None:
        starts_at = to_utc(starts_at, None)
    starts_at = starts_at.replace(microsecond=0, tzinfo=None)
    with database.connection_context():
        movie = Movie.get_or_none(Movie.id == movie_id)
        screen = (Screen.select(Screen, Theater).join(Theater)
                  .where(Screen.id == screen_id).first())
    if movie is None:
        raise NotFound("movie", movie_id)
    if not movie.active:
        raise BookingError(f"{movie.title} is not showing any more (inactive)")
    if screen is None:
        raise NotFound("screen", screen_id)
    zone = zones.resolve(screen.theater.timezone, screen.theater.name)
    if format not in screen.formats.split(","):
        raise BookingError(f"{screen.theater.name} {screen.name} cannot show {shown(format, 12)} "
                           f"(it shows {screen.formats.replace(',', ', ')})")
    if starts_at <= db_now():
        raise BookingError(f"{_when(starts_at, zone)} is in the past; a show is scheduled ahead")
    ends_at = starts_at + timedelta(minutes=movie.duration)
    gap = timedelta(minutes=get_settings().cleaning_gap_minutes)
    factor, _ = prices.factor_for(movie.title, screen.theater.name, format, starts_at, zone)

    def attempt() -> int:
        if is_mysql():  # one scheduler per screen at a time (SQLite: BEGIN IMMEDIATE)
            Screen.select(Screen.id).where(Screen.id == screen.id).for_update().scalar()
        _clash(screen, movie.title, starts_at, ends_at, gap, zone)
        show_id = Show.insert(
            movie=movie.id, screen=screen.id, starts_at=starts_at, ends_at=ends_at,
            format=format, price_factor=factor,
        ).execute()
        create_show_seats([show_id])
        audit.record("show_scheduled", operator_id=actor,
                     detail=f"show {show_id}: {movie.title} {format} at {screen.theater.name} "
                            f"{screen.name}, {starts_at:%Y-%m-%d %H:%M} UTC")
        return show_id

    return transaction(attempt)


def schedule(since: datetime, until: datetime, *, theater_id: int | None = None,
             screen_id: int | None = None) -> list[ScheduledShow]:
    """Shows starting in the UTC window [since, until), cancelled ones included, with how many
    seats each has sold."""
    since, until = parse_moment(since, "window's start"), parse_moment(until, "window's end")
    return _schedule([(Show.starts_at >= since) & (Show.starts_at < until)],
                     theater_id=theater_id, screen_id=screen_id)


def _schedule(conditions, *, theater_id=None, screen_id=None) -> list[ScheduledShow]:
    theater_id = parse_optional_id(theater_id, "theater")
    screen_id = parse_optional_id(screen_id, "screen")
    sold = (ShowSeat.select(ShowSeat.show, fn.COUNT(ShowSeat.id).alias("n"))
            .where(ShowSeat.status == SeatStatus.BOOKED).group_by(ShowSeat.show))
    query = (Show.select(Show.id, Movie.title, Theater.name, Screen.name, Screen.id,
                         Show.starts_at, Show.ends_at, Show.format, Show.status,
                         fn.COALESCE(sold.c.n, 0), Screen.capacity, Theater.timezone,
                         Show.ends_at <= now_sql())
             .join(Movie).switch(Show).join(Screen).join(Theater)
             .join(sold, JOIN.LEFT_OUTER, on=(sold.c.show_id == Show.id))
             .where(*conditions))
    if theater_id is not None:
        query = query.where(Theater.id == theater_id)
    if screen_id is not None:
        query = query.where(Screen.id == screen_id)
    with database.connection_context():
        rows = list(query.order_by(Theater.name, Screen.name, Show.starts_at).tuples())
    return [ScheduledShow(*row[:9], int(row[9]), int(row[10]), zones.resolve(row[11], row[2]),
                          bool(row[12])) for row in rows]


def schedule_of_day(day, *, theater_id: int | None = None,
                    screen_id: int | None = None, days: int = 1) -> list[ScheduledShow]:
    """``schedule`` of the local days day..day+days-1, each theater's days in its own zone."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise BookingError(f"A day is a date such as 2026-12-31, not {str(day)[:40]!r}")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
        raise BookingError("A schedule covers 1 to 366 days")
    last = day + timedelta(days=days - 1)
    span = [zones.local_days(Show.starts_at, day, last)]
    return _schedule(span, theater_id=theater_id, screen_id=screen_id)


def local_start(screen_id, local: datetime) -> datetime:
    """The naive UTC instant of wall time ``local`` at the screen's theater, by that date's
    rules (see ``bmstui.domain.clock.to_utc`` for the hour skipped or repeated by a clock change)."""
    screen_id = parse_id(screen_id, "screen")
    if isinstance(local, datetime):  # a wall time: its zone, if any, is not what it means
        local = local.replace(tzinfo=None)
    local = parse_moment(local, "show's start")  # a datetime within the years allowed
    return to_utc(local, zones.of_screen(screen_id))


def _show(show_id) -> Show:
    query = Show.select(Show, Movie.title).join(Movie).where(Show.id == show_id)
    if is_mysql():
        query = query.for_update()
    show = query.first()
    if show is None:
        raise ShowNotFound(show_id)
    return show


def delete_show(show_id: int, *, operator=None) -> None:
    """Remove a show nobody has bought a ticket for (a scheduling mistake). A show with any
    booking, even a cancelled one, is kept for its money trail: cancel it instead."""
    actor = require_manager(operator, "deleting a show")
    show_id = parse_id(show_id, "show")

    def attempt() -> None:
        show = _show(show_id)
        if Booking.select().where(Booking.show == show.id).exists():
            raise BookingError("This show has sold seats, so it cannot be deleted; cancel it "
                               "instead (every booking is refunded)")
        held = (ShowSeat.select().where((ShowSeat.show == show.id)
                                        & (ShowSeat.status == SeatStatus.HELD)
                                        & (ShowSeat.held_until > now_sql())).count())
        if held:
            raise BookingError(f"A counter is holding {held} seat{'s' if held > 1 else ''} of "
                               f"this show right now; try again when the hold ends")
        ShowSeat.delete().where(ShowSeat.show == show.id).execute()
        Hold.delete().where(Hold.show == show.id).execute()
        Show.delete().where(Show.id == show.id).execute()
        audit.record("show_deleted", operator_id=actor,
                     detail=f"show {show.id}: {show.movie.title} {show.starts_at:%Y-%m-%d %H:%M}"
                            " UTC")

    transaction(attempt)
    forget_show(show_id)


def cancel_show(show_id: int, *, reason: str, operator=None) -> ShowCancellation:
    """Call a show off: no more sales, held seats released, every booking's remaining seats
    cancelled and refunded in full by its payment's method, all in one transaction."""
    actor = require_manager(operator, "cancelling a show")
    show_id = parse_id(show_id, "show")
    reason = str(reason or "").strip()[:200]
    if not reason:
        raise BookingError("Say why the show is cancelled; the reason goes on every refund")

    def attempt() -> ShowCancellation:
        show = _show(show_id)
        if show.status == ShowStatus.CANCELLED:
            raise BookingError("This show is already cancelled")
        Show.update(status=ShowStatus.CANCELLED).where(Show.id == show.id).execute()
        # Held seats come back first so no confirm can turn them into a sale meanwhile (a
        # confirm checks the hold inside its own transaction, which queues behind this one).
        ShowSeat.update(status=SeatStatus.BLOCKED, hold_token=None, held_until=None,
                        updated_at=now_sql()).where(
            (ShowSeat.show == show.id)
            & (ShowSeat.status.in_((SeatStatus.AVAILABLE, SeatStatus.HELD)))).execute()
        Hold.update(state=HoldState.RELEASED).where((Hold.show == show.id)
                                                    & (Hold.state == HoldState.ACTIVE)).execute()
        refunds = []
        for row in (Booking.select().where((Booking.show == show.id)
                                           & (Booking.status != BookingStatus.CANCELLED))
                    .order_by(Booking.id)):
            plan = full_refund_plan(row, "the show was cancelled")
            refunds.append(carry_out(row, plan, reason=f"show cancelled: {reason}",
                                     operator_id=actor, kind="cancel",
                                     free_to=SeatStatus.BLOCKED))
        total = sum((r.amount for r in refunds), Decimal("0.00"))
        seats = sum(len(r.labels) for r in refunds)
        audit.record("show_cancelled", operator_id=actor,
                     detail=f"show {show.id}: {show.movie.title} {show.starts_at:%Y-%m-%d %H:%M}"
                            f" UTC; {len(refunds)} bookings, {seats} seats, ₹{total} refunded; "
                            f"reason: {reason}")
        return ShowCancellation(show.id, tuple(refunds), total, seats)

    return transaction(attempt)
