"""Coupons on the manager's desk: create one, change its terms, switch it on or off.

A coupon's code and kind are fixed once made (a flyer keeps meaning what it said); everything
else can change, and the service refuses a usage limit below the uses already counted. Times are
typed and shown in local time; the service keeps them in UTC.
"""

from __future__ import annotations

from textual.binding import Binding

from bmstui.domain.clock import to_local
from bmstui.domain.coupon_rules import COUPON_KINDS, CouponInfo
from bmstui.services import coupons
from screens.widgets.admin_form import AdminPane, Field, FormScreen

KIND_NAMES = {"percent": "percent off", "flat": "rupees off"}


def coupon_fields(coupon: CouponInfo | None = None) -> list[Field]:
    def now(name: str, default=None):
        return default if coupon is None else getattr(coupon, name)

    fixed = coupon is not None
    return [
        Field("code", "Code", value=now("code"), fixed=fixed, placeholder="e.g. DIWALI10"),
        Field("kind", "Kind", "choice", value=now("kind", "percent"), fixed=fixed,
              choices=tuple((KIND_NAMES.get(k, k), k) for k in COUPON_KINDS)),
        Field("value", "Value", "money", value=now("value"),
              placeholder="percent (0-100) or rupees"),
        Field("max_discount", "At most ₹", "money", value=now("max_discount"),
              placeholder="cap of a percent coupon; blank for none"),
        Field("min_amount", "Sale of at least ₹", "money", value=now("min_amount"),
              placeholder="blank for any"),
        Field("valid_from", "Valid from", "when", value=now("valid_from"),
              placeholder="YYYY-MM-DD HH:MM local; blank: now"),
        Field("valid_until", "Valid until", "when", value=now("valid_until"),
              placeholder="exclusive; blank: no end"),
        Field("usage_limit", "Uses in total", "int", value=now("usage_limit"),
              placeholder="blank for no limit"),
        Field("per_customer_limit", "Uses per phone", "int", value=now("per_customer_limit"),
              placeholder="blank for no limit"),
        Field("active", "Active", "flag", value=now("active", True)),
    ]


def valid(coupon: CouponInfo) -> str:
    return " – ".join(f"{to_local(when, None):%d %b %Y}" if when else "…"
                      for when in (coupon.valid_from, coupon.valid_until))


class CouponsPane(AdminPane):
    BINDINGS = [Binding("a", "toggle_active", "On/off")]
    COLUMNS = ("Code", "Offer", "Used", "Active", "Per phone", "Valid (local)")
    NOUN = "coupon"

    def fetch(self) -> list[CouponInfo]:
        return coupons.coupons()

    def key(self, coupon: CouponInfo) -> str:
        return coupon.code

    def cells(self, coupon: CouponInfo) -> tuple:
        used = f"{coupon.used_count}" + (f" / {coupon.usage_limit}" if coupon.usage_limit
                                         else "")
        return (coupon.code, coupon.describe, used, "yes" if coupon.active else "off",
                str(coupon.per_customer_limit or "–"), valid(coupon))

    def summary(self, items: list[CouponInfo]) -> str:
        if not items:
            return super().summary(items)
        on = sum(1 for c in items if c.active)
        return f"{len(items)} coupons, {on} active"

    def action_new(self) -> None:
        by = self.by

        def save(values: dict) -> CouponInfo:
            return coupons.create(values.pop("code"), values.pop("kind"), values.pop("value"),
                                  operator=by, **values)

        self.open_form(FormScreen("New coupon", coupon_fields(), save),
                       lambda c: f"Saved coupon {c.code}: {c.describe}")

    def action_edit(self) -> None:
        coupon = self.chosen()
        if coupon is None:
            return
        by = self.by

        def save(values: dict) -> CouponInfo:
            return coupons.update(coupon.code, by=by, **values)

        self.open_form(FormScreen(f"Coupon {coupon.code} (used {coupon.used_count} times)",
                                  coupon_fields(coupon), save, changes_only=True,
                                  note="code and kind are fixed"),
                       lambda c: f"Saved coupon {c.code}: {c.describe}")

    def action_toggle_active(self) -> None:
        coupon = self.chosen()
        if coupon is None:
            return
        self.change(coupons.update, coupon.code, active=not coupon.active,
                    message=lambda c: f"Saved coupon {c.code}: "
                    + ("active" if c.active else "switched off"))
