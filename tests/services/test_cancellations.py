"""Cancelling bookings on both backends: whole or seat by seat, the refund tiers and the cutoff
judged by the database clock, coupon discounts shared out over the seats, overrides on record,
and the freed seats back on sale at every counter.

Shows come from ``new_show(starts_in=...)`` (classic-150 at factor 1: rows A-C SILVER ₹150,
D-G GOLD ₹220). Default policy: cutoff 60 min, "120:100, 60:75" (2 h+ full refund, 1-2 h 75%).
"""

from __future__ import annotations

import multiprocessing as mp
import secrets
from datetime import timedelta
from decimal import Decimal

import pytest
import workers
from actor_support import ADMIN
from test_concurrency import assert_invariants

from bmstui.domain.errors import (
    BookingError,
    BookingNotFound,
    CancellationClosed,
    InvalidSeats,
)
from bmstui.services import coupons, sales, seating
from bmstui.services.live import LiveSeats
from bmstui.store.db import database, db_now
from bmstui.store.models import AuditEvent, BookingSeat, Payment, Refund, Show, ShowSeat
from bmstui.store.models import Booking as BookingRow

SPAWN = mp.get_context("spawn")
HOURS_3 = timedelta(hours=3)


def sell(show: int, labels: list[str], *, coupon: str | None = None, method: str = "cash"):
    held = seating.hold(show, labels)
    return sales.confirm(held.token, method=method, coupon=coupon)


def flat_coupon(amount) -> str:
    code = f"C{secrets.token_hex(4).upper()}"
    coupons.create(code, "flat", amount, by=ADMIN)
    return code


def refund_rows(booking_id: int) -> list[Refund]:
    with database.connection_context():
        return list(Refund.select().where(Refund.booking == booking_id).order_by(Refund.id))


def statuses(show: int, labels) -> dict[str, str]:
    return {s.label: s.status for s in seating.seat_map(show) if s.label in labels}


def snapshot(booking) -> tuple:
    """Everything a cancellation writes, to prove a refused one wrote nothing."""
    with database.connection_context():
        return (
            BookingRow.get_by_id(booking.id).status,
            tuple(BookingSeat.select(BookingSeat.label, BookingSeat.status)
                  .where(BookingSeat.booking == booking.id).order_by(BookingSeat.id).tuples()),
            tuple(ShowSeat.select(ShowSeat.id, ShowSeat.status, ShowSeat.booking)
                  .where(ShowSeat.booking == booking.id).order_by(ShowSeat.id).tuples()),
            Refund.select().where(Refund.booking == booking.id).count(),
            AuditEvent.select().where((AuditEvent.booking == booking.id)
                                      & AuditEvent.kind.startswith("cancel")).count(),
        )


def test_a_whole_cancel_frees_every_seat_and_refunds_by_the_payment_method(new_show):
    show = new_show(starts_in=HOURS_3)
    booking = sell(show, ["D1", "A1"], method="card")
    quote = sales.refund_quote(booking.code)
    assert (quote.allowed, quote.percent, quote.amount, quote.method) == (
        True, 100, Decimal(370), "card")
    assert "100% refund" in quote.why

    refund = sales.cancel(booking.code.lower().replace("-", " "), reason="plans changed", operator=ADMIN)
    assert (refund.amount, refund.percent, refund.method, refund.booking_status) == (
        Decimal(370), 100, "card", "cancelled")
    assert set(refund.labels) == {"A1", "D1"} and not refund.override
    assert 179 < refund.minutes_before <= 180
    with database.connection_context():
        payment = Payment.get(Payment.booking == booking.id)
        row = Refund.get_by_id(refund.id)
        assert (row.payment_id, row.method, row.amount, row.override, row.reason) == (
            payment.id, "card", Decimal(370), False, "plans changed")
        assert set(row.labels.split(", ")) == {"A1", "D1"}
        audit = AuditEvent.get((AuditEvent.booking == booking.id) & (AuditEvent.kind == "cancel"))
        assert "100% of ₹370.00 = ₹370.00 by card" in audit.detail
    after = sales.find_booking(booking.code)
    assert (after.status, after.labels, set(after.cancelled), after.refunded) == (
        "cancelled", (), {"A1", "D1"}, Decimal(370))
    assert statuses(show, {"A1", "D1"}) == {"A1": "available", "D1": "available"}
    assert_invariants(show)


def test_some_seats_then_the_rest_add_up_to_what_was_paid(new_show):
    show = new_show(starts_in=HOURS_3)
    booking = sell(show, ["A1", "A2", "A3", "D1"])  # 3 × 150 + 220 = 670
    first = sales.cancel(booking.code, labels=["a2"], operator=ADMIN)
    assert (first.labels, first.amount, first.booking_status) == (
        ("A2",), Decimal(150), "partially_cancelled")
    view = sales.find_booking(booking.code)
    assert (view.status, view.labels, view.cancelled) == (
        "partially_cancelled", ("A1", "A3", "D1"), ("A2",))
    assert statuses(show, {"A1", "A2"}) == {"A1": "booked", "A2": "available"}

    rest = sales.cancel(booking.code, operator=ADMIN)
    assert (set(rest.labels), rest.amount, rest.booking_status) == (
        {"A1", "A3", "D1"}, Decimal(520), "cancelled")
    assert sum(r.amount for r in refund_rows(booking.id)) == booking.total == Decimal(670)
    assert_invariants(show)


