"""Turning a hold into a sale: payment, booking, seats, audit, in one transaction.

The hold token is the sale's idempotency key (``Booking.hold_token`` is unique): a confirm
retried after a timeout or a dropped connection finds the booking it already made instead of
making a second one. Card/UPI/netbanking are authorised before the transaction opens.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import peewee as pw

from bmstui import payments
from bmstui.config import get_settings
from bmstui.db import database, now_sql, transaction
from bmstui.errors import (
    BookingError,
    BookingNotFound,
    HoldExpired,
    PaymentDeclined,
)
from bmstui.models import (
    PAYMENT_METHODS,
    AuditEvent,
    BookingSeat,
    Payment,
    Seat,
    ShowSeat,
)
from bmstui.models import Booking as BookingRow
from bmstui.models import Hold as HoldRow
from bmstui.pricing import money
from bmstui.services.seat_lookup import operator_id_of
from bmstui.services.seating import check_token, forget, live_hold

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a counter


@dataclass(frozen=True)
class PaymentInfo:
    method: str
    amount: Decimal
    tendered: Decimal | None
    change: Decimal | None
    reference: str


@dataclass(frozen=True)
class Booking:
    id: int
    code: str
    show_id: int
    status: str
    labels: tuple[str, ...]
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    payment: PaymentInfo
    customer_name: str
    customer_phone: str
    terminal: str
    created_at: datetime


class _AlreadyConfirmed(Exception):
    def __init__(self, booking: Booking):
        self.booking = booking


def new_code() -> str:
    return "BMS-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def _customer(customer) -> tuple[str, str]:
    """(name, phone) from a phone string, a name string, or a mapping with name/phone."""
    if customer is None:
        return "", ""
    if isinstance(customer, dict):
        phone = str(customer.get("phone") or "")
        return str(customer.get("name") or "")[:80], (phone_digits(phone) or phone)[:20]
    text = str(customer).strip()
    phone = phone_digits(text)
    return ("", phone[:20]) if phone else (text[:80], "")


def phone_digits(text: str) -> str:
    """A phone number as stored and searched: its digits (spaces, dashes, + dropped), or ''
    if the text is not a phone number."""
    compact = str(text).strip().replace("+", "").replace(" ", "").replace("-", "")
    return compact if compact.isdigit() and len(compact) >= 6 else ""


def _money(value, what: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise PaymentDeclined(f"{what} must be an amount of money, not {value!r}") from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("99999999"):
        raise PaymentDeclined(f"{what} {value!r} is not a possible amount")
    return amount.quantize(Decimal("0.01"))


def booking_view(booking_id: int) -> Booking:
    row = BookingRow.get_by_id(booking_id)
    labels = tuple(
        label
        for (label,) in BookingSeat.select(BookingSeat.label)
        .join(ShowSeat)
        .join(Seat)
        .where(BookingSeat.booking == booking_id)
        .order_by(Seat.y, Seat.x)
        .tuples()
    )
    pay = Payment.select().where(Payment.booking == booking_id).order_by(Payment.id).first()
    return Booking(
        id=row.id, code=row.code, show_id=row.show_id, status=row.status, labels=labels,
        subtotal=row.subtotal, discount=row.discount, total=row.total,
        payment=PaymentInfo(pay.method, pay.amount, pay.tendered, pay.change, pay.reference),
        customer_name=row.customer_name, customer_phone=row.customer_phone,
        terminal=row.terminal, created_at=row.created_at,
    )


def _booking_for_token(token: str) -> Booking | None:
    row = BookingRow.select(BookingRow.id).where(BookingRow.hold_token == token).first()
    return booking_view(row.id) if row else None


def _held_seats(token: str) -> tuple[HoldRow, list[tuple[int, str, str, Decimal]]]:
    """The live hold and its seats (id, label, type, price) in id order, or why not."""
    hold, _, _ = live_hold(token)
    seats = list(
        ShowSeat.select(ShowSeat.id, Seat.label, Seat.type, ShowSeat.price)
        .join(Seat)
        .where((ShowSeat.hold_token == token) & (ShowSeat.status == "held")
               & (ShowSeat.held_until > now_sql()))
        .order_by(ShowSeat.id)
        .tuples()
    )
    if len(seats) != hold.seat_count:
        raise HoldExpired()
    return hold, [(sid, label, type_, money(price)) for sid, label, type_, price in seats]


def confirm(token: str, *, method: str, tendered=None, coupon=None, customer=None,
            operator=None) -> Booking:
    """Sell the held seats. Repeating it with the same token returns the same booking."""
    token = check_token(token)
    method = str(method).strip().lower()
    if method not in PAYMENT_METHODS:
        raise PaymentDeclined(f"Unknown payment method {method!r}; use {', '.join(PAYMENT_METHODS)}")
    if coupon:
        raise BookingError(f"Unknown coupon code {str(coupon)[:32]!r}")
    settings = get_settings()
    with database.connection_context():
        done = _booking_for_token(token)
        if done is not None:
            return done
        hold, seats = _held_seats(token)
        operator_id = operator_id_of(operator)
    total = sum((price for *_, price in seats), Decimal(0))
    change = None
    reference = ""
    if method == "cash":
        tendered = total if tendered is None else _money(tendered, "Cash tendered")
        if tendered < total:
            raise PaymentDeclined(f"Cash tendered ₹{tendered} is less than the total ₹{total}")
        change = tendered - total
    else:
        tendered = None
        reference = payments.authorise(
            method, total, latency_ms=settings.gateway_latency_ms,
            decline_rate=settings.gateway_decline_rate,
        )
    name, phone = _customer(customer)
    ids = [sid for sid, *_ in seats]

    def attempt() -> Booking:
        changed = (
            ShowSeat.update(status="booked", updated_at=now_sql())
            .where(ShowSeat.id.in_(ids) & (ShowSeat.hold_token == token)
                   & (ShowSeat.status == "held") & (ShowSeat.held_until > now_sql()))
            .execute()
        )
        if changed != len(ids):
            done = _booking_for_token(token)
            if done is not None:
                raise _AlreadyConfirmed(done)
            raise HoldExpired(
                "The hold ran out before payment completed; the seats were released"
                + ("" if method == "cash" else f" and the {method} payment was voided")
            )
        booking_id = BookingRow.insert(
            code=new_code(), show=hold.show_id, hold_token=token, status="confirmed",
            seat_count=len(ids), subtotal=total, discount=0, total=total,
            operator=operator_id, terminal=settings.terminal, customer_name=name,
            customer_phone=phone, created_at=now_sql(),
        ).execute()
        BookingSeat.insert_many(
            [
                {"booking": booking_id, "show_seat": sid, "label": label, "type": type_,
                 "price": price}
                for sid, label, type_, price in seats
            ]
        ).execute()
        ShowSeat.update(booking=booking_id).where(ShowSeat.id.in_(ids)).execute()
        Payment.insert(
            booking=booking_id, method=method, amount=total, tendered=tendered, change=change,
            reference=reference, operator=operator_id, terminal=settings.terminal,
            created_at=now_sql(),
        ).execute()
        HoldRow.update(state="confirmed").where(HoldRow.token == token).execute()
        AuditEvent.insert(
            at=now_sql(), kind="sale", operator=operator_id, terminal=settings.terminal,
            booking=booking_id, detail=f"{len(ids)} seats, {method} ₹{total}",
        ).execute()
        return booking_view(booking_id)

    forget(token)
    for _ in range(3):
        try:
            return transaction(attempt)
        except _AlreadyConfirmed as already:
            return already.booking
        except pw.IntegrityError:
            # Either a racing confirm of this same token won (return its booking), or the random
            # code collided with another booking's (try again with a new one).
            with database.connection_context():
                done = _booking_for_token(token)
            if done is not None:
                return done
    raise BookingError("Could not issue a booking code; please confirm again")


def find_booking(code: str) -> Booking:
    """A booking by its code (case and spaces forgiven)."""
    wanted = str(code).strip().upper().replace(" ", "")
    if wanted and not wanted.startswith("BMS-"):
        wanted = "BMS-" + wanted.removeprefix("BMS")
    with database.connection_context():
        row = BookingRow.select(BookingRow.id).where(BookingRow.code == wanted).first()
        if row is None:
            raise BookingNotFound(str(code)[:20])
        return booking_view(row.id)


def find_bookings(text: str, limit: int = 20) -> list[Booking]:
    """Bookings by code, or by the customer's phone number (newest first)."""
    text = str(text).strip()[:40]
    if not text:
        return []
    phone = phone_digits(text)
    if not phone:
        try:
            return [find_booking(text)]
        except BookingNotFound:
            return []
    with database.connection_context():
        rows = (
            BookingRow.select(BookingRow.id)
            .where(BookingRow.customer_phone.endswith(phone[-10:]))
            .order_by(BookingRow.id.desc())
            .limit(limit)
        )
        return [booking_view(row.id) for row in rows]
