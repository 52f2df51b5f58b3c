"""Scheduling shows, on SQLite and MariaDB: the overlap and cleaning-gap rule (also between two
processes scheduling the same hall at once), deleting an unsold show, cancelling a sold one with
full refunds, and a manager's money-only refund."""

from __future__ import annotations

import multiprocessing as mp
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import workers
from actor_support import ADMIN
from test_concurrency import assert_invariants, run_all

from bmstui.domain.errors import BookingClosed, BookingError, NotAuthorized, ShowNotFound
from bmstui.services import coupons, operators, sales, scheduling, seating, zones
from bmstui.store.db import database
from bmstui.store.models import AuditEvent, Booking, Hold, Movie, Refund, Screen, Show, ShowSeat

SPAWN = mp.get_context("spawn")
PASSWORD = "manager-pass-1"


def day(n: int) -> datetime:
    """A UTC morning far ahead, one per test so the shared demo database never clashes."""
    return datetime(2097, 1, 1, 4, 0) + timedelta(days=n)


def hall_and_movie(index: int = 0) -> tuple[int, int, int]:
    """(screen id, movie id, movie minutes) of a 2D hall and an active movie."""
    with database.connection_context():
        screens = [s.id for s in Screen.select().where(Screen.formats.contains("2D"))
                   .order_by(Screen.id)]
        movie = Movie.select().where(Movie.active == True).order_by(Movie.id).first()  # noqa: E712
    return screens[index], movie.id, movie.duration


def person(role: str) -> operators.OperatorInfo:
    return operators.add(f"{role[:3]}{secrets.token_hex(3)}", PASSWORD, role=role, by=ADMIN)


def test_a_show_overlapping_another_on_the_screen_is_refused(demo_db, settings):
    settings(cleaning_gap_minutes=20)
    screen, movie, minutes = hall_and_movie()
    first = scheduling.create_show(movie, screen, day(1), operator=ADMIN)
    end = day(1) + timedelta(minutes=minutes)
    for starts in (day(1), day(1) + timedelta(minutes=30), end + timedelta(minutes=19),
                   day(1) - timedelta(minutes=minutes + 19)):
        with pytest.raises(BookingError, match="already has a show at that time"):
            scheduling.create_show(movie, screen, starts, operator=ADMIN)
    # Exactly the gap after the end, or before the start, is fine; so is another screen.
    after = scheduling.create_show(movie, screen, end + timedelta(minutes=20), operator=ADMIN)
    before = scheduling.create_show(movie, screen, day(1) - timedelta(minutes=minutes + 20), operator=ADMIN)
    other_hall, _, _ = hall_and_movie(1)
    elsewhere = scheduling.create_show(movie, other_hall, day(1), operator=ADMIN)
    assert len({first, after, before, elsewhere}) == 4
    listed = scheduling.schedule(day(1) - timedelta(hours=6), day(2), screen_id=screen)
    assert [s.id for s in listed] == [before, first, after]
    assert all(s.capacity > 0 and s.sold == 0 and s.status == "scheduled" for s in listed)
    with database.connection_context():
        seats = ShowSeat.select().where(ShowSeat.show == first).count()
    assert seats == listed[1].capacity  # the seats came with the show


def test_a_cancelled_show_frees_its_slot_and_bad_requests_are_refused(demo_db):
    screen, movie, _ = hall_and_movie()
    first = scheduling.create_show(movie, screen, day(3), operator=ADMIN)
    scheduling.cancel_show(first, reason="print did not arrive", operator=ADMIN)
    assert scheduling.create_show(movie, screen, day(3) + timedelta(minutes=5), operator=ADMIN)
    with pytest.raises(BookingError, match="in the past"):
        scheduling.create_show(movie, screen, datetime(2020, 1, 1, 10, 0), operator=ADMIN)
    with pytest.raises(BookingError, match="No such screen"):
        scheduling.create_show(movie, 999_999, day(4), operator=ADMIN)
    with database.connection_context():
        Movie.update(active=False).where(Movie.id == movie).execute()
    try:
        with pytest.raises(BookingError, match="not showing any more"):
            scheduling.create_show(movie, screen, day(5), operator=ADMIN)
    finally:
        with database.connection_context():
            Movie.update(active=True).where(Movie.id == movie).execute()


