"""The one id parser and the one day parser of the published API (bmstui.domain.ids): pure, no
database. What each published function does with them is test_properties_api.py's subject."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from bmstui.domain.errors import BookingError, InvalidDay, NotFound, ShowNotFound
from bmstui.domain.ids import MAX_ID, parse_count, parse_day, parse_id, parse_moment


@pytest.mark.parametrize("given, wanted", [
    (12, 12), ("12", 12), (" 12\n", 12), ("0012", 12), (Decimal(12), 12), (Decimal("12.0"), 12),
    (MAX_ID, MAX_ID), (str(MAX_ID), MAX_ID), (1, 1),
])
def test_whole_numbers_and_ascii_digits_are_ids(given, wanted):
    assert parse_id(given, "movie") == wanted


@pytest.mark.parametrize("given", [
    0, -1, 2**63, 10**30, True, False, 12.0, 1.5, math.inf, -math.inf, math.nan,
    Decimal("12.5"), Decimal("NaN"), Decimal("Infinity"), Decimal("1E+999999999"),
    "١٢", "１２", "۱۲", "12; DROP TABLE show", "3abc", "12.0", "+12", "-12", "0x1f", "1_2",
    "1e3", "", " ", "9" * 40, "12\x00", None, [12], (12,), {"id": 12}, b"12",
])
def test_everything_else_names_no_row(given):
    with pytest.raises(NotFound) as refused:
        parse_id(given, "movie")
    assert refused.value.what == "movie" and str(refused.value).startswith("No such movie: ")


def test_a_show_id_refusal_is_the_show_not_found_callers_know():
    with pytest.raises(ShowNotFound, match="No such show: 3abc"):
        parse_id("3abc", "show")


@pytest.mark.parametrize("given, wanted", [
    (date(2026, 3, 1), date(2026, 3, 1)), ("2026-03-01", date(2026, 3, 1)),
    (" 2026-03-01 ", date(2026, 3, 1)),
])
def test_days_are_dates_or_iso_text(given, wanted):
    assert parse_day(given) == wanted


@pytest.mark.parametrize("given", [
    "tomorrow", "2026-13-01", "2026-02-30", "20260301", "2026-3-1", "٢٠٢٦-٠٣-٠١",
    "2026-03-01T10:00", datetime(2026, 3, 1, 10), datetime(2026, 3, 1), 20260301, 0, 1.5, None,
    [date(2026, 3, 1)], b"2026-03-01", date.min, date.max, "0001-01-01",
])
def test_anything_else_is_no_day(given):
    with pytest.raises(InvalidDay):
        parse_day(given)


def test_a_datetime_is_refused_as_a_day_because_its_date_is_utcs_not_the_theaters():
    with pytest.raises(InvalidDay, match="not a date and time"):
        parse_day(datetime(2026, 3, 1, 20, 30))


def test_moments_are_datetimes_naive_utc_or_converted():
    assert parse_moment(datetime(2026, 3, 1, 10)) == datetime(2026, 3, 1, 10)
    ist = timezone(timedelta(hours=5, minutes=30))
    assert parse_moment(datetime(2026, 3, 1, 10, tzinfo=ist)) == datetime(2026, 3, 1, 4, 30)
    for bad in (date(2026, 3, 1), "2026-03-01 10:00", 0, math.nan, None, datetime.min,
                datetime.max, datetime.max.replace(tzinfo=ist), datetime.min.replace(tzinfo=UTC)):
        with pytest.raises(InvalidDay):
            parse_moment(bad)


def test_counts_are_whole_numbers_in_their_range():
    assert parse_count("7", "seats", most=10) == 7 and parse_count(0, "seats", most=10) == 0
    for bad in (11, -1, 2**63, 1.0, True, "seven", "٧", None, Decimal("2.5")):
        with pytest.raises(BookingError, match="The seats is a whole number from 0 to 10"):
            parse_count(bad, "seats", most=10)