@pytest.mark.parametrize(("starts_in", "percent", "amount"), [
    (HOURS_3, 100, Decimal("440.00")),
    (timedelta(minutes=90), 75, Decimal("330.00")),
])
def test_refund_tiers_by_time_left(new_show, starts_in, percent, amount):
    show = new_show(starts_in=starts_in)
    booking = sell(show, ["D1", "D2"])
    quote = sales.refund_quote(booking.code)
    refund = sales.cancel(booking.code, operator=ADMIN)
    assert (quote.percent, quote.amount, quote.paid_for_seats) == (percent, amount, 440)
    assert (refund.percent, refund.amount, refund.paid_for_seats) == (percent, amount, 440)
    assert refund_rows(booking.id)[0].amount == amount


def test_a_discounted_booking_refunds_the_share_that_was_paid(new_show):
    """₹52 off ₹520 is 10% off every seat: a ₹150 seat gave back is ₹135 paid, at 75% ₹101.25."""
    show = new_show(starts_in=timedelta(minutes=90))
    booking = sell(show, ["A1", "A2", "D1"], coupon=flat_coupon(52), method="upi")
    assert (booking.subtotal, booking.total) == (Decimal(520), Decimal(468))
    one = sales.cancel(booking.code, labels=["A1"], operator=ADMIN)
    assert (one.paid_for_seats, one.percent, one.amount, one.method) == (
        Decimal(135), 75, Decimal("101.25"), "upi")
    rest = sales.cancel(booking.code, operator=ADMIN)
    assert (rest.paid_for_seats, rest.amount) == (Decimal(333), Decimal("249.75"))
    assert one.paid_for_seats + rest.paid_for_seats == booking.total


def test_seat_by_seat_refunds_of_a_discounted_booking_never_exceed_what_was_paid(new_show):
    show = new_show(starts_in=HOURS_3)
    booking = sell(show, ["B1", "B2", "B3"], coupon=flat_coupon(49))
    assert booking.total == Decimal(401)
    refunds = [sales.cancel(booking.code, labels=[label], operator=ADMIN).amount for label in ("B1", "B2", "B3")]
    assert sum(refunds) == booking.total


def test_past_the_cutoff_nothing_is_cancelled(new_show):
    show = new_show(starts_in=timedelta(minutes=30))
    booking = sell(show, ["E1", "E2"])
    before = snapshot(booking)
    quote = sales.refund_quote(booking.code)
    assert (quote.allowed, quote.override_possible) == (False, False)
    with pytest.raises(CancellationClosed) as closed:
        sales.cancel(booking.code, labels=["E1"], operator=ADMIN)
    assert str(closed.value).startswith("Cancellation closed: the show starts in ")
    assert "overrides are switched off" in str(closed.value)
    assert 29 < closed.value.minutes_left <= 30
    with pytest.raises(CancellationClosed):
        sales.cancel(booking.code, reason="a reason is no use while overrides are off", operator=ADMIN)
    assert snapshot(booking) == before
    assert statuses(show, {"E1", "E2"}) == {"E1": "booked", "E2": "booked"}


def test_an_override_with_a_reason_cancels_past_the_cutoff_on_record(new_show, settings):
    settings(allow_cancel_override=True)
    show = new_show(starts_in=timedelta(minutes=30))
    booking = sell(show, ["F1", "F2"])  # 440
    quote = sales.refund_quote(booking.code, operator=ADMIN)
    assert (quote.allowed, quote.override_possible, quote.percent, quote.amount) == (
        False, True, 75, Decimal(330))
    before = snapshot(booking)
    with pytest.raises(CancellationClosed, match="give the reason for the override"):
        sales.cancel(booking.code, reason="   ", operator=ADMIN)
    assert snapshot(booking) == before

    refund = sales.cancel(booking.code, reason="Projector failure", operator=ADMIN)
    assert (refund.override, refund.reason, refund.percent, refund.amount) == (
        True, "Projector failure", 75, Decimal(330))
    with database.connection_context():
        row = Refund.get_by_id(refund.id)
        assert (row.override, row.reason) == (True, "Projector failure")
        audit = AuditEvent.get(AuditEvent.booking == booking.id,
                               AuditEvent.kind == "cancel_override")
        assert "override past the cutoff: Projector failure" in audit.detail
    assert statuses(show, {"F1", "F2"}) == {"F1": "available", "F2": "available"}