def test_only_an_unsold_show_can_be_deleted(demo_db):
    screen, movie, _ = hall_and_movie()
    unsold = scheduling.create_show(movie, screen, day(6), operator=ADMIN)
    scheduling.delete_show(unsold, operator=ADMIN)
    with database.connection_context():
        assert not Show.select().where(Show.id == unsold).exists()
        assert not ShowSeat.select().where(ShowSeat.show == unsold).exists()
        kinds = [e.kind for e in AuditEvent.select().where(AuditEvent.detail.startswith(
            f"show {unsold}:"))]
    assert kinds == ["show_scheduled", "show_deleted"]
    with pytest.raises(ShowNotFound):
        scheduling.delete_show(unsold, operator=ADMIN)

    held_show = scheduling.create_show(movie, screen, day(6) + timedelta(hours=8), operator=ADMIN)
    held = seating.hold(held_show, ["A1"])
    with pytest.raises(BookingError, match="holding 1 seat"):
        scheduling.delete_show(held_show, operator=ADMIN)
    booking = sales.confirm(held.token, method="cash")
    sales.cancel(booking.code, operator=ADMIN)  # even a fully cancelled booking keeps its show
    with pytest.raises(BookingError, match="cannot be deleted; cancel it"):
        scheduling.delete_show(held_show, operator=ADMIN)
    with database.connection_context():
        assert Show.select().where(Show.id == held_show).exists()


def test_cancelling_a_show_refunds_every_booking_in_full_and_blocks_the_seats(demo_db):
    screen, movie, _ = hall_and_movie()
    show = scheduling.create_show(movie, screen, day(8), operator=ADMIN)
    code = f"SC{secrets.token_hex(3).upper()}"
    coupons.create(code, "flat", 50, by=ADMIN)
    cash = sales.confirm(seating.hold(show, ["A1", "A2"]).token, method="cash", tendered=5000)
    card = sales.confirm(seating.hold(show, ["B1", "B2", "B3"]).token, method="card",
                         coupon=code)
    partly = sales.confirm(seating.hold(show, ["C1", "C2"]).token, method="upi")
    first_refund = sales.cancel(partly.code, labels=["C1"], operator=ADMIN)  # 100 % this far ahead
    pending = seating.hold(show, ["D1"])  # a counter mid-sale when the show is called off
    manager = person("manager")

    done = scheduling.cancel_show(show, reason="projector broke", operator=manager)

    assert done.seats == 2 + 3 + 1
    by_code = {r.booking_code: r for r in done.refunds}
    assert by_code[cash.code].amount == cash.total and by_code[cash.code].method == "cash"
    assert by_code[card.code].amount == card.total  # what was paid, after the coupon
    assert by_code[partly.code].amount == partly.total - first_refund.amount
    assert done.refunded == cash.total + card.total + partly.total - first_refund.amount
    with database.connection_context():
        statuses = {s for (s,) in ShowSeat.select(ShowSeat.status)
                    .where(ShowSeat.show == show).tuples()}
        assert statuses == {"blocked"}
        assert {b.status for b in Booking.select().where(Booking.show == show)} == {"cancelled"}
        assert Hold.get_by_id(pending.token).state == "released"
        reasons = {r.reason for r in Refund.select().where(Refund.booking == cash.id)}
        shows_cancelled = (AuditEvent.select().where(
            (AuditEvent.kind == "show_cancelled") & (AuditEvent.operator == manager.id)).count())
    assert reasons == {"show cancelled: projector broke"}
    assert shows_cancelled == 1
    with pytest.raises(BookingClosed, match="show was cancelled.*nothing was sold"):
        sales.confirm(pending.token, method="cash")
    with pytest.raises(BookingClosed, match="cancelled"):
        seating.hold(show, ["E1"])
    with pytest.raises(BookingError, match="already cancelled"):
        scheduling.cancel_show(show, reason="again", operator=ADMIN)
    assert_invariants(show)


def test_scheduling_actions_are_a_managers(demo_db):
    screen, movie, _ = hall_and_movie()
    cashier, manager = person("cashier"), person("manager")
    with pytest.raises(NotAuthorized, match="Scheduling a show is a manager"):
        scheduling.create_show(movie, screen, day(10), operator=cashier)
    show = scheduling.create_show(movie, screen, day(10), operator=manager)
    with pytest.raises(NotAuthorized, match="Cancelling a show is a manager"):
        scheduling.cancel_show(show, reason="x", operator=cashier)
    with pytest.raises(NotAuthorized, match="Deleting a show is a manager"):
        scheduling.delete_show(show, operator=cashier)
    with pytest.raises(BookingError, match="Say why"):
        scheduling.cancel_show(show, reason="  ", operator=manager)
    scheduling.delete_show(show, operator=manager)


