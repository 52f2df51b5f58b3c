"""Reading bookings back: by code, by phone, and as the view tickets and lookups show.

The sale (``sales.confirm``) and the cancellation (``sales.cancel``) write bookings; this module
only reads them, so both can share one picture of a booking without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import peewee as pw

from bmstui.domain.errors import BookingError, BookingNotFound, HoldNotFound, NotFound, shown
from bmstui.domain.ids import parse_id
from bmstui.domain.phones import looks_like_phone, parse_phone
from bmstui.domain.pricing import money
from bmstui.domain.requests import check_token
from bmstui.domain.text import plain_text
from bmstui.domain.vocabulary import TicketStatus
from bmstui.store.db import database
from bmstui.store.models import Booking as BookingRow
from bmstui.store.models import BookingSeat, Coupon, Payment, Refund, Seat, ShowSeat

MAX_RESULTS = 500  # a lookup lists at most this many bookings


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
    status: str  # confirmed | partially_cancelled | cancelled
    labels: tuple[str, ...]  # seats still sold on this booking
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    payment: PaymentInfo
    customer_name: str
    customer_phone: str
    terminal: str
    created_at: datetime
    cancelled: tuple[str, ...] = ()  # seats given back
    refunded: Decimal = Decimal("0.00")
    coupon: str = ""
    fresh: bool = False  # made by the confirm that answered it (False: found again)


def phone_digits(text: str) -> str:
    """A phone number as stored and searched: its digits (spaces, dashes, + dropped), or ''
    if the text is not a phone number."""
    compact = str(text).strip().replace("+", "").replace(" ", "").replace("-", "")
    return compact if compact.isdigit() and len(compact) >= 6 else ""


def customer_of(customer) -> tuple[str, str]:
    """(name, phone) from a phone string, a name string, or a mapping with name/phone.

    Text made of digits and phone separators only is meant as a phone number, so it must be
    one (InvalidPhone otherwise): a script can no more store ``123`` as a phone than the
    checkout can."""
    if customer is None:
        return "", ""
    if isinstance(customer, dict):
        phone = plain_text(customer.get("phone") or "")
        return plain_text(customer.get("name") or "")[:80], parse_phone(phone) if phone else ""
    text = plain_text(customer)
    return ("", parse_phone(text)) if looks_like_phone(text) else (text[:80], "")


def booking_view(booking_id: int) -> Booking:
    booking_id = parse_id(booking_id, "booking")
    row = BookingRow.get_or_none(BookingRow.id == booking_id)
    if row is None:
        raise NotFound("booking", booking_id)
    seats = list(
        BookingSeat.select(BookingSeat.label, BookingSeat.status)
        .join(ShowSeat)
        .join(Seat)
        .where(BookingSeat.booking == booking_id)
        .order_by(Seat.y, Seat.x)
        .tuples()
    )
    pay = Payment.select().where(Payment.booking == booking_id).order_by(Payment.id).first()
    refunded = Refund.select(pw.fn.SUM(Refund.amount)).where(
        Refund.booking == booking_id).scalar()
    coupon = Coupon.get_by_id(row.coupon_id).code if row.coupon_id else ""
    return Booking(
        id=row.id, code=row.code, show_id=row.show_id, status=row.status,
        labels=tuple(label for label, status in seats if status == TicketStatus.SOLD),
        subtotal=money(row.subtotal), discount=money(row.discount), total=money(row.total),
        payment=PaymentInfo(pay.method, pay.amount, pay.tendered, pay.change, pay.reference),
        customer_name=row.customer_name, customer_phone=row.customer_phone,
        terminal=row.terminal, created_at=row.created_at,
        cancelled=tuple(label for label, status in seats if status == TicketStatus.CANCELLED),
        refunded=money(refunded or 0), coupon=coupon,
    )


def booking_for_token(token: str) -> Booking | None:
    """The booking a hold was confirmed into, if it was (None for any other text)."""
    try:
        token = check_token(token)
    except HoldNotFound:
        return None
    row = BookingRow.select(BookingRow.id).where(BookingRow.hold_token == token).first()
    return booking_view(row.id) if row else None


def normalise_code(code) -> str:
    """'bms abc234' / 'ABC234' -> 'BMS-ABC234' (case and spaces forgiven); '' for text that
    cannot be a code (codes are ASCII letters and digits)."""
    wanted = str(code).strip().upper().replace(" ", "")[:20]
    if not (wanted.isascii() and wanted.isprintable()):
        return ""
    if wanted and not wanted.startswith("BMS-"):
        wanted = "BMS-" + wanted.removeprefix("BMS")
    return wanted


def find_booking(code: str) -> Booking:
    """A booking by its code (case and spaces forgiven)."""
    with database.connection_context():
        row = BookingRow.select(BookingRow.id).where(
            BookingRow.code == normalise_code(code)).first()
        if row is None:
            raise BookingNotFound(str(code)[:20])
        return booking_view(row.id)


def find_bookings(text: str, limit: int = 20) -> list[Booking]:
    """Bookings by code, or by the customer's phone number (newest first)."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise BookingError(
            f"A search limit is a whole number, not {shown(limit, 20, quoted=True)}")
    text = str(text).strip()[:40]
    if not text or limit < 1:
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
            .limit(min(limit, MAX_RESULTS))
        )
        return [booking_view(row.id) for row in rows]
