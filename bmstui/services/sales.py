"""Turning a hold into a sale, and a sale back into free seats and refunded money.

The hold token is the sale's idempotency key (``Booking.hold_token`` is unique): a confirm
retried after a timeout or a dropped connection finds the booking it already made instead of
making a second one. Card/UPI/netbanking are authorised before the transaction opens; the seats,
the coupon use, the booking, the payment and the audit row are written in one transaction.

Published API: ``confirm``, ``quote``, ``cancel``, ``find_booking``, ``find_bookings`` (the
read side lives in ``bookings``, quotes in ``quotes``, cancellations in ``cancellations``; their
names are re-exported here so callers need only ``sales``).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from decimal import Decimal

import peewee as pw

from bmstui.config import get_settings
from bmstui.domain.actors import is_administrator, is_channel
from bmstui.domain.errors import (
    BookingClosed,
    BookingError,
    ConnectionLost,
    CouponInvalid,
    HoldExpired,
    HoldNotFound,
    InvalidAmount,
    OutcomeUnknown,
    PaymentDeclined,
    TenderedInvalid,
    shown,
)
from bmstui.domain.money_input import parse_amount
from bmstui.domain.requests import check_token
from bmstui.domain.vocabulary import BookingStatus, HoldState, PaymentMethod, SeatStatus, ShowStatus
from bmstui.services import audit, coupons
from bmstui.services import gateway as payments
from bmstui.services.bookings import (  # noqa: F401 -- re-exported: the published API
    Booking,
    PaymentInfo,
    booking_for_token,
    booking_view,
    customer_of,
    find_booking,
    find_bookings,
    phone_digits,
)
from bmstui.services.cancellations import Refund, RefundQuote, cancel, refund_quote  # noqa: F401
from bmstui.services.operators import operator_id_of
from bmstui.services.quotes import Quote, QuoteLine, held_seats, quote  # noqa: F401
from bmstui.services.refunds import refund, refundable  # noqa: F401
from bmstui.services.seating import forget
from bmstui.store.db import RETRY_BUDGET_SECONDS, database, now_sql, transaction
from bmstui.store.models import PAYMENT_METHODS, BookingSeat, Payment, Show, ShowSeat
from bmstui.store.models import Booking as BookingRow
from bmstui.store.models import Hold as HoldRow

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a counter


class _AlreadyConfirmed(Exception):
    def __init__(self, booking: Booking):
        self.booking = booking


def _settle(token: str) -> Booking | None:
    """Whether a confirm whose COMMIT lost its connection made its booking (the hold token
    says), waiting a bounded time for the database to answer again."""
    deadline = time.monotonic() + RETRY_BUDGET_SECONDS
    while True:
        try:
            with database.connection_context():
                return booking_for_token(token)
        except (ConnectionLost, pw.OperationalError, pw.InterfaceError) as exc:
            if time.monotonic() >= deadline:
                raise ConnectionLost(
                    "The connection to the database dropped while the sale was being saved, "
                    "and the database cannot be reached to check it. Press confirm again when "
                    "it is back: the same hold never sells twice") from exc
            time.sleep(0.25)


def new_code() -> str:
    return "BMS-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def _nothing_sold(exc: CouponInvalid, voided: str = "") -> CouponInvalid:
    return CouponInvalid(exc.code, exc.reason,
                         f"{exc}; nothing was sold, the seats are still held{voided}")


def _tendered(value) -> Decimal:
    try:
        return parse_amount(value, "Cash tendered")
    except InvalidAmount as refused:
        raise TenderedInvalid(refused.field, refused.value, refused.reason) from None


def confirm(token: str, *, method: str, tendered=None, coupon=None, customer=None,
            operator=None) -> Booking:
    """Sell the held seats. Repeating it with the same token returns the same booking.

    A coupon is checked before any money is taken and its use counted inside the transaction;
    if its last use went to another counter meanwhile, nothing is sold (CouponInvalid) and the
    seats stay held, so the clerk can sell without it."""
    token = check_token(token)
    method = str(method).strip().lower()
    if method not in PAYMENT_METHODS:
        raise PaymentDeclined(f"Unknown payment method {shown(method, 20, quoted=True)}; "
                              f"use {', '.join(PAYMENT_METHODS)}")
    settings = get_settings()
    name, phone = customer_of(customer)
    with database.connection_context():
        done = booking_for_token(token)
        if done is not None:
            return done
        try:
            hold, seats = held_seats(token)
        except (HoldExpired, HoldNotFound):
            # A confirm of this same hold may have sold it in between (a retry racing the
            # first): then that sale is the answer, not "the hold ran out".
            done = booking_for_token(token)
            if done is not None:
                return done
            raise
        operator_id = operator_id_of(operator)
    subtotal = sum((price for *_, price in seats), Decimal("0.00"))
    discount = Decimal("0.00")
    if coupon:
        try:
            _, discount = coupons.check(coupon, subtotal, phone=phone)
        except CouponInvalid as exc:
            raise _nothing_sold(exc) from None
    total = subtotal - discount
    change = None
    reference = ""
    if method == PaymentMethod.CASH:
        tendered = total if tendered is None else _tendered(tendered)
        if tendered < total:
            raise PaymentDeclined(f"Cash tendered ₹{tendered} is less than the total ₹{total}")
        change = tendered - total
    else:
        tendered = None
        reference = payments.authorise(
            method, total, latency_ms=settings.gateway_latency_ms,
            decline_rate=settings.gateway_decline_rate,
        )
    ids = [sid for sid, *_ in seats]
    voided = "" if method == PaymentMethod.CASH else f" and the {method} payment was voided"

    def attempt() -> Booking:
        changed = (
            ShowSeat.update(status=SeatStatus.BOOKED, updated_at=now_sql())
            .where(ShowSeat.id.in_(ids) & (ShowSeat.hold_token == token)
                   & (ShowSeat.status == SeatStatus.HELD) & (ShowSeat.held_until > now_sql()))
            .execute()
        )
        if changed != len(ids):
            done = booking_for_token(token)
            if done is not None:
                raise _AlreadyConfirmed(done)
            show_status = Show.select(Show.status).where(Show.id == hold.show_id).scalar()
            if show_status == ShowStatus.CANCELLED:
                raise BookingClosed("This show was cancelled meanwhile; nothing was sold" + voided)
            raise HoldExpired(
                "The hold ran out before payment completed; the seats were released" + voided)
        coupon_id = None
        if coupon:
            coupon_id, counted = coupons.claim(coupon, subtotal, phone=phone)
            if counted != discount:
                raise BookingError("The coupon changed while paying; the seats are still "
                                   "held: confirm again" + voided.replace(" and", ";", 1))
        booking_id = BookingRow.insert(
            code=new_code(), show=hold.show_id, hold_token=token, status=BookingStatus.CONFIRMED,
            seat_count=len(ids), subtotal=subtotal, discount=discount, total=total,
            coupon=coupon_id, operator=operator_id, terminal=settings.terminal,
            customer_name=name, customer_phone=phone, created_at=now_sql(),
        ).execute()
        BookingSeat.insert_many(
            [
                {"booking": booking_id, "show_seat": sid, "label": label, "type": type_,
                 "price": price}
                for sid, label, type_, price in seats
            ]
        ).execute()
        ShowSeat.update(booking=booking_id).where(ShowSeat.id.in_(ids)).execute()
        if coupon_id is not None:
            coupons.record_use(coupon_id, booking_id, phone)
        Payment.insert(
            booking=booking_id, method=method, amount=total, tendered=tendered, change=change,
            reference=reference, operator=operator_id, terminal=settings.terminal,
            created_at=now_sql(),
        ).execute()
        HoldRow.update(state=HoldState.CONFIRMED).where(HoldRow.token == token).execute()
        detail = f"{len(ids)} seats, {method} ₹{total}"
        if coupon_id is not None:
            detail += f" (coupon {coupons.normalise_code(coupon)} -₹{discount})"
        audit.record("sale", operator_id=operator if is_administrator(operator)
                     or is_channel(operator) else operator_id,
                     booking_id=booking_id, detail=detail)
        return replace(booking_view(booking_id), fresh=True)

    for _ in range(3):
        try:
            booking = transaction(attempt)
        except _AlreadyConfirmed as already:
            booking = already.booking
        except CouponInvalid as exc:
            raise _nothing_sold(exc, voided.replace(" and", ";", 1)) from None
        except OutcomeUnknown:
            # The connection dropped during COMMIT: the booking exists or nothing happened.
            booking = _settle(token)
            if booking is None:
                continue
        except pw.IntegrityError:
            # Either a racing confirm of this same token won (return its booking), or the random
            # code collided with another booking's (try again with a new one).
            with database.connection_context():
                booking = booking_for_token(token)
            if booking is None:
                continue
        forget(token)
        return booking
    raise BookingError("Could not issue a booking code; please confirm again")
