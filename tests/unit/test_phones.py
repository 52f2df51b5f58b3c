"""The one reader of customer phone numbers."""

from __future__ import annotations

import pytest

from bmstui.domain.errors import BookingError, InvalidPhone
from bmstui.domain.phones import looks_like_phone, parse_phone


@pytest.mark.parametrize("typed, stored", [
    ("9845012345", "9845012345"),
    ("98450 12345", "9845012345"),
    ("+91 98450-12345", "919845012345"),
    ("(080) 2345-6789", "08023456789"),
    ("  1234567 ", "1234567"),
    ("1" * 15, "1" * 15),
])
def test_phone_numbers_are_stored_as_their_digits(typed, stored):
    assert parse_phone(typed) == stored


@pytest.mark.parametrize("typed, reason", [
    ("hello!!", "only digits"),
    ("98450%", "only digits"),
    ("' OR 1=1 --", "only digits"),
    ("١٢٣٤٥٦٧٨٩٠", "another script"),
    ("123", "at least 7"),
    ("123456", "at least 7"),
    ("1" * 16, "at most 15"),
    ("9" * 41, "longer than 40"),
    ("98450+12345", "wrong place"),
    ("(98450 12345", "wrong place"),
    ("", "empty"),
    ("   ", "empty"),
    (9845012345, "not text"),
])
def test_anything_else_is_refused_with_a_readable_reason(typed, reason):
    with pytest.raises(InvalidPhone, match=reason) as refused:
        parse_phone(typed)
    assert isinstance(refused.value, BookingError)
    assert str(refused.value).startswith("Customer phone: ")
    assert refused.value.reason in str(refused.value)


@pytest.mark.parametrize("text, meant", [
    ("98450 12345", True), ("123", True), ("+(91)", True), ("١٢٣", True),
    ("Asha", False), ("Flat 12", False), ("98450%", False), ("", False), ("+ -", False),
])
def test_text_of_digits_and_separators_is_meant_as_a_phone(text, meant):
    assert looks_like_phone(text) is meant
