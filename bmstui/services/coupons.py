"""Coupons: looking them up, checking them for a sale, and counting a use inside the sale.

A use is counted by one conditional UPDATE of the coupon row inside the confirm transaction
(``used_count < usage_limit`` and the validity window judged by the database clock in its WHERE
clause). That row lock also queues every other sale using the same coupon, so the per-customer
count read after it is exact: counters racing for a coupon's last use never exceed its limit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import peewee as pw

from bmstui.domain.coupon_rules import COUPON_KINDS, CouponInfo, discount, refusal, unknown
from bmstui.domain.errors import BookingError, CouponInvalid, shown
from bmstui.domain.ids import parse_optional_moment
from bmstui.domain.money_input import parse_amount, parse_optional_amount
from bmstui.domain.pricing import money
from bmstui.domain.text import clean_text
from bmstui.services import audit
from bmstui.store.db import database, db_now, is_mysql, now_sql, parse_db_datetime, transaction
from bmstui.store.models import Coupon, CouponUse


def normalise_code(code) -> str:
    return clean_text(code or "").strip().upper().replace(" ", "")[:32]


def _info(row: Coupon) -> CouponInfo:
    return CouponInfo(
        code=row.code, kind=row.kind, value=money(row.value),
        max_discount=None if row.max_discount is None else money(row.max_discount),
        min_amount=money(row.min_amount or 0),
        valid_from=None if row.valid_from is None else parse_db_datetime(row.valid_from),
        valid_until=None if row.valid_until is None else parse_db_datetime(row.valid_until),
        active=bool(row.active), usage_limit=row.usage_limit,
        per_customer_limit=row.per_customer_limit, used_count=row.used_count,
    )


def _row(code: str) -> Coupon:
    wanted = normalise_code(code)
    row = Coupon.get_or_none(Coupon.code == wanted) if wanted else None
    if row is None:
        raise unknown(code)
    return row


def _uses_by(coupon_id: int, phone: str) -> int:
    if not phone:
        return 0
    return CouponUse.select().where(
        (CouponUse.coupon == coupon_id) & (CouponUse.customer_phone == phone)).count()


def check(code, subtotal: Decimal, *, phone: str = "") -> tuple[CouponInfo, Decimal]:
    """The coupon and its discount on ``subtotal`` now, or CouponInvalid saying why not."""
    phone = clean_text(phone).strip() if phone else ""
    with database.connection_context():
        row = _row(code)
        info = _info(row)
        problem = refusal(info, subtotal, db_now(), phone=phone,
                          uses_by_phone=_uses_by(row.id, phone))
    if problem is not None:
        raise problem
    return info, discount(info, subtotal)


def claim(code, subtotal: Decimal, *, phone: str = "") -> tuple[int, Decimal]:
    """Count one use (call inside the sale's transaction); (coupon id, discount) or why not."""
    phone = clean_text(phone).strip() if phone else ""
    row = _row(code)
    now = now_sql()
    counted = (
        Coupon.update(used_count=Coupon.used_count + 1)
        .where(
            (Coupon.id == row.id) & (Coupon.active == True)
            & (Coupon.valid_from.is_null() | (Coupon.valid_from <= now))
            & (Coupon.valid_until.is_null() | (Coupon.valid_until > now))
            & (Coupon.usage_limit.is_null() | (Coupon.used_count < Coupon.usage_limit))
        )
        .execute()
    )
    # Read after the UPDATE: it waited for every sale that held the row, so this is current.
    fresh = _info(Coupon.get_by_id(row.id))
    if counted:
        as_found = replace(fresh, used_count=fresh.used_count - 1)
        problem = refusal(as_found, subtotal, db_now(), phone=phone,
                          uses_by_phone=_uses_by(row.id, phone))
    else:
        problem = refusal(fresh, subtotal, db_now()) or CouponInvalid(
            fresh.code, "expired", f"Coupon {fresh.code} cannot be used right now")
    if problem is not None:
        raise problem
    return row.id, discount(fresh, subtotal)


def record_use(coupon_id: int, booking_id: int, phone: str) -> None:
    CouponUse.insert(coupon=coupon_id, booking=booking_id, customer_phone=phone,
                     created_at=now_sql()).execute()


def coupons() -> list[CouponInfo]:
    with database.connection_context():
        return [_info(row) for row in Coupon.select().order_by(Coupon.code)]


def get(code) -> CouponInfo:
    with database.connection_context():
        return _info(_row(code))


def _amount(value, what: str, *, allow_none: bool = False) -> Decimal | None:
    if allow_none:
        return parse_optional_amount(value, what)
    return parse_amount(value, what)


MAX_LIMIT = 1_000_000_000  # the column is a 32-bit integer


def _limit(value, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise BookingError(f"{what} must be a whole number of at least 1 (at most "
                           f"{MAX_LIMIT:,}), not {shown(value, 20, quoted=True)}")
    return value


def _check_window(valid_from: datetime | None, valid_until: datetime | None) -> None:
    if valid_from and valid_until and valid_until <= valid_from:
        raise BookingError("The coupon's validity ends before it starts")


def _check_value(kind: str, value) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BookingError("A coupon needs its value: the percent or the amount it takes off")
    amount = _amount(value, "The coupon's value")
    if amount <= 0 or (kind == "percent" and amount > 100):
        raise BookingError("A percent coupon takes 0-100% off; a flat one a positive amount")
    return amount


def _when(value, what: str) -> datetime | None:
    return parse_optional_moment(value, f"coupon's {what}")


# What ``update`` may change, each checked as ``create`` checks it (the kind and the code are
# fixed: a coupon printed on a flyer keeps meaning what it meant).
UPDATABLE = {
    "active": bool,
    "valid_from": lambda v: _when(v, "valid_from"),
    "valid_until": lambda v: _when(v, "valid_until"),
    "usage_limit": lambda v: _limit(v, "The usage limit"),
    "per_customer_limit": lambda v: _limit(v, "The per-customer limit"),
    "max_discount": lambda v: _amount(v, "The maximum discount", allow_none=True),
    "min_amount": lambda v: _amount(v or 0, "The minimum amount"),
}


def create(code: str, kind: str, value, *, max_discount=None, min_amount=0,
           valid_from: datetime | None = None, valid_until: datetime | None = None,
           active: bool = True, usage_limit: int | None = None,
           per_customer_limit: int | None = None, operator=None, by=None) -> CouponInfo:
    """A new coupon (times are UTC). Refuses a definition that makes no sense, with the reason;
    a manager's action (``operator``, or ``by`` as the other admin services call it), audited
    as kind "coupon" in the same transaction."""
    from bmstui.services.operators import require_manager

    actor = require_manager(operator if operator is not None else by, "creating a coupon")
    wanted = normalise_code(code)
    if not wanted or not wanted.replace("-", "").replace("_", "").isalnum():
        raise BookingError(
            f"A coupon code is letters and digits, not {shown(code, 32, quoted=True)}")
    if kind not in COUPON_KINDS:
        raise BookingError(f"A coupon is {' or '.join(COUPON_KINDS)}, "
                           f"not {shown(kind, 20, quoted=True)}")
    amount = _check_value(kind, value)
    _check_window(valid_from, valid_until)
    fields = dict(  # noqa: C408 -- keyword form reads like the model
        code=wanted, kind=kind, value=amount,
        max_discount=_amount(max_discount, "The maximum discount", allow_none=True),
        min_amount=_amount(min_amount or 0, "The minimum amount"),
        valid_from=valid_from, valid_until=valid_until, active=bool(active),
        usage_limit=_limit(usage_limit, "The usage limit"),
        per_customer_limit=_limit(per_customer_limit, "The per-customer limit"),
    )

    def attempt() -> CouponInfo:
        if Coupon.select().where(Coupon.code == wanted).exists():
            raise BookingError(f"Coupon {wanted} exists already")
        Coupon.insert(**fields).execute()
        made = _info(Coupon.get(Coupon.code == wanted))
        audit.record("coupon", operator_id=actor, detail=f"created {wanted}: {made.describe}")
        return made

    try:
        return transaction(attempt)
    except pw.IntegrityError:
        raise BookingError(f"Coupon {wanted} exists already") from None


def _shown(value) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return "none" if value is None else str(value)


def update(code, *, by=None, **changes) -> CouponInfo:
    """Change a coupon: any of ``value``, ``active``, ``valid_from``, ``valid_until`` (UTC),
    ``usage_limit``, ``per_customer_limit``, ``max_discount``, ``min_amount`` (None clears an
    optional one), each checked as ``create`` checks it. The usage limit cannot go below the
    uses already counted. The coupon row is locked while it is changed, so a sale counting a
    use at that moment waits and then sees the new terms. Nothing changed writes no audit row."""
    from bmstui.services.operators import require_manager

    actor = require_manager(by, "changing a coupon")
    fixed = sorted(set(changes) - set(UPDATABLE) - {"value"})
    if fixed:
        raise BookingError(f"A coupon's {', '.join(fixed)} cannot be changed (only "
                           f"value, {', '.join(UPDATABLE)})")
    fields = {name: UPDATABLE[name](value) for name, value in changes.items()
              if name != "value"}

    def attempt() -> CouponInfo:
        wanted = normalise_code(code)
        query = Coupon.select().where(Coupon.code == wanted)
        row = (query.for_update() if is_mysql() else query).first() if wanted else None
        if row is None:
            raise unknown(code)
        before = _info(row)
        new = dict(fields)
        if "value" in changes:
            new["value"] = _check_value(row.kind, changes["value"])
        _check_window(new.get("valid_from", before.valid_from),
                      new.get("valid_until", before.valid_until))
        limit = new.get("usage_limit", before.usage_limit)
        if limit is not None and limit < row.used_count:
            raise BookingError(f"Coupon {row.code} has been used {row.used_count} times "
                               f"already; its usage limit cannot be {limit}")
        diff = {name: value for name, value in new.items() if getattr(before, name) != value}
        if not diff:
            return before
        Coupon.update(**diff).where(Coupon.id == row.id).execute()
        audit.record("coupon", operator_id=actor, detail=f"changed {row.code}: " + "; ".join(
            f"{name} {_shown(getattr(before, name))} -> {_shown(value)}"
            for name, value in diff.items()))
        return _info(Coupon.get_by_id(row.id))

    return transaction(attempt)
