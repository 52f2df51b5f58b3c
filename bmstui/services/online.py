"""What an online channel does, on the counters' own seat engine.

The same ``seating.hold`` and ``sales.confirm`` a counter calls, with the channel as the actor:
its holds, bookings, payments and audit rows carry "online:<name>" where a counter's name goes
(the settings' terminal, scoped to the call), so every grid shows a seat held online as held,
and reports count the channel's sales as its own. A channel sees and acts on its own holds
only: another's token answers "not found", as an unknown one does.

Anti-hoarding: at most ``api.max_open_holds`` live holds per channel and ``booking.max_seats``
seats per hold, so a bot with a key cannot hold a hall. (The count and the hold are two
statements: racing requests of one channel may pass the limit by the number of servers.)
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

import peewee as pw

from bmstui.config import get_settings, settings_scope
from bmstui.domain.actors import OnlineChannel
from bmstui.domain.best_seats import best_available
from bmstui.domain.errors import (
    BookingError,
    BookingNotFound,
    HoldNotFound,
    InvalidSeats,
    PaymentDeclined,
    SeatsUnavailable,
    TooManyHolds,
)
from bmstui.domain.pricing import money
from bmstui.domain.requests import check_token, normalise_labels
from bmstui.domain.vocabulary import HoldState, PaymentMethod, SeatStatus
from bmstui.services import cancellations, quotes, sales, seat_maps, seating
from bmstui.services.bookings import Booking, booking_for_token, normalise_code, phone_digits
from bmstui.services.channels import require_scope
from bmstui.services.seat_refusals import show_refusal
from bmstui.store.db import database, now_sql, parse_db_datetime
from bmstui.store.models import Booking as BookingRow
from bmstui.store.models import Hold as HoldRow
from bmstui.store.models import Refund as RefundRow
from bmstui.store.models import ShowSeat

BEST_ATTEMPTS = 3  # best seats re-picked when another buyer took one meanwhile
ONLINE_METHODS = (PaymentMethod.CARD, PaymentMethod.UPI, PaymentMethod.NETBANKING)


@contextmanager
def as_channel(channel: OnlineChannel):
    """Service calls within record the channel where a counter's name goes."""
    with settings_scope(replace(get_settings(), terminal=channel.terminal)):
        yield


def open_holds(channel: OnlineChannel) -> int:
    """The channel's holds that still hold a seat now (by the database clock)."""
    # Through the (terminal, state, expires_at) index: only the channel's holds that are
    # neither released, confirmed nor run out, each checked for a seat it still holds (a
    # cancelled show freed them without touching the hold row).
    seat = ShowSeat.alias()
    holding = (seat.select(pw.SQL("1"))
               .where((seat.hold_token == HoldRow.token) & (seat.status == SeatStatus.HELD)))
    with database.connection_context():
        return (HoldRow.select(pw.fn.COUNT(HoldRow.token))
                .where((HoldRow.terminal == channel.terminal)
                       & (HoldRow.state == HoldState.ACTIVE)
                       & (HoldRow.expires_at > now_sql()) & pw.fn.EXISTS(holding))
                .scalar()) or 0


def _own(channel: OnlineChannel, token) -> str:
    """``token`` if it is one of the channel's holds; HoldNotFound otherwise."""
    token = check_token(token)
    with database.connection_context():
        terminal = HoldRow.select(HoldRow.terminal).where(HoldRow.token == token).scalar()
    if terminal != channel.terminal:
        raise HoldNotFound()
    return token


def hold(channel: OnlineChannel, show_id, *, seats=None, best=None) -> seating.Hold:
    """Hold the named ``seats``, or the ``best`` n seats free together."""
    require_scope(channel, "sell")
    if (seats is None) == (best is None):
        raise BookingError('Ask for "seats" (labels) or "best" (a number of seats), one of them')
    settings = get_settings()
    if open_holds(channel) >= settings.api_max_open_holds:
        raise TooManyHolds(settings.api_max_open_holds)
    ttl = settings.api_hold_seconds or None
    with as_channel(channel):
        if seats is not None:
            return seating.hold(show_id, seats, terminal=channel.terminal, operator=channel,
                                ttl=ttl)
        for attempt in range(BEST_ATTEMPTS):
            free = seat_maps.free_seat_ids(show_id)
            layout = seat_maps.seat_layout(show_id, covering=free)  # ShowNotFound if none
            labels = _pick_best(show_id, layout, best, free)
            try:
                return seating.hold(show_id, labels, terminal=channel.terminal,
                                    operator=channel, ttl=ttl)
            except SeatsUnavailable:
                if attempt == BEST_ATTEMPTS - 1:
                    raise
    raise AssertionError("unreachable")


# Seats this process just picked as someone's best, by show: a moment later the database shows
# them held, but requests picking at the same instant read the free seats before that, and
# would all pick the same block (one wins, the rest retry). Kept CLAIM_SECONDS, then forgotten.
_CLAIMS: dict[int, dict[int, float]] = {}
_CLAIMS_LOCK = threading.Lock()
CLAIM_SECONDS = 2.0


