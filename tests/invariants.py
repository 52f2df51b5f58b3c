"""The database invariants every test that races, kills or fuzzes counters checks at its end.

No seat is in two bookings, every booked seat has exactly its one booking, held seats belong to
a hold of their show, and the money adds up: seat prices to the subtotal, the subtotal less the
coupon's discount to the total, which is what was paid, and what was refunded never exceeds it.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from bmstui.store.db import database
from bmstui.store.models import Booking, BookingSeat, CouponUse, Payment, Refund, ShowSeat
from bmstui.store.models import Hold as HoldRow

BOOKING_STATUSES = {"confirmed", "partially_cancelled", "cancelled"}


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def assert_invariants(show_id: int, *, hold_rows: bool = True) -> None:
    """Every invariant of one show's seats, holds, bookings, payments and refunds.

    ``hold_rows=False`` for tests that kill counters or cut connections: a one-seat hold is its
    own statement, and a counter that dies before the next one leaves a held seat without its
    hold row, which runs out like any other."""
    with database.connection_context():
        _seats(show_id)
        if hold_rows:
            _holds(show_id)
        for booking in Booking.select().where(Booking.show == show_id):
            _money_of(booking)


def _seats(show_id: int) -> None:
    sold = list(
        BookingSeat.select(BookingSeat.show_seat, BookingSeat.booking)
        .join(Booking)
        .where((Booking.show == show_id) & (BookingSeat.status == "sold"))
        .tuples()
    )
    per_seat = Counter(seat for seat, _ in sold)
    assert all(n == 1 for n in per_seat.values()), "a seat is in two bookings"
    rows = list(ShowSeat.select().where(ShowSeat.show == show_id))
    booked = {r.id: r.booking_id for r in rows if r.status == "booked"}
    assert set(booked) == set(per_seat), "booked seats and sold seats disagree"
    assert booked == dict(sold), "a booked seat points at the wrong booking"
    for row in rows:
        assert row.status in {"available", "held", "booked", "blocked"}, row.status
        if row.status != "booked":
            assert row.booking_id is None, f"seat {row.id} is {row.status} but has a booking"
        if row.status == "held":
            assert row.hold_token and row.held_until, f"held seat {row.id} without a hold"
    foreign = (
        BookingSeat.select().join(Booking).switch(BookingSeat).join(ShowSeat)
        .where((Booking.show == show_id) & (ShowSeat.show != show_id)).count()
    )
    assert foreign == 0, "a booking holds a seat of another show"


def _holds(show_id: int) -> None:
    held = Counter(
        token for (token,) in ShowSeat.select(ShowSeat.hold_token)
        .where((ShowSeat.show == show_id) & (ShowSeat.status == "held")).tuples()
    )
    holds = {row.token: row for row in HoldRow.select().where(HoldRow.token.in_(list(held)))}
    for token, count in held.items():
        row = holds.get(token)
        assert row is not None, "a held seat without its hold row"
        assert row.show_id == show_id, "a seat held by another show's hold"
        assert row.state != "confirmed", "a seat still held by a confirmed hold"
        assert count <= row.seat_count, "a hold has more seats than it took"


def _money_of(booking: Booking) -> None:
    seats = list(BookingSeat.select().where(BookingSeat.booking == booking.id))
    assert booking.status in BOOKING_STATUSES, booking.status
    assert booking.seat_count == len(seats) > 0
    statuses = Counter(seat.status for seat in seats)
    assert set(statuses) <= {"sold", "cancelled"}
    expected = ("confirmed" if not statuses["cancelled"]
                else "cancelled" if not statuses["sold"] else "partially_cancelled")
    assert booking.status == expected, f"{booking.code} is {booking.status}, seats say {expected}"
    subtotal, discount, total = (_money(booking.subtotal), _money(booking.discount),
                                 _money(booking.total))
    # A coupon's discount comes off the seats' subtotal; the payment is the total.
    assert sum((_money(seat.price) for seat in seats), Decimal(0)) == subtotal
    assert Decimal(0) <= discount <= subtotal
    assert total == subtotal - discount
    payments = list(Payment.select().where(Payment.booking == booking.id))
    assert len(payments) == 1, "a booking without exactly one payment"
    pay = payments[0]
    assert _money(pay.amount) == total
    if pay.method == "cash":
        assert _money(pay.tendered) >= total
        assert _money(pay.change) == _money(pay.tendered) - total
    refunds = [_money(amount) for (amount,) in Refund.select(Refund.amount)
               .where(Refund.booking == booking.id).tuples()]
    assert all(amount >= 0 for amount in refunds), "a negative refund"
    assert sum(refunds, Decimal(0)) <= total, "more refunded than was paid"
    uses = CouponUse.select().where(CouponUse.booking == booking.id).count()
    assert uses == (1 if booking.coupon_id else 0), "a coupon use without its booking"
