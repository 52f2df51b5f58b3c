"""The one reader of a customer's phone number (pure: no database, no UI).

The checkout field, ``sales.confirm`` and ``sales.quote`` all come through ``parse_phone``, so
garbage (``hello!!``, ``123``, forty nines) is never stored, printed on a ticket or counted
against a per-customer coupon; a refusal is an ``InvalidPhone`` (a ``BookingError``) saying why.

Accepted: ASCII digits with the usual separators (spaces, ``+``, ``-``, parentheses), 7 to 15
digits (15 is the longest number E.164 allows; 7 the shortest local one worth calling back).
Stored as its digits only, which is how bookings are searched by phone.
"""

from __future__ import annotations

from bmstui.domain.errors import InvalidPhone

FEWEST = 7
MOST = 15
SEPARATORS = frozenset(" +-()")
LONGEST = 40  # characters worth reading; anything longer is refused unread


def looks_like_phone(text: str) -> bool:
    """True when ``text`` is made of digits (any script) and phone separators only, with at
    least one digit: what a caller meant as a number rather than a name."""
    text = text.strip()
    return (any(ch.isdigit() for ch in text)
            and all(ch.isdigit() or ch in SEPARATORS for ch in text))


def parse_phone(text: object) -> str:
    """The digits of a phone number, or InvalidPhone saying what is wrong with it."""
    if not isinstance(text, str):
        raise InvalidPhone(text, "is not text")
    stripped = text.strip()
    if not stripped:
        raise InvalidPhone(text, "is empty")
    if len(stripped) > LONGEST:
        raise InvalidPhone(text, f"is longer than {LONGEST} characters")
    wrong = next((ch for ch in stripped if not (ch in "0123456789" or ch in SEPARATORS)), None)
    if wrong is not None:
        if wrong.isdigit():
            raise InvalidPhone(text, "has digits of another script; type 0-9")
        raise InvalidPhone(text, "may hold only digits, spaces, +, - and parentheses")
    if "+" in stripped[1:] or stripped.count("(") != stripped.count(")"):
        raise InvalidPhone(text, "has a + or parentheses in the wrong place")
    digits = "".join(ch for ch in stripped if ch.isdigit())
    if len(digits) < FEWEST:
        raise InvalidPhone(text, f"has {len(digits)} digits; a phone number has at least {FEWEST}")
    if len(digits) > MOST:
        raise InvalidPhone(text, f"has {len(digits)} digits; a phone number has at most {MOST}")
    return digits

