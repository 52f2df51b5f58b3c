"""A manager's refund of money without cancelling seats: the projector failed halfway, the
sound was out, a customer was charged for the wrong seats and a supervisor makes it right.

The seats stay sold (the customer did see part of the show, or keeps the booking); only money
moves back, by the payment's method, with a mandatory reason and the manager on record. Every
refund of a booking counts against what it paid, so goodwill refunds and later cancellations
together never give back more than was taken.
"""

from __future__ import annotations

from decimal import Decimal

from bmstui.config import get_settings
from bmstui.domain.errors import BookingError
from bmstui.domain.money_input import parse_amount
from bmstui.domain.pricing import money, rupees
from bmstui.domain.text import plain_text
from bmstui.services import audit
from bmstui.services.cancellations import Refund, _booking_row, refunded_so_far
from bmstui.services.operators import operator_fk, require_manager
from bmstui.store.db import database, now_sql, parse_db_datetime, transaction
from bmstui.store.models import Payment
from bmstui.store.models import Refund as RefundRow


def refundable(code) -> Decimal:
    """What is left of a booking's payment to refund."""
    with database.connection_context():
        row = _booking_row(code, lock=False)
        return money(row.total) - refunded_so_far(row.id)


def refund(code, amount, *, reason: str, operator=None) -> Refund:
    """Give back ``amount`` of booking ``code``'s payment by its method (a manager's action;
    ``reason`` is required and recorded). The seats stay sold."""
    actor = require_manager(operator, "refunding money")
    reason = plain_text(reason or "")[:255]
    if not reason:
        raise BookingError("Say why the money is refunded; the reason is recorded")
    amount = parse_amount(amount, "Refund amount", zero=False)
    settings = get_settings()

    def attempt() -> Refund:
        row = _booking_row(code, lock=True)  # queues behind a cancel of the same booking
        left = money(row.total) - refunded_so_far(row.id)
        if amount > left:
            raise BookingError(f"Booking {row.code} has only {rupees(left)} left to refund "
                               f"(paid {rupees(money(row.total))})")
        payment = Payment.select().where(Payment.booking == row.id).order_by(Payment.id).first()
        refund_id = RefundRow.insert(
            booking=row.id, payment=payment.id, method=payment.method, amount=amount,
            labels="", reason=reason, override=False, operator=operator_fk(actor),
            terminal=settings.terminal, created_at=now_sql(),
        ).execute()
        audit.record("refund", operator_id=actor, booking_id=row.id,
                     detail=f"{rupees(amount)} by {payment.method}; reason: {reason}")
        created = RefundRow.select(RefundRow.created_at).where(RefundRow.id == refund_id).scalar()
        paid = money(row.total)
        return Refund(
            id=refund_id, booking_code=row.code, labels=(), amount=amount,
            percent=(amount * 100 / paid).quantize(Decimal("0.01")) if paid else Decimal(0),
            method=payment.method, paid_for_seats=paid, override=False, reason=reason,
            booking_status=row.status, minutes_before=0.0,
            created_at=parse_db_datetime(created),
        )

    return transaction(attempt)
