"""Cancelling a booking, whole or some of its seats, and recording the refund.

Judged on the database clock inside the transaction that frees the seats: the booking row is
locked first (two counters cancelling the same booking queue, and the second sees what the
first did), then its seats go back to ``available`` with a fresh ``updated_at`` so every grid's
change feed shows them free at its next poll. The money comes back by the payment's method, in
proportion to what the cancelled seats carried of the total (a coupon's discount is shared out),
at the refund tier the time left earns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from peewee import fn

from bmstui.config import Settings, get_settings
from bmstui.domain import refund_policy
from bmstui.domain.actors import Administrator, is_channel
from bmstui.domain.errors import (
    BookingError,
    BookingNotFound,
    CancellationClosed,
    InvalidSeats,
    NotAuthorized,
    join_labels,
)
from bmstui.domain.ids import parse_id
from bmstui.domain.pricing import money, rupees
from bmstui.domain.requests import normalise_labels
from bmstui.domain.text import plain_text
from bmstui.domain.vocabulary import BookingStatus, SeatStatus, TicketStatus
from bmstui.services import audit, zones
from bmstui.services.bookings import normalise_code
from bmstui.services.operators import operator_fk, require_actor, require_manager
from bmstui.store.db import database, db_now, is_mysql, now_sql, parse_db_datetime, transaction
from bmstui.store.models import Booking as BookingRow
from bmstui.store.models import BookingSeat, Payment, Screen, Show, ShowSeat, Theater
from bmstui.store.models import Refund as RefundRow


@dataclass(frozen=True)
class RefundQuote:
    """What cancelling these seats now would do, before anything is done."""

    booking_code: str
    labels: tuple[str, ...]
    allowed: bool  # within the policy
    override_possible: bool  # past the cutoff, but overrides are switched on
    percent: Decimal
    paid_for_seats: Decimal  # the part of the payment these seats carried
    amount: Decimal  # what would be refunded
    method: str
    why: str  # the policy's verdict in a sentence


@dataclass(frozen=True)
class Refund:
    id: int
    booking_code: str
    labels: tuple[str, ...]
    amount: Decimal
    percent: Decimal
    method: str  # the payment's method: cash back from the drawer, or to the card/UPI/bank
    paid_for_seats: Decimal
    override: bool
    reason: str
    booking_status: str  # partially_cancelled | cancelled
    minutes_before: float  # before the show, by the database clock
    created_at: datetime


@dataclass(frozen=True)
class _Plan:
    seat_rows: list  # BookingSeat rows to cancel
    terms: refund_policy.Terms
    override: bool
    percent: Decimal
    paid: Decimal
    amount: Decimal
    remaining: int  # seats still sold afterwards


def _booking_row(code, *, lock: bool) -> BookingRow:
    query = BookingRow.select().where(BookingRow.code == normalise_code(code))
    if lock and is_mysql():
        query = query.for_update()  # SQLite's BEGIN IMMEDIATE already serialises writers
    row = query.first()
    if row is None:
        raise BookingNotFound(str(code)[:20])
    return row


def _chosen(row: BookingRow, labels) -> tuple[list, list]:
    """(seat rows to cancel, every seat row of the booking), or why those labels cannot be."""
    seats = list(BookingSeat.select().where(BookingSeat.booking == row.id)
                 .order_by(BookingSeat.show_seat))
    sold = [seat for seat in seats if seat.status == TicketStatus.SOLD]
    if labels is None:
        if not sold:
            raise BookingError(f"Booking {row.code} is already cancelled")
        return sold, seats
    wanted = normalise_labels(labels)
    by_label = {seat.label: seat for seat in seats}
    unknown = [label for label in wanted if label not in by_label]
    if unknown:
        raise InvalidSeats(unknown, f"Not on booking {row.code}: {join_labels(unknown)}")
    gone = [label for label in wanted if by_label[label].status != TicketStatus.SOLD]
    if gone:
        raise BookingError(f"Already cancelled on booking {row.code}: {', '.join(gone)}")
    return [by_label[label] for label in wanted], seats


def may_override(operator, settings: Settings) -> bool:
    """Managers may override the cutoff (with a reason); for the administrator of the command
    line and scripts the ``cancellation.allow_override`` switch decides; a cashier never."""
    if isinstance(operator, Administrator):
        return settings.allow_cancel_override
    if operator is None:
        return False
    try:
        require_manager(operator, "overriding the cancellation cutoff")
    except NotAuthorized:
        return False
    return True


def _plan(row: BookingRow, labels, now: datetime, settings: Settings, reason: str,
          overridable: bool = False) -> _Plan:
    chosen, seats = _chosen(row, labels)
    starts_at, tz, theater = (Show.select(Show.starts_at, Theater.timezone, Theater.name)
                              .join(Screen).join(Theater).where(Show.id == row.show_id)
                              .tuples().first())
    tiers = refund_policy.parse_tiers(settings.refund_tiers)
    # Judged in UTC on the database clock; the theater's zone only words the closing time.
    terms = refund_policy.terms(starts_at, now, settings.cancellation_cutoff_minutes, tiers,
                                zones.resolve(tz, theater))
    override = not terms.allowed and bool(reason) and overridable
    percent = refund_policy.override_percent(tiers) if override else terms.percent
    chosen_ids = {seat.id for seat in chosen}
    remaining = [s for s in seats if s.status == TicketStatus.SOLD and s.id not in chosen_ids]
    paid = _paid_for(row, chosen, seats)
    return _Plan(chosen, terms, override, percent, paid,
                 _capped(row, refund_policy.refund_amount(paid, percent)), len(remaining))


def _paid_for(row: BookingRow, chosen: list, seats: list) -> Decimal:
    """What ``chosen`` carried of the payment. A running difference: they carry share(all
    cancelled so far, them included) minus share(what was cancelled before), so every split
    adds up to exactly the total."""
    subtotal, total = money(row.subtotal), money(row.total)
    before = sum((money(s.price) for s in seats if s.status != TicketStatus.SOLD), Decimal(0))
    chosen_sum = sum((money(s.price) for s in chosen), Decimal(0))
    return (refund_policy.paid_share(before + chosen_sum, subtotal, total)
            - refund_policy.paid_share(before, subtotal, total))


def refunded_so_far(booking_id: int) -> Decimal:
    booking_id = parse_id(booking_id, "booking")
    return money(RefundRow.select(fn.COALESCE(fn.SUM(RefundRow.amount), 0))
                 .where(RefundRow.booking == booking_id).scalar())


def _capped(row: BookingRow, amount: Decimal) -> Decimal:
    """Never more back than is left of the payment (a manager's goodwill refund came first)."""
    return max(Decimal("0.00"), min(amount, money(row.total) - refunded_so_far(row.id)))


def full_refund_plan(row: BookingRow, why: str) -> _Plan:
    """Every seat still sold, refunded in full: the cinema cancelled, not the customer."""
    chosen, seats = _chosen(row, None)
    paid = _paid_for(row, chosen, seats)
    terms = refund_policy.Terms(True, Decimal(100), 0.0, 0, why)
    return _Plan(chosen, terms, False, Decimal(100), paid, _capped(row, paid), 0)


def refund_quote(code, labels=None, *, operator=None) -> RefundQuote:
    """What ``cancel`` would refund now, or why it would refuse (nothing is changed)."""
    settings = get_settings()
    with database.connection_context():
        row = _booking_row(code, lock=False)
        plan = _plan(row, labels, db_now(), settings, reason="")
        method = Payment.select(Payment.method).where(Payment.booking == row.id).scalar()
        percent, amount = plan.percent, plan.amount
        if not plan.terms.allowed:  # what an override would refund
            percent = refund_policy.override_percent(
                refund_policy.parse_tiers(settings.refund_tiers))
            amount = _capped(row, refund_policy.refund_amount(plan.paid, percent))
    return RefundQuote(
        booking_code=row.code, labels=tuple(seat.label for seat in plan.seat_rows),
        allowed=plan.terms.allowed,
        override_possible=not plan.terms.allowed and may_override(operator, settings),
        percent=percent, paid_for_seats=plan.paid, amount=amount, method=method or "",
        why=plan.terms.why,
    )


def _refused(terms: refund_policy.Terms, overridable: bool, operator) -> CancellationClosed:
    if is_channel(operator):
        hint = " (online cancellation ends there; the box office can help)"
    elif not isinstance(operator, Administrator | None) and not overridable:
        hint = " (a manager can override it with a reason)"
    elif overridable:
        hint = "; to cancel anyway, give the reason for the override"
    else:
        hint = " (overrides are switched off: cancellation.allow_override)"
    return CancellationClosed(terms.why + hint, terms.minutes_left)


def cancel(code, *, labels=None, operator=None, reason=None) -> Refund:
    """Cancel a booking (``labels=None``: every seat still on it) and refund by the payment's
    method. Past the cutoff, ``CancellationClosed`` unless a ``reason`` is given by a manager
    (``NotAuthorized`` for a cashier) or, with no operator, ``cancellation.allow_override`` is
    on; the override and its reason are recorded with the refund."""
    actor = require_actor(operator, "cancelling a booking")
    settings = get_settings()
    reason = plain_text(reason or "")[:255]
    overridable = may_override(operator, settings)

    def attempt() -> Refund:
        row = _booking_row(code, lock=True)
        plan = _plan(row, labels, db_now(), settings, reason, overridable)
        if not plan.terms.allowed and not plan.override:
            if reason and not overridable and not isinstance(operator, Administrator):
                require_manager(operator, "overriding the cancellation cutoff")
            raise _refused(plan.terms, overridable, operator)
        return carry_out(row, plan, reason=reason, operator_id=actor,
                         kind="cancel_override" if plan.override else "cancel")

    return transaction(attempt)


def carry_out(row: BookingRow, plan: _Plan, *, reason: str, operator_id,
              kind: str, free_to: str = SeatStatus.AVAILABLE) -> Refund:
    """Inside the caller's transaction: free the plan's seats (to ``free_to``), mark them
    cancelled, record the refund by the payment's method and the audit row ``kind``."""
    settings = get_settings()
    show_seat_ids = [seat.show_seat_id for seat in plan.seat_rows]
    freed = (
        ShowSeat.update(status=free_to, booking=None, hold_token=None, held_until=None,
                        updated_at=now_sql())
        .where(ShowSeat.id.in_(show_seat_ids) & (ShowSeat.booking == row.id))
        .execute()
    )
    if freed != len(show_seat_ids):
        raise BookingError(f"Booking {row.code} changed meanwhile; look it up again")
    BookingSeat.update(status=TicketStatus.CANCELLED).where(
        BookingSeat.id.in_([seat.id for seat in plan.seat_rows])).execute()
    status = BookingStatus.PARTIALLY_CANCELLED if plan.remaining else BookingStatus.CANCELLED
    BookingRow.update(status=status).where(BookingRow.id == row.id).execute()
    payment = Payment.select().where(Payment.booking == row.id).order_by(Payment.id).first()
    labels_text = ", ".join(seat.label for seat in plan.seat_rows)
    refund_id = RefundRow.insert(
        booking=row.id, payment=payment.id, method=payment.method, amount=plan.amount,
        labels=labels_text[:255], reason=reason, override=plan.override,
        operator=operator_fk(operator_id), terminal=settings.terminal, created_at=now_sql(),
    ).execute()
    detail = (f"{labels_text}: {plan.percent.normalize():f}% of {rupees(plan.paid)} = "
              f"{rupees(plan.amount)} by {payment.method}")
    if plan.override:
        detail += f"; override past the cutoff: {reason}"
    elif reason:
        detail += f"; reason: {reason}"
    audit.record(kind, operator_id=operator_id, booking_id=row.id, detail=detail)
    created = RefundRow.select(RefundRow.created_at).where(RefundRow.id == refund_id).scalar()
    return Refund(
        id=refund_id, booking_code=row.code,
        labels=tuple(seat.label for seat in plan.seat_rows), amount=plan.amount,
        percent=plan.percent, method=payment.method, paid_for_seats=plan.paid,
        override=plan.override, reason=reason, booking_status=status,
        minutes_before=plan.terms.minutes_left, created_at=parse_db_datetime(created),
    )
