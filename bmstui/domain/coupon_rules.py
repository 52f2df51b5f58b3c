"""What a coupon takes off a sale, and why a coupon cannot be used (pure; no database).

The service layer (``bmstui.services.coupons``) feeds these with rows it read and the database
clock; counting a use happens there, inside the confirm transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from bmstui.domain.clock import to_local
from bmstui.domain.errors import CouponInvalid
from bmstui.domain.pricing import money, rupees

COUPON_KINDS = ("percent", "flat")


@dataclass(frozen=True)
class CouponInfo:
    code: str
    kind: str  # percent | flat
    value: Decimal  # percent off, or rupees off
    max_discount: Decimal | None
    min_amount: Decimal
    valid_from: datetime | None  # UTC
    valid_until: datetime | None  # UTC, exclusive
    active: bool
    usage_limit: int | None
    per_customer_limit: int | None
    used_count: int

    @property
    def describe(self) -> str:
        """'10% off (at most ₹150.00)' or '₹100.00 off', with the minimum if any."""
        if self.kind == "percent":
            text = f"{self.value.normalize():f}% off"
            if self.max_discount is not None:
                text += f" (at most {rupees(self.max_discount)})"
        else:
            text = f"{rupees(self.value)} off"
        if self.min_amount:
            text += f" on {rupees(self.min_amount)} or more"
        return text


def discount(coupon: CouponInfo, subtotal: Decimal) -> Decimal:
    """The amount taken off ``subtotal``; never more than the subtotal itself."""
    subtotal = money(subtotal)
    if coupon.kind == "percent":
        off = (subtotal * Decimal(coupon.value) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if coupon.max_discount is not None:
            off = min(off, money(coupon.max_discount))
    else:
        off = money(coupon.value)
    return max(Decimal("0.00"), min(off, subtotal))


def _day(utc: datetime) -> str:
    local = to_local(utc, None)  # coupons are chain-wide: the chain default zone
    return f"{local:%d %b %Y}" + ("" if local.time() == datetime.min.time() else f" {local:%H:%M}")


def refusal(coupon: CouponInfo, subtotal: Decimal, now: datetime, *, phone: str = "",
            uses_by_phone: int = 0) -> CouponInvalid | None:
    """Why this coupon cannot be used now for this subtotal and customer, or None."""
    code = coupon.code
    if not coupon.active:
        return CouponInvalid(code, "inactive", f"Coupon {code} is switched off")
    if coupon.valid_from is not None and now < coupon.valid_from:
        return CouponInvalid(code, "not_yet_valid",
                             f"Coupon {code} is valid only from {_day(coupon.valid_from)}")
    if coupon.valid_until is not None and now >= coupon.valid_until:
        return CouponInvalid(code, "expired",
                             f"Coupon {code} expired on {_day(coupon.valid_until)}")
    if coupon.usage_limit is not None and coupon.used_count >= coupon.usage_limit:
        return CouponInvalid(code, "used_up",
                             f"Coupon {code} is used up (all {coupon.usage_limit} uses taken)")
    if money(subtotal) < money(coupon.min_amount):
        return CouponInvalid(
            code, "below_minimum",
            f"Coupon {code} needs a total of at least {rupees(coupon.min_amount)} "
            f"(this sale: {rupees(subtotal)})",
        )
    if coupon.per_customer_limit is not None:
        if not phone:
            return CouponInvalid(code, "needs_phone",
                                 f"Coupon {code} is limited per customer: "
                                 "enter the customer's phone number")
        if uses_by_phone >= coupon.per_customer_limit:
            times = "once" if coupon.per_customer_limit == 1 else (
                f"{coupon.per_customer_limit} times")
            return CouponInvalid(code, "customer_limit",
                                 f"Coupon {code} was already used by this customer "
                                 f"(allowed {times} per customer)")
    return None


def unknown(code: str) -> CouponInvalid:
    shown = str(code).strip()[:32] or "(blank)"
    return CouponInvalid(shown, "unknown", f"Unknown coupon code {shown!r}")
