"""What a sale will cost and why: seat prices, how the rules formed them, a coupon's discount.

The checkout screen shows a quote before the money is taken, ``sales.confirm`` charges exactly
what the same arithmetic gives inside its transaction, and ``bmstui pricing explain`` prints the
per-seat part of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bmstui.domain.coupon_rules import CouponInfo
from bmstui.domain.errors import BookingClosed, BookingError, HoldExpired
from bmstui.domain.pricing import money, rupees, subtotals
from bmstui.domain.requests import check_show_id, check_token, normalise_labels
from bmstui.domain.vocabulary import SeatStatus, ShowStatus
from bmstui.services import coupons, prices
from bmstui.services.bookings import customer_of
from bmstui.services.seat_index import resolve
from bmstui.services.seat_refusals import check_count
from bmstui.services.seating import live_hold
from bmstui.store.db import database, now_sql
from bmstui.store.models import Hold as HoldRow
from bmstui.store.models import Seat, Show, ShowSeat

SeatLine = tuple[int, str, str, Decimal]  # show seat id, label, seat type, price


@dataclass(frozen=True)
class QuoteLine:
    label: str
    type: str
    price: Decimal


@dataclass(frozen=True)
class Quote:
    show_id: int
    token: str | None  # the hold quoted, if a hold was
    lines: tuple[QuoteLine, ...]
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    coupon: CouponInfo | None
    pricing: prices.ShowPricing

    @property
    def groups(self) -> list[tuple[str, int, Decimal, Decimal]]:
        """(seat type, count, price each, amount), as a clerk reads the bill out."""
        return subtotals((line.type, line.price) for line in self.lines)

    def explain(self) -> list[str]:
        """The whole bill as lines of text: formulas, subtotals, coupon, total."""
        out = [self.pricing.formula(kind, price) for kind, _, price, _ in self.groups]
        out += [f"{count} × {kind.title()} at {rupees(price)} = {rupees(amount)}"
                for kind, count, price, amount in self.groups]
        out.append(f"Subtotal {rupees(self.subtotal)}")
        if self.coupon is not None:
            out.append(f"Coupon {self.coupon.code} ({self.coupon.describe}): "
                       f"-{rupees(self.discount)}")
        out.append(f"Total {rupees(self.total)}")
        return out


def held_seats(token: str) -> tuple[HoldRow, list[SeatLine]]:
    """The live hold and its seats in id order (the lock order), or why not."""
    token = check_token(token)
    hold, _, _ = live_hold(token)
    seats = list(
        ShowSeat.select(ShowSeat.id, Seat.label, Seat.type, ShowSeat.price)
        .join(Seat)
        .where((ShowSeat.hold_token == token) & (ShowSeat.status == SeatStatus.HELD)
               & (ShowSeat.held_until > now_sql()))
        .order_by(ShowSeat.id)
        .tuples()
    )
    if len(seats) != hold.seat_count:
        # Gone between the two reads: a show called off meanwhile says so, not "ran out".
        if Show.select(Show.status).where(Show.id == hold.show_id).scalar() == \
                ShowStatus.CANCELLED:
            raise BookingClosed("This show was cancelled; nothing was sold")
        raise HoldExpired()
    return hold, [(sid, label, type_, money(price)) for sid, label, type_, price in seats]


def _chosen_seats(show_id, labels) -> tuple[int, list[SeatLine]]:
    show_id = check_show_id(show_id)
    wanted = normalise_labels(labels)
    check_count(len(wanted))
    found = resolve(show_id, wanted)
    types = dict(
        ShowSeat.select(ShowSeat.id, Seat.type).join(Seat)
        .where(ShowSeat.id.in_([sid for sid, _, _ in found])).tuples()
    )
    return show_id, [(sid, label, types[sid], price) for sid, label, price in found]


def quote(token_or_show_and_labels, coupon=None, *, customer=None) -> Quote:
    """The price breakdown of a hold (its token, or the Hold) or of (show id, labels).

    With a coupon, the discount it gives now, or ``CouponInvalid`` saying why it gives none. A
    per-customer coupon needs ``customer`` (the phone number)."""
    subject = getattr(token_or_show_and_labels, "token", token_or_show_and_labels)
    token = None
    with database.connection_context():
        if isinstance(subject, str):
            token = check_token(subject)
            hold, seats = held_seats(token)
            show_id = hold.show_id
        elif isinstance(subject, tuple | list) and len(subject) == 2:
            show_id, seats = _chosen_seats(*subject)
        else:
            raise BookingError("Quote a hold token, or a (show id, seat labels) pair")
        show_pricing = prices.show_pricing(show_id)
    subtotal = sum((price for *_, price in seats), Decimal("0.00"))
    info, discount = None, Decimal("0.00")
    if coupon:
        _, phone = customer_of(customer)
        info, discount = coupons.check(coupon, subtotal, phone=phone)
    return Quote(
        show_id=show_id, token=token,
        lines=tuple(QuoteLine(label, type_, price) for _, label, type_, price in seats),
        subtotal=subtotal, discount=discount, total=subtotal - discount, coupon=info,
        pricing=show_pricing,
    )
