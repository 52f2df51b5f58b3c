"""Coupons at the counter on both backends: what each kind takes off, every reason a coupon is
refused (with a message a clerk can read out), and what a sale with a coupon writes.

Validity windows are set relative to the *database* clock, which is what judges them. Each test
makes its own coupons (unique codes) on its own show from ``new_show`` (classic-150, factor 1:
rows A-C SILVER ₹150, D-G GOLD ₹220, H-I PLATINUM ₹320).
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from actor_support import ADMIN

from bmstui.domain.clock import to_local
from bmstui.domain.errors import BookingError, CouponInvalid
from bmstui.services import coupons, sales, seating
from bmstui.store.db import database, db_now
from bmstui.store.models import AuditEvent, Booking, Coupon, CouponUse, Payment

PHONE = "98765 43210"


def new_code(prefix: str = "T") -> str:
    return f"{prefix}{secrets.token_hex(4).upper()}"


def make(kind: str = "percent", value=10, **options) -> str:
    code = new_code()
    coupons.create(code, kind, value, **{"by": ADMIN, **options})
    return code


def refused(reason: str, call, *args, **kwargs) -> CouponInvalid:
    with pytest.raises(CouponInvalid) as caught:
        call(*args, **kwargs)
    assert caught.value.reason == reason, str(caught.value)
    assert caught.value.reason in CouponInvalid.REASONS
    assert isinstance(caught.value, BookingError)
    return caught.value


def used_count(code: str) -> int:
    with database.connection_context():
        return Coupon.get(Coupon.code == code).used_count


def test_percent_off_is_capped_by_the_maximum_discount(new_show):
    show = new_show()
    code = make("percent", 10, max_discount=50)
    capped = sales.quote((show, ["D5", "D6", "D7"]), coupon=code)
    assert (capped.subtotal, capped.discount, capped.total) == (
        Decimal(660), Decimal(50), Decimal(610))
    assert f"Coupon {code} (10% off (at most ₹50.00)): -₹50.00" in capped.explain()
    under = sales.quote((show, ["A1"]), coupon=code)
    assert (under.discount, under.total) == (Decimal(15), Decimal(135))


def test_a_flat_coupon_larger_than_the_sale_makes_it_free_never_negative(new_show):
    show = new_show()
    code = make("flat", 500)
    held = seating.hold(show, ["A1"])
    quoted = sales.quote(held.token, coupon=code)
    assert (quoted.discount, quoted.total) == (Decimal(150), Decimal(0))
    booking = sales.confirm(held.token, method="cash", coupon=code)
    assert (booking.subtotal, booking.discount, booking.total) == (
        Decimal(150), Decimal(150), Decimal(0))
    assert booking.payment.amount == 0 and booking.payment.change == 0


def test_a_minimum_amount_is_judged_on_the_subtotal(new_show):
    show = new_show()
    code = make("flat", 100, min_amount=400)
    problem = refused("below_minimum", sales.quote, (show, ["A1", "A2"]), coupon=code)
    assert "at least ₹400.00" in str(problem) and "₹300.00" in str(problem)
    ok = sales.quote((show, ["A1", "A2", "A3"]), coupon=code)
    assert (ok.subtotal, ok.total) == (Decimal(450), Decimal(350))


def test_validity_window_is_judged_by_the_database_clock(new_show):
    show = new_show()
    now = db_now()
    early = make(valid_from=now + timedelta(hours=1), valid_until=now + timedelta(hours=5))
    late = make(valid_from=now - timedelta(hours=2), valid_until=now - timedelta(minutes=1))
    current = make(valid_from=now - timedelta(minutes=1), valid_until=now + timedelta(hours=1))
    assert "is valid only from" in str(refused("not_yet_valid", sales.quote, (show, ["A1"]),
                                               coupon=early))
    assert "expired on" in str(refused("expired", sales.quote, (show, ["A1"]), coupon=late))
    # The confirm's own conditional UPDATE judges the window in SQL: it must agree.
    for code in (early, late):
        held = seating.hold(show, ["B1"])
        with pytest.raises(CouponInvalid):
            sales.confirm(held.token, method="cash", coupon=code)
        seating.release(held.token)
    held = seating.hold(show, ["A1"])
    assert sales.confirm(held.token, method="cash", coupon=current).discount == Decimal(15)
    assert used_count(current) == 1 and used_count(early) == used_count(late) == 0


def test_seeded_festival_coupon_has_expired(demo_db, new_show):
    """DIWALI25 ran in October-November 2025: the database clock says it is over."""
    problem = refused("expired", sales.quote, (new_show(), ["A1"]), coupon="diwali25")
    assert f"Coupon DIWALI25 expired on {to_local(datetime(2025, 11, 5), None):%d %b %Y}" in str(
        problem)
    assert {"WELCOME10", "FLAT100", "FIRSTSHOW", "DIWALI25"} <= {c.code for c in
                                                                 coupons.coupons()}


def test_an_inactive_coupon_is_refused(new_show):
    code = make(active=False)
    assert "switched off" in str(refused("inactive", sales.quote, (new_show(), ["A1"]),
                                         coupon=code))


def test_a_used_up_coupon_is_refused_after_its_last_use(new_show):
    show = new_show()
    code = make("flat", 20, usage_limit=1)
    held = seating.hold(show, ["A1"])
    assert sales.confirm(held.token, method="cash", coupon=code).total == Decimal(130)
    problem = refused("used_up", sales.quote, (show, ["A2"]), coupon=code)
    assert "used up (all 1 uses taken)" in str(problem)
    assert used_count(code) == 1


def test_a_per_customer_coupon_needs_a_phone_and_counts_per_phone(new_show):
    show = new_show()
    code = make("flat", 75, per_customer_limit=1)
    problem = refused("needs_phone", sales.quote, (show, ["A1"]), coupon=code)
    assert "enter the customer's phone number" in str(problem)
    refused("needs_phone", sales.quote, (show, ["A1"]), coupon=code, customer="Asha")

    held = seating.hold(show, ["A1"])
    first = sales.confirm(held.token, method="cash", coupon=code, customer=PHONE)
    assert first.discount == Decimal(75) and first.customer_phone == "9876543210"
    # The same number spelled differently is the same customer.
    problem = refused("customer_limit", sales.quote, (show, ["A2"]), coupon=code,
                      customer="98765-43210")
    assert "already used by this customer (allowed once per customer)" in str(problem)
    held = seating.hold(show, ["A2"])
    refused("customer_limit", sales.confirm, held.token, method="cash", coupon=code,
            customer=PHONE)
    other = sales.confirm(held.token, method="cash", coupon=code, customer="91234 56789")
    assert other.discount == Decimal(75)
    assert used_count(code) == 2


def test_an_unknown_code_is_refused_and_codes_forgive_case_and_spaces(new_show):
    show = new_show()
    problem = refused("unknown", sales.quote, (show, ["A1"]), coupon="NOSUCH1")
    assert str(problem) == "Unknown coupon code 'NOSUCH1'"
    code = make("flat", 10)
    spelled = f" {code[:3].lower()} {code[3:]} "
    assert sales.quote((show, ["A1"]), coupon=spelled).coupon.code == code


def test_a_confirm_with_a_coupon_records_the_discount_and_its_use(new_show):
    show = new_show()
    code = make("percent", 20, max_discount=1000)
    held = seating.hold(show, ["H5", "H6", "D5"])  # 320 + 320 + 220 = 860
    booking = sales.confirm(held.token, method="upi", coupon=code, customer=PHONE)
    assert (booking.subtotal, booking.discount, booking.total) == (
        Decimal(860), Decimal(172), Decimal(688))
    assert booking.coupon == code
    with database.connection_context():
        row = Booking.get_by_id(booking.id)
        assert (row.subtotal, row.discount, row.total) == (860, 172, 688)
        assert row.coupon.code == code
        payments = list(Payment.select().where(Payment.booking == booking.id))
        assert [(p.method, p.amount) for p in payments] == [("upi", Decimal(688))]
        uses = list(CouponUse.select().where(CouponUse.booking == booking.id))
        assert [(u.coupon.code, u.customer_phone) for u in uses] == [(code, "9876543210")]
        detail = AuditEvent.get((AuditEvent.booking == booking.id)
                                & (AuditEvent.kind == "sale")).detail
        assert f"coupon {code} -₹172.00" in detail
    assert used_count(code) == 1


def test_a_coupon_refused_at_confirm_sells_nothing_and_keeps_the_hold(new_show):
    show = new_show()
    code = make("flat", 50, usage_limit=1)
    first = seating.hold(show, ["A1"])
    sales.confirm(first.token, method="cash", coupon=code)
    held = seating.hold(show, ["A2", "A3"])
    refused("used_up", sales.confirm, held.token, method="cash", coupon=code)
    assert_still_held(show, held.token, ["A2", "A3"])
    booking = sales.confirm(held.token, method="cash")
    assert (booking.labels, booking.discount, booking.total) == (("A2", "A3"), 0, 300)
    assert used_count(code) == 1


def test_a_last_use_taken_while_confirming_is_refused_inside_the_sale(new_show):
    """The check before payment passes, but another sale takes the last use before this one's
    transaction counts it: the conditional UPDATE refuses, the transaction rolls back, the
    seats stay held. The rival is a real open transaction on a second connection."""
    show = new_show()
    code = make("flat", 50, usage_limit=1)
    held = seating.hold(show, ["C5", "C6"])
    locked, failures = threading.Event(), []

    def rival():
        try:
            with database.connection_context(), database.atomic():
                Coupon.update(used_count=Coupon.used_count + 1).where(
                    Coupon.code == code).execute()
                locked.set()
                time.sleep(1.0)  # long enough for the confirm below to pass its check
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
            locked.set()

    thread = threading.Thread(target=rival)
    thread.start()
    assert locked.wait(10)
    started = time.monotonic()
    problem = refused("used_up", sales.confirm, held.token, method="cash", coupon=code)
    thread.join(10)
    assert failures == []
    assert time.monotonic() - started > 0.5, "the confirm did not wait for the rival's use"
    assert "nothing was sold, the seats are still held" in str(problem)
    assert_still_held(show, held.token, ["C5", "C6"])
    assert used_count(code) == 1
    assert sales.confirm(held.token, method="cash").total == Decimal(300)


def assert_still_held(show: int, token: str, labels: list[str]) -> None:
    seats = {s.label: s for s in seating.seat_map(show, token=token)}
    assert all(seats[label].status == "held" and seats[label].mine for label in labels)
    with database.connection_context():
        assert not Booking.select().where(Booking.hold_token == token).exists()


def test_a_quote_of_a_hold_and_of_the_same_seats_agree(new_show):
    show = new_show()
    code = make("percent", 10, max_discount=40)
    held = seating.hold(show, ["h2", "D4", "A2"])
    by_token = sales.quote(held.token, coupon=code)
    by_hold = sales.quote(held, coupon=code)
    by_seats = sales.quote((show, ["A2", "D4", "H2"]), coupon=code)
    assert by_token.token == held.token and by_seats.token is None
    for quote in (by_hold, by_seats):
        assert sorted(quote.lines, key=lambda line: line.label) == sorted(
            by_token.lines, key=lambda line: line.label)
        assert (quote.subtotal, quote.discount, quote.total, quote.coupon) == (
            by_token.subtotal, by_token.discount, by_token.total, by_token.coupon)
        assert quote.explain() == by_token.explain() and quote.pricing == by_token.pricing
    assert (by_token.subtotal, by_token.discount, by_token.total) == (690, 40, 650)
    assert by_token.groups == [("SILVER", 1, 150, 150), ("GOLD", 1, 220, 220),
                               ("PLATINUM", 1, 320, 320)]
    # And the sale charges what the quote said.
    assert sales.confirm(held.token, method="cash", coupon=code).total == by_token.total


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (("", "flat", 10), {}, "letters and digits"),
        (("X1", "bogo", 10), {}, "percent or flat"),
        (("X1", "percent", 120), {}, "0-100%"),
        (("X1", "flat", -5), {}, "value: .-5. cannot be negative"),
        (("X1", "flat", "ten"), {}, "not an amount in rupees"),
        (("X1", "flat", "1e26"), {}, "exponent"),
        (("X1", "flat", None), {}, "needs its value"),
        (("X1", "percent", "  "), {}, "needs its value"),
        (("X1", "flat", 5), {"max_discount": "١٢"}, "maximum discount: '١٢' uses digits"),
        (("X1", "flat", 5), {"usage_limit": 0}, "at least 1"),
    ],
)
def test_create_refuses_a_coupon_that_makes_no_sense(demo_db, args, options, message):
    with pytest.raises(BookingError, match=message):
        coupons.create(*args, **{"by": ADMIN, **options})


def test_create_refuses_a_duplicate_code_and_an_inverted_window(demo_db):
    code = make()
    with pytest.raises(BookingError, match="exists already"):
        coupons.create(code.lower(), "flat", 5, by=ADMIN)
    now = db_now()
    with pytest.raises(BookingError, match="ends before it starts"):
        coupons.create(new_code(), "flat", 5, valid_from=now, valid_until=now, by=ADMIN)
    assert coupons.get(code).describe == "10% off"