@pytest.mark.parametrize(("seconds", "allowed"), [(3, True), (-3, False)])
def test_the_cutoff_is_judged_by_the_database_clock(new_show, seconds, allowed):
    """new_show starts at db_now rounded *down* to the second + starts_in, so the real gap is
    between starts_in - 1 s and starts_in: ±3 s leaves ≥ 2 s either side for the sale."""
    show = new_show(starts_in=timedelta(minutes=60, seconds=seconds))
    booking = sell(show, ["G1"])
    with database.connection_context():
        starts = Show.get_by_id(show).starts_at
    gap = starts - db_now()
    assert (gap >= timedelta(minutes=60)) == allowed, f"set-up missed the edge: {gap}"
    if allowed:
        refund = sales.cancel(booking.code, operator=ADMIN)
        assert (refund.percent, refund.amount) == (75, Decimal("165.00"))
        assert 60 <= refund.minutes_before < 60.05
    else:
        with pytest.raises(CancellationClosed) as closed:
            sales.cancel(booking.code, operator=ADMIN)
        assert 59.9 < closed.value.minutes_left < 60
        assert "starts in 59 min" in str(closed.value)


def test_what_cannot_be_cancelled_is_refused_and_changes_nothing(new_show):
    show = new_show(starts_in=HOURS_3)
    booking = sell(show, ["A5", "A6"])
    other = sell(show, ["A7"])
    sales.cancel(booking.code, labels=["A6"], operator=ADMIN)
    before = snapshot(booking)
    with pytest.raises(InvalidSeats, match="Not on booking") as unknown:
        sales.cancel(booking.code, labels=["A5", "Z99"], operator=ADMIN)
    assert unknown.value.labels == ("Z99",)
    with pytest.raises(InvalidSeats, match="A7"):  # sold, but on another booking
        sales.cancel(booking.code, labels=["A7"], operator=ADMIN)
    with pytest.raises(BookingError, match="Already cancelled on booking .*: A6"):
        sales.cancel(booking.code, labels=["A6"], operator=ADMIN)
    with pytest.raises(BookingError, match="Already cancelled"):
        sales.refund_quote(booking.code, labels=["A6"])
    with pytest.raises(BookingNotFound):
        sales.cancel("BMS-ZZZZZZ", operator=ADMIN)
    assert snapshot(booking) == before
    sales.cancel(booking.code, operator=ADMIN)
    with pytest.raises(BookingError, match="already cancelled"):
        sales.cancel(booking.code, operator=ADMIN)
    assert sales.find_booking(other.code).status == "confirmed"
    assert_invariants(show)


def test_freed_seats_reach_the_seat_map_and_the_live_feed(new_show):
    show = new_show(starts_in=HOURS_3)
    booking = sell(show, ["C1", "C2", "C3"])
    watcher = LiveSeats.open(show)  # another counter's open grid
    ids = {s.label: s.id for s in watcher.seats}
    assert {watcher.status(ids[label]) for label in ("C1", "C2", "C3")} == {"booked"}
    watcher.apply(watcher.fetch())

    sales.cancel(booking.code, labels=["C1", "C3"], operator=ADMIN)
    assert watcher.apply(watcher.fetch()) == {ids["C1"], ids["C3"]}
    assert [watcher.status(ids[label]) for label in ("C1", "C2", "C3")] == [
        "available", "booked", "available"]
    assert watcher.is_free(ids["C1"]) and not watcher.is_free(ids["C2"])
    assert statuses(show, {"C1", "C2", "C3"}) == {
        "C1": "available", "C2": "booked", "C3": "available"}
    assert watcher.apply(watcher.fetch()) == set()  # reported once, not again


@pytest.mark.slow
def test_a_cancelled_seat_is_sold_again_by_another_counter(demo_db, new_show):
    show = new_show(starts_in=HOURS_3)
    booking = sell(show, ["D7", "D8"])
    sales.cancel(booking.code, labels=["D8"], operator=ADMIN)
    results = SPAWN.Queue()
    proc = SPAWN.Process(target=workers.hold_and_confirm,
                         args=(demo_db, show, ["D8"], "counter-east", results))
    proc.start()
    outcome = results.get(timeout=60)
    proc.join(timeout=30)
    assert proc.exitcode == 0
    assert outcome[0] == "ok", outcome
    _, code, terminal, labels = outcome
    assert (terminal, labels) == ("counter-east", ("D8",))

    assert_invariants(show)
    resold = sales.find_booking(code)
    with database.connection_context():
        seat = (ShowSeat.select().join(BookingSeat, on=(BookingSeat.show_seat == ShowSeat.id))
                .where(BookingSeat.booking == resold.id).get())
        assert (seat.status, seat.booking_id) == ("booked", resold.id)
        old = BookingSeat.get((BookingSeat.booking == booking.id) & (BookingSeat.label == "D8"))
        assert old.status == "cancelled" and old.show_seat_id == seat.id
    assert sales.find_booking(booking.code).labels == ("D7",)
    with pytest.raises(BookingError):  # the old booking cannot give the seat back twice
        sales.cancel(booking.code, labels=["D8"], operator=ADMIN)