def test_a_managers_refund_moves_money_only_and_never_more_than_was_paid(demo_db):
    screen, movie, _ = hall_and_movie()
    show = scheduling.create_show(movie, screen, day(12), operator=ADMIN)
    booking = sales.confirm(seating.hold(show, ["A1", "A2"]).token, method="card")
    cashier, manager = person("cashier"), person("manager")
    with pytest.raises(NotAuthorized, match="Refunding money is a manager"):
        sales.refund(booking.code, 10, reason="sound failed", operator=cashier)
    with pytest.raises(BookingError, match="Say why"):
        sales.refund(booking.code, 10, reason="", operator=manager)
    for bad in ("-5", "0", "abc", "1.234", "NaN"):
        with pytest.raises(BookingError):
            sales.refund(booking.code, bad, reason="sound failed", operator=manager)
    goodwill = sales.refund(booking.code, "100.00", reason="sound failed", operator=manager)
    assert goodwill.amount == Decimal("100.00") and goodwill.method == "card"
    assert sales.refundable(booking.code) == booking.total - 100
    with pytest.raises(BookingError, match="left to refund"):
        sales.refund(booking.code, booking.total, reason="again", operator=manager)
    with database.connection_context():
        seats = {s for (s,) in ShowSeat.select(ShowSeat.status)
                 .where(ShowSeat.booking == booking.id).tuples()}
        kinds = [e.kind for e in AuditEvent.select().where(AuditEvent.booking == booking.id)
                 .order_by(AuditEvent.id)]
    assert seats == {"booked"} and kinds == ["sale", "refund"]
    # Cancelling afterwards gives back only what is left, so refunds add up to the payment.
    rest = sales.cancel(booking.code, operator=ADMIN)
    assert rest.amount == booking.total - 100
    with database.connection_context():
        total = sum(r.amount for r in Refund.select().where(Refund.booking == booking.id))
    assert total == booking.total


def test_two_managers_scheduling_one_hall_at_once_get_one_show(demo_db):
    screen, movie, _ = hall_and_movie(2)
    starts = [day(14) + timedelta(minutes=10 * i) for i in range(4)]  # all overlap
    barrier, results = SPAWN.Barrier(len(starts)), SPAWN.Queue()
    procs = [SPAWN.Process(target=workers.schedule_at_barrier,
                           args=(demo_db, movie, screen, at, barrier, results))
             for at in starts]
    outcomes = run_all(procs, results, timeout=90)
    assert sorted(o[0] for o in outcomes) == ["BookingError"] * 3 + ["ok"], outcomes
    assert len(scheduling.schedule(day(13), day(16), screen_id=screen)) == 1


def test_a_show_cancelled_while_a_counter_confirms_never_keeps_a_sale(demo_db):
    screen, movie, _ = hall_and_movie(2)
    show = scheduling.create_show(movie, screen, day(17), operator=ADMIN)
    held = seating.hold(show, ["A1", "A2"])
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    procs = [SPAWN.Process(target=workers.confirm_at_barrier,
                           args=(demo_db, held.token, barrier, results)),
             SPAWN.Process(target=workers.cancel_show_at_barrier,
                           args=(demo_db, show, barrier, results))]
    outcomes = dict(run_all(procs, results, timeout=90))
    assert "cancelled" in outcomes, outcomes
    with database.connection_context():
        bookings = list(Booking.select().where(Booking.show == show))
        refunded = sum(r.amount for r in Refund.select().join(Booking)
                       .where(Booking.show == show))
        statuses = {s for (s,) in ShowSeat.select(ShowSeat.status)
                    .where(ShowSeat.show == show).tuples()}
    # Whichever came first, no seat stays sold and any money taken went back.
    assert statuses == {"blocked"}
    assert all(b.status == "cancelled" for b in bookings)
    assert refunded == sum(b.total for b in bookings)
    assert len(bookings) == (1 if "ok" in outcomes else 0)
    if "ok" not in outcomes:
        assert "show was cancelled" in outcomes["BookingClosed"]
    assert_invariants(show)


def test_a_schedule_says_which_shows_have_ended_by_the_database_clock(new_show):
    over = new_show(starts_in=-timedelta(hours=5))  # no movie runs five hours
    ahead = new_show(starts_in=timedelta(days=3))
    shows = {s.id: s for s in scheduling.schedule_of_day(
        zones.today() - timedelta(days=1), days=6)}
    assert shows[over].ended and shows[over].status == "scheduled"
    assert not shows[ahead].ended