def _pick_best(show_id: int, layout, n: int, free: set[int]) -> list[str]:
    with _CLAIMS_LOCK:
        now = time.monotonic()
        claims = {sid: until for sid, until in _CLAIMS.get(show_id, {}).items() if until > now}
        picked = set(best_available(layout, n, free - claims.keys()))
        if not picked and free & claims.keys():  # never refuse for a claim alone
            picked = set(best_available(layout, n, free))
        if picked:
            claims.update(dict.fromkeys(picked, now + CLAIM_SECONDS))
            if len(_CLAIMS) > 256:
                _CLAIMS.clear()
            _CLAIMS[show_id] = claims
    if not picked:
        with database.connection_context():
            show_refusal(show_id)  # a cancelled or past show says so (BookingClosed)
        raise SeatsUnavailable((), f"Not {n} seats free together for this show")
    return [seat.label for seat in layout if seat.id in picked]


def get_hold(channel: OnlineChannel, token) -> seating.Hold | Booking:
    """The hold as it stands, or, once it was sold, its booking: a website that lost the
    answer to its confirm learns the sale happened (rather than "no such hold")."""
    token = _own(channel, token)
    with database.connection_context():
        sold = booking_for_token(token)
    return sold if sold is not None else seating.get_hold(token)


def release(channel: OnlineChannel, token) -> int:
    """Give the hold's seats back; how many were given back."""
    token = _own(channel, token)
    with as_channel(channel):
        return seating.release(token)


def quote(channel: OnlineChannel, token, coupon=None, customer=None) -> quotes.Quote:
    phone = (customer or {}).get("phone") if isinstance(customer, dict) else customer
    return quotes.quote(_own(channel, token), coupon or None, customer=phone or None)


def confirm(channel: OnlineChannel, token, *, method: str, coupon=None,
            customer=None) -> tuple[Booking, bool]:
    """Sell the hold: (the booking, whether this call made it). The same token again gives
    the same booking (made False): a retried request never sells twice."""
    require_scope(channel, "sell")
    token = _own(channel, token)
    with database.connection_context():
        done = booking_for_token(token)
    if done is not None:
        return done, False
    if str(method).strip().lower() not in ONLINE_METHODS:
        raise PaymentDeclined(f"Online payment is by {', '.join(ONLINE_METHODS)}; cash is "
                              f"paid at a counter")
    with as_channel(channel):
        booking = sales.confirm(token, method=method, coupon=coupon or None,
                                customer=customer or None, operator=channel)
    return booking, booking.fresh  # a racing retry of the same hold found it made: 200


# --- bookings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundSummary:
    """A refund as the channel sees it (a new one, or the one a retried cancel made)."""

    booking_code: str
    seats: tuple[str, ...]
    amount: Decimal
    method: str
    booking_status: str
    created_at: datetime


def _own_booking(channel: OnlineChannel, code) -> Booking:
    """The channel's booking with this code; BookingNotFound for any other (even one a
    counter sold: a channel learns nothing of other sales)."""
    found = [b for b in sales.find_bookings(str(code)[:40]) if b.code == normalise_code(code)]
    if not found or found[0].terminal != channel.terminal:
        raise BookingNotFound(str(code)[:20])
    return found[0]


def booking(channel: OnlineChannel, code) -> Booking:
    require_scope(channel, "read")
    return _own_booking(channel, code)


def bookings(channel: OnlineChannel, customer_phone) -> list[Booking]:
    """The channel's bookings for a customer's phone number, newest first."""
    require_scope(channel, "read")
    phone = phone_digits(str(customer_phone or ""))
    if not phone:
        raise BookingError("customer_phone: a phone number (digits, spaces, + and -)")
    return [b for b in sales.find_bookings(phone) if b.terminal == channel.terminal]


def refund_quote(channel: OnlineChannel, code, seats=None) -> cancellations.RefundQuote:
    require_scope(channel, "cancel")
    own = _own_booking(channel, code)
    quoted = cancellations.refund_quote(own.code, seats or None, operator=channel)
    if not quoted.allowed:  # a channel has no override: past the cutoff it refunds nothing
        quoted = replace(quoted, percent=Decimal(0), amount=Decimal("0.00"))
    return quoted


def _summary(code: str, seats, amount, method, status, at) -> RefundSummary:
    return RefundSummary(code, tuple(seats), money(amount), method, status, at)


def cancel(channel: OnlineChannel, code, seats=None) -> tuple[RefundSummary, bool]:
    """Cancel seats of the channel's booking within the policy (no override): (the refund,
    whether this call made it). Asking again for seats this channel already cancelled in one
    refund answers that refund: a retried request never refunds twice."""
    require_scope(channel, "cancel")
    own = _own_booking(channel, code)
    if seats is not None and not list(seats):
        # An empty list is a mistake, never "the whole booking" (leave seats out for that).
        raise InvalidSeats(message="No seats chosen: name the seats to cancel, or leave "
                                   "\"seats\" out to cancel the whole booking")
    wanted = normalise_labels(seats) if seats else list(own.labels)
    if not wanted and own.cancelled:  # the whole booking again: it was cancelled already
        wanted = None
    if wanted is None or not set(wanted) & set(own.labels):
        with database.connection_context():
            for labels, amount, method, at in (
                    RefundRow.select(RefundRow.labels, RefundRow.amount, RefundRow.method,
                                     RefundRow.created_at)
                    .join(BookingRow).where(BookingRow.code == own.code)
                    .order_by(RefundRow.id.desc()).tuples()):
                made = [label.strip() for label in labels.split(",")]
                if wanted is None or made == list(wanted):  # whole booking: its last refund
                    return _summary(own.code, made, amount, method, own.status,
                                    parse_db_datetime(at)), False
    with as_channel(channel):
        refund = sales.cancel(own.code, labels=seats or None, operator=channel)
    return _summary(refund.booking_code, refund.labels, refund.amount, refund.method,
                    refund.booking_status, refund.created_at), True
