"""The one money parser: what it takes, what it refuses and why (pure; no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bmstui.domain.errors import BookingError, InvalidAmount
from bmstui.domain.money_input import MOST, parse_amount, parse_optional_amount, rupees_text

TAKEN = [
    ("1250", "1250.00"), ("1250.5", "1250.50"), ("1250.50", "1250.50"), (" 12 ", "12.00"),
    ("₹500", "500.00"), ("₹ 500", "500.00"), ("1,00,000", "100000.00"), ("100,000", "100000.00"),
    ("12,34,567.89", None), ("1,234", "1234.00"), (".5", "0.50"), ("0", "0.00"),
    ("500.000", "500.00"), ("10,00,000", "1000000.00"), (7, "7.00"), (Decimal("300.10"), "300.10"),
    (Decimal("-0"), "0.00"), (Decimal("1E+2"), "100.00"),
]


@pytest.mark.parametrize(("given_", "expected"), TAKEN)
def test_amounts_a_clerk_or_a_caller_may_give(given_, expected):
    if expected is None:  # above the limit although well written
        with pytest.raises(InvalidAmount, match="above the limit"):
            parse_amount(given_, "Cash tendered")
        return
    amount = parse_amount(given_, "Cash tendered")
    assert amount == Decimal(expected) and str(amount) == expected


REFUSED = [
    ("9" * 27, "above the limit"), ("1e26", "exponent"), ("9e99", "exponent"), ("1E3", "exponent"),
    (1e30, "float"), (12.5, "float"), (True, "yes/no"), (False, "yes/no"),
    (Decimal("NaN"), "not a number"), (Decimal("sNaN"), "not a number"),
    (Decimal("Infinity"), "not a number"), (Decimal("1E+999999999"), "above the limit"),
    (10**30, "above the limit"), ("1000000.01", "above the limit"), ("-5", "negative"), (-5, "negative"),
    (Decimal("-0.01"), "negative"), ("500.005", "two decimals"), (Decimal("1E-30"), "two decimals"),
    ("١٢", "digits other than 0-9"), ("१००", "digits other than 0-9"), ("１２", "digits other"),
    ("12,50", "comma out of place"), ("1,0000", "comma out of place"), ("abc", "not an amount"),
    ("", "empty"), ("   ", "empty"), ("₹", "empty"), ("nan", "not an amount"),
    ("inf", "not an amount"), ("1_000", "not an amount"), ("0x10", "not an amount"),
    ("+5", "not an amount"), ("5 00", "not an amount"), ("🎟", "not an amount"),
    ("1" * 500, "longer than"), (b"500", "not an amount"), ([500], "not an amount"),
    (None, "not an amount"),
]


@pytest.mark.parametrize(("given_", "why"), REFUSED)
def test_refusals_name_the_field_and_the_reason(given_, why):
    with pytest.raises(InvalidAmount, match=why) as caught:
        parse_amount(given_, "Cash tendered")
    assert isinstance(caught.value, BookingError)
    assert str(caught.value).startswith("Cash tendered: ")
    assert len(str(caught.value)) < 160  # 500 characters are never echoed back whole
    assert caught.value.field == "Cash tendered"


def test_zero_and_the_limit_are_the_callers_to_choose():
    with pytest.raises(InvalidAmount, match="more than ₹0"):
        parse_amount("0.00", "Refund amount", zero=False)
    assert parse_amount("0.01", "Refund amount", zero=False) == Decimal("0.01")
    with pytest.raises(InvalidAmount, match="₹100"):
        parse_amount("100.01", "Coupon", most=Decimal(100))
    assert parse_amount(MOST, "x") == MOST


def test_blank_is_no_amount_where_an_amount_is_optional():
    assert parse_optional_amount(None, "At most") is None
    assert parse_optional_amount("  ", "At most") is None
    assert parse_optional_amount("50", "At most") == Decimal("50.00")
    with pytest.raises(InvalidAmount):
        parse_optional_amount("fifty", "At most")


def test_limits_are_written_the_indian_way():
    assert rupees_text(Decimal(1000000)) == "₹10,00,000"
    assert rupees_text(Decimal("12345.5")) == "₹12,345.50"
    assert rupees_text(Decimal(999)) == "₹999"


@given(st.one_of(st.text(max_size=60), st.integers(), st.floats(), st.decimals(),
                 st.booleans(), st.none(), st.binary(max_size=5)))
def test_anything_is_an_amount_in_paise_within_limits_or_an_invalid_amount(value):
    try:
        amount = parse_amount(value, "Cash tendered")
    except InvalidAmount as exc:
        assert str(exc).startswith("Cash tendered: ")
        return
    assert Decimal(0) <= amount <= MOST and amount == amount.quantize(Decimal("0.01"))
    assert amount.as_tuple().exponent == -2
