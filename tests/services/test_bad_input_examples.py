"""Fixed examples of the bad input the property tests found (each failed before its fix).

Each is a plain test, so the fix stays covered without hypothesis finding it again; what the
properties check is in test_properties_sales.py and test_properties_money.py.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

import pytest
from actor_support import ADMIN
from invariants import assert_invariants
from property_support import (
    assert_readable,
)

from bmstui.domain.clock import local_today
from bmstui.domain.errors import (
    BookingError,
    BookingNotFound,
    CouponInvalid,
    HoldExpired,
    HoldNotFound,
    InvalidAmount,
    InvalidDay,
    InvalidSeats,
    LoginFailed,
    NotFound,
    ShowNotFound,
)
from bmstui.services import (
    audit,
    catalog,
    coupons,
    movies,
    operators,
    reports,
    sales,
    scheduling,
    seating,
)
from bmstui.store.db import database
from bmstui.store.models import Hold as HoldRow
from bmstui.store.models import Show

# --- fixed examples of the bugs these properties found -------------------------------------

def test_a_hold_time_that_is_not_a_number_is_refused_not_a_crash(new_show):
    show = new_show()
    for ttl in ("abc", [1], {}, 10**400):
        with pytest.raises(InvalidSeats, match="A hold's time is a number of seconds"):
            seating.hold(show, ["A1"], ttl=ttl)
    held = seating.hold(show, ["A1"], ttl="30")
    with pytest.raises(HoldExpired, match="An extension is a number of seconds"):
        seating.extend(held.token, "abc")
    assert_invariants(show)


def test_a_show_id_that_is_not_a_whole_number_names_no_show(new_show):
    show = new_show()
    for bad in (float(show), 1.5, float("inf"), 10**30, -show, "9" * 10_000, b"1", True):
        with pytest.raises(ShowNotFound) as refused:
            seating.hold(bad, ["A1"])
        assert len(str(refused.value)) < 60
        with pytest.raises(ShowNotFound):
            catalog.show(bad)
        with pytest.raises(ShowNotFound):
            seating.sweep(bad)
    assert seating.hold(f" {show} ", ["A1"]).show_id == show


def test_an_unknown_operator_id_is_recorded_as_nobody_not_a_foreign_key_error(new_show):
    show = new_show()
    for operator in (99_999_999, -1, 10**30, True):
        held = seating.hold(show, ["B1"], operator=operator)
        with database.connection_context():
            assert HoldRow.get_by_id(held.token).operator_id is None
        seating.release(held.token)
    with pytest.raises(BookingError):
        sales.refund("BMS-AAAAAA", 1, reason="x", operator=10**30)


def test_the_search_limit_is_checked_not_sent_to_the_database(demo_db):
    for bad in ("abc", 1.5, None):
        with pytest.raises(BookingError, match="limit is a whole number"):
            sales.find_bookings("9845012345", bad)
    assert sales.find_bookings("9845012345", -1) == []  # was a MariaDB syntax error
    assert isinstance(sales.find_bookings("9845012345", 10**30), list)
    with pytest.raises(BookingError, match="limit"):
        audit.events(limit="abc")


def test_an_enormous_refund_is_refused_not_an_invalid_operation(new_show):
    show = new_show(starts_in=timedelta(hours=3))
    booking = sales.confirm(seating.hold(show, ["A1"]).token, method="cash")
    for amount, why in ((1e30, "float"), ("1e30", "exponent"), (10**30, "above the limit"),
                        (Decimal("1E+999999999"), "above the limit")):
        with pytest.raises(InvalidAmount, match=why):
            sales.refund(booking.code, amount, reason="goodwill", operator=ADMIN)
    assert_invariants(show)


def test_lone_surrogates_are_refused_or_replaced_never_sent_raw(new_show):
    show = new_show()
    bad = "A\udcff"
    for call in (seating.release, seating.get_hold, sales.quote):
        with pytest.raises(HoldNotFound):
            call(bad)
    for call in (sales.find_booking, partial(sales.cancel, operator=ADMIN), sales.refund_quote,
                 sales.refundable):
        with pytest.raises(BookingNotFound):
            call(bad)
    assert sales.find_bookings(bad) == []
    assert catalog.movies(query=bad) == [] and audit.events(text=bad) == []
    with pytest.raises(LoginFailed):
        operators.login(bad, bad)
    with pytest.raises(CouponInvalid):
        coupons.get(bad)
    held = seating.hold(show, ["C1"], terminal=f"counter{bad}")
    booking = sales.confirm(held.token, method="cash", customer={"name": f"Ravi{bad}"})
    assert sales.find_booking(booking.code).customer_name == "RaviA\ufffd"
    assert_invariants(show)


def test_control_characters_never_reach_stored_text(new_show):
    with pytest.raises(BookingError, match="control characters"):
        movies.add_movie(title="Ba\x08d\x1b[2J", language="Hindi", genre="Drama",
                         certificate="U", duration=120, by=ADMIN)
    show = new_show(starts_in=timedelta(hours=3))
    held = seating.hold(show, ["A1", "A2"], terminal="\x1b[31mcounter\x00")
    booking = sales.confirm(held.token, method="cash",
                            customer={"name": "\x1b[31mRavi\tK\x7f", "phone": "98450\x0012345"})
    assert (booking.customer_name, booking.customer_phone) == ("[31mRavi K", "9845012345")
    refund = sales.cancel(booking.code, labels=["A1"], reason="line one\nline two\r\x1b", operator=ADMIN)
    assert refund.reason == "line one line two"
    assert_invariants(show)


def test_a_nul_in_search_text_does_not_match_everything(demo_db):
    # SQLite's LIKE ended the pattern at the NUL: '%' matched every title and every row.
    from bmstui.services import channels

    channels.add(f"nul{time.monotonic_ns() % 10**9}", by=ADMIN)  # an audit row to search past
    assert catalog.movies() and catalog.movies(query="\x00zzqq") == []
    assert audit.events(limit=1) and audit.events(text="\x00zzqq") == []


def test_messages_quote_at_most_a_little_of_what_was_typed(new_show):
    show = new_show()
    held = seating.hold(show, ["A1"])
    refusals = []
    for call, args, kwargs in (
        (sales.confirm, (held.token,), {"method": "x" * 10_000}),
        (seating.hold, (show, [f"Q{i}" for i in range(10_000)] + ["Q1"]), {}),
        (seating.hold, ("9" * 10_000, ["A1"]), {}),
        (seating.hold, (show, ["A1\x00"]), {}),
        (seating.hold, (show, ["\u202eA1"]), {}),
        (coupons.create, ("%" * 10_000, "flat", 10), {}),
        (coupons.create, ("OKCODE", "k" * 10_000, 10), {}),
        (operators.add, ("someone", "long enough"), {"role": "r" * 10_000}),
    ):
        with pytest.raises(BookingError) as refused:
            call(*args, **kwargs)
        refusals.append(refused.value)
    booking = sales.confirm(held.token, method="cash")
    with pytest.raises(InvalidSeats) as refused:
        sales.cancel(booking.code, labels=[f"Q{i}" for i in range(10_000)], operator=ADMIN)
    refusals.append(refused.value)
    for refusal in refusals:
        assert_readable(refusal)
    assert "and 9,990 more" in str(refusals[-1])


def test_ten_thousand_labels_are_checked_quickly(new_show):
    show = new_show()
    seating.seat_map(show)  # the seat index is read before timing
    started = time.perf_counter()
    with pytest.raises(InvalidSeats, match="chosen twice"):
        seating.hold(show, [f"Q{i % 5000}" for i in range(10_000)])
    assert time.perf_counter() - started < 1.0  # was quadratic: list.count per label


# --- ids and days of the published API (bmstui.domain.ids); each acted on a row or crashed before ---

def _manager():
    return operators.get("manager")


@pytest.mark.parametrize("spelled", [float, lambda n: "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in str(n)),
                                     lambda n: "".join(chr(0xFF10 + int(d)) for d in str(n))],
                         ids=["float", "arabic-indic", "fullwidth"])
def test_a_show_id_spelled_otherwise_deletes_nothing(new_show, spelled):
    show = new_show()
    with pytest.raises(ShowNotFound):
        scheduling.delete_show(spelled(show), operator=_manager())
    assert catalog.show(show).id == show  # was deleted: SQLite matched 12.0, int() read "١٢"


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 2**63, -(2**63), 10**30, True])
def test_an_id_no_driver_can_bind_is_refused_plainly(new_show, value):
    with pytest.raises(ShowNotFound) as refused:  # was OverflowError or a raw ProgrammingError
        scheduling.delete_show(value, operator=_manager())
    assert_readable(refused.value)
    with pytest.raises(NotFound):
        movies.movie(value)


def test_an_id_with_sql_after_it_cancels_nothing(new_show):
    show = new_show()
    with pytest.raises(ShowNotFound):  # MariaDB cast '12; DROP TABLE show' to 12 and cancelled
        scheduling.cancel_show(f"{show}; DROP TABLE show", reason="x", operator=_manager())
    with database.connection_context():
        assert Show.get_by_id(show).status == "scheduled"


def test_an_id_with_letters_after_it_edits_no_movie(demo_db):
    movie = movies.movies()[0]
    with pytest.raises(NotFound, match="No such movie"):  # MariaDB edited movie 3 for "3abc"
        movies.update_movie(f"{movie.id}abc", genre="Edited", by=_manager())
    assert movies.movie(movie.id) == movie
    assert movies.movie(f" {movie.id} ") == movie  # the digits themselves still name it


def test_a_day_is_a_date_or_iso_text(demo_db):
    today = local_today(None)
    with pytest.raises(InvalidDay):  # was TypeError
        catalog.movies(day="tomorrow")
    for bad in ("2026-13-01", datetime.combine(today, datetime.min.time()), 20260101):
        with pytest.raises(InvalidDay):
            catalog.shows(day=bad)
    assert catalog.movies(day=today.isoformat()) == catalog.movies(day=today)
    with pytest.raises(InvalidDay):
        reports.occupancy(day_from="yesterday", day_to=today, by=_manager())


def test_filters_by_id_refuse_what_is_not_one(demo_db):
    for call in (lambda: catalog.theaters(city_id="1abc"),
                 lambda: catalog.shows(movie_id=1.0),
                 lambda: catalog.movies(theater_id=2**63),
                 lambda: scheduling.create_show("1;", 1, datetime(2030, 1, 1), operator=_manager()),
                 lambda: reports.sales(day_from=local_today(None), day_to=local_today(None),
                                       theater=math.nan, by=_manager())):
        with pytest.raises(NotFound) as refused:
            call()
        assert_readable(refused.value)


def test_a_phone_of_undecodable_bytes_checks_a_coupon_like_any_other(demo_db):
    code = coupons.coupons()[0].code
    try:  # was UnicodeEncodeError: the lone surrogate reached the driver
        coupons.check(code, Decimal(500), phone="\ud800")
    except CouponInvalid as refused:
        assert_readable(refused)


def test_the_first_and_last_days_of_the_calendar_are_refused_not_overflowed(demo_db):
    """Found by the published-API property run: 1 Jan of year 1 in India is in year 0 in UTC
    (OverflowError from the day's UTC range)."""
    from datetime import date

    for day in (date(1, 1, 1), date(9999, 12, 31)):
        try:
            scheduling.schedule_of_day(day)
        except BookingError as refused:
            assert_readable(refused)
