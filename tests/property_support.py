"""What the property tests over the published API share: hypothesis settings, the readable-
refusal check, and helpers that predict what a call should do with a given input.

Every call either succeeds with a sane result or raises a ``BookingError`` whose message a
clerk can read (short, no driver names, no control characters); nothing else ever escapes, and
the database invariants (``invariants.assert_invariants``) hold after every example. Each
example works on its own show from ``new_show`` (the factory is the function-scoped fixture
hypothesis is told about), so examples never see each other's holds; read-only searches share
one set of bookings made once per test.
"""

from __future__ import annotations

import secrets
import unicodedata
from decimal import Decimal

from actor_support import ADMIN
from hypothesis import HealthCheck, event
from hypothesis import settings as hsettings

from bmstui.domain.errors import (
    BookingError,
    InvalidAmount,
)
from bmstui.domain.money_input import parse_amount
from bmstui.services import coupons, seating
from bmstui.store.db import database, later_sql
from bmstui.store.models import Hold as HoldRow
from bmstui.store.models import Seat, ShowSeat

PROPS = hsettings(
    deadline=None,
    database=None,  # nothing written into the checkout; failures print their reproduction
    # new_show is a factory: each example makes its own show with it.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def examples(n: int):
    return hsettings(PROPS, max_examples=n)


METHODS = ("cash", "card", "upi", "netbanking")
NOISE = ("Traceback", "peewee", "pymysql", "sqlite3", "OperationalError", "IntegrityError",
         "ProgrammingError", "InvalidOperation", "decimal.", "<class ", "UnicodeEncodeError")
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# --- helpers ------------------------------------------------------------------------------

def assert_readable(exc: BaseException) -> None:
    text = str(exc)
    assert text.strip(), f"{type(exc).__name__} without a message"
    assert len(text) <= 300, f"a {len(text)}-character message: {text[:100]}…"
    assert not any(word in text for word in NOISE), text
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_CONTROLS
                   for ch in text), ascii(text)


def attempt(fn, *args, **kwargs):
    """(result, None) or (None, the BookingError); anything else fails the test."""
    name = getattr(fn, "__name__", "call")
    try:
        result = fn(*args, **kwargs)
    except BookingError as exc:
        event(f"{name}: {type(exc).__name__}")
        assert_readable(exc)
        return None, exc
    event(f"{name}: ok")
    return result, None


_LABELS: list[str] = []


def seat_labels(show_id: int) -> list[str]:
    """The labels of a classic-150 show (every new_show has the same)."""
    if not _LABELS:
        _LABELS.extend(seat.label for seat in seating.seat_map(show_id))
    return _LABELS


def held_labels(token: str) -> list[str]:
    with database.connection_context():
        return sorted(label for (label,) in ShowSeat.select(Seat.label).join(Seat)
                      .where((ShowSeat.hold_token == token) & (ShowSeat.status == "held"))
                      .tuples())


def expire(token: str) -> None:
    """Run a hold out now, by the database clock (its seats and its row)."""
    with database.connection_context():
        ShowSeat.update(held_until=later_sql(-5)).where(
            (ShowSeat.hold_token == token) & (ShowSeat.status == "held")).execute()
        HoldRow.update(expires_at=later_sql(-5)).where(HoldRow.token == token).execute()


def expected_labels(labels, valid: list[str], max_seats: int = 10) -> tuple[str, ...] | None:
    """What a hold of ``labels`` must take (normalised, in the order given), or None if the
    request itself is invalid: not a sequence of labels, unknown, repeated, too many."""
    if isinstance(labels, str):
        items = labels.replace(",", " ").split()
    else:
        try:
            items = list(labels)
        except TypeError:
            return None
    if not items or len(items) > 20 * max_seats:
        return None
    if not all(isinstance(item, str) for item in items):
        return None
    clean = [item.strip().upper() for item in items]
    known = set(valid)
    if len(set(clean)) != len(clean) or len(clean) > max_seats or not set(clean) <= known:
        return None
    return tuple(clean)


def seconds_value(value, default: float, most: float) -> float | None:
    if value is None:
        return default
    try:
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if 0 < seconds <= most else None


def money_value(value) -> Decimal | None:
    """Cash tendered as ``confirm`` must read it (rupees and paise), or None if it is not. The
    one money parser decides (its own cases are in test_money_input.py); here it only predicts."""
    try:
        return parse_amount(value, "Cash tendered")
    except InvalidAmount:
        return None


def refund_value(value) -> Decimal | None:
    try:
        return parse_amount(value, "Refund amount", zero=False)
    except InvalidAmount:
        return None


def folded(text: str) -> str:
    """Case- and accent-folded, as MariaDB's collation compares."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold())
                   if not unicodedata.combining(ch))


_COUPONS: dict[str, dict[str, str]] = {}


def own_coupons(url: str) -> dict[str, str]:
    """Coupons only these tests use (made once per database): kind -> code."""
    if url not in _COUPONS:
        tag = secrets.token_hex(3).upper()
        made = {"percent": f"PCT{tag}", "flat": f"FLAT{tag}", "minimum": f"MIN{tag}",
                "once": f"ONCE{tag}", "off": f"OFF{tag}", "single": f"ONE{tag}"}
        coupons.create(made["percent"], "percent", 10, max_discount=150, by=ADMIN)
        coupons.create(made["flat"], "flat", 50, by=ADMIN)
        coupons.create(made["minimum"], "flat", 20, min_amount=100_000, by=ADMIN)
        coupons.create(made["once"], "flat", 30, per_customer_limit=1, by=ADMIN)
        coupons.create(made["off"], "flat", 40, active=False, by=ADMIN)
        coupons.create(made["single"], "flat", 25, usage_limit=1, by=ADMIN)
        _COUPONS[url] = made
    return _COUPONS[url]
