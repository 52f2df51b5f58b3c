"""The one reader of money that a clerk types or a caller hands over (pure: no database, no UI).

Cash tendered, refunds, coupon values and limits and base prices all come through ``parse_amount``,
so every field and every published function accepts and refuses the same things, and a refusal is
an ``InvalidAmount`` (a ``BookingError``) naming the field instead of a ``decimal`` exception far
from where the money was typed.

Accepted: an ``int``, a finite ``Decimal``, or text of ASCII digits with at most two decimals
(paise), optionally after ``₹`` and with commas grouping thousands the Indian way (``1,00,000``)
or the Western way (``100,000``). Refused, each with its own reason:

* ``float``: binary fractions are not paise (``0.1 + 0.2`` is not 0.30); pass text or ``Decimal``;
* ``bool`` (``True`` is not one rupee), NaN and infinity, exponents (``1e26``: a clerk never types
  one, and it is how a fat finger turns 126 into a number with 26 zeros);
* more than two decimals, digits of other scripts (``١٢``), signs, a comma in the wrong place
  (``12,50`` may be a European 12.50: guessing would pay the wrong amount);
* negatives, and anything above ``MOST`` (₹10,00,000: more than any sale or refund at a counter;
  the columns hold up to ₹9,99,99,999.99).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bmstui.domain.errors import InvalidAmount

MOST = Decimal("1000000.00")  # ₹10,00,000
PAISA = Decimal("0.01")
LONGEST = 32  # characters of text worth reading; anything longer is refused unread

# Whole rupees: plain digits, or commas grouping them (Indian lakh/crore or Western thousands).
_WHOLE = r"(?:[0-9]+|[0-9]{1,2}(?:,[0-9]{2})*,[0-9]{3}|[0-9]{1,3}(?:,[0-9]{3})+)"
_AMOUNT = re.compile(rf"(?:{_WHOLE}(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def rupees_text(amount: Decimal) -> str:
    """₹ and Indian digit grouping, for messages (₹10,00,000)."""
    whole, _, paise = f"{amount:.2f}".partition(".")
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        head, group = head[:-2], head[-2:]
        groups.insert(0, group)
    text = ",".join(([head] if head else []) + groups + [tail])
    return f"₹{text}" if paise == "00" else f"₹{text}.{paise}"


def parse_amount(value, field: str, *, zero: bool = True, most: Decimal = MOST) -> Decimal:
    """``value`` as rupees and paise (a Decimal with two places), or ``InvalidAmount`` saying
    why not. ``field`` names the amount in the message ("Cash tendered"); ``zero`` says whether
    ₹0 is an answer (a refund of nothing is not); ``most`` is the highest amount allowed."""
    amount = _read(value, field)
    if amount < 0:
        raise InvalidAmount(field, value, "cannot be negative")
    if amount > most:
        raise InvalidAmount(field, value, f"is above the limit of {rupees_text(most)}")
    if amount != amount.quantize(PAISA):  # safe: the amount is at most ``most`` here
        raise InvalidAmount(field, value, "has more than two decimals (rupees and paise)")
    if not zero and amount == 0:
        raise InvalidAmount(field, value, "must be more than ₹0")
    return amount.quantize(PAISA) + 0  # + 0 turns -0.00 into 0.00


def parse_optional_amount(value, field: str, **limits) -> Decimal | None:
    """``parse_amount``, with None and blank text meaning "no amount"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_amount(value, field, **limits)


def _read(value, field: str) -> Decimal:
    if isinstance(value, bool):
        raise InvalidAmount(field, value, "is yes/no, not an amount")
    if isinstance(value, float):
        raise InvalidAmount(field, value, "is a float; give money as text or a Decimal "
                            "(a float cannot hold paise exactly)")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidAmount(field, value, "is not a number")
        return value
    if not isinstance(value, str):
        raise InvalidAmount(field, value, "is not an amount of money")
    return _read_text(value, field)


def _read_text(value: str, field: str) -> Decimal:
    if len(value) > LONGEST:
        raise InvalidAmount(field, value, f"is longer than {LONGEST} characters")
    text = value.strip()
    if text.startswith("₹"):
        text = text[1:].lstrip()
    if not text:
        raise InvalidAmount(field, value, "is empty")
    if text.startswith("-") and _AMOUNT.fullmatch(text[1:]):
        raise InvalidAmount(field, value, "cannot be negative")
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        raise InvalidAmount(field, value, "uses digits other than 0-9")
    if "e" in text.lower() and not text.lower().strip("e.0123456789+-"):
        raise InvalidAmount(field, value, "is written with an exponent; type the digits")
    if not _AMOUNT.fullmatch(text):
        if "," in text and _AMOUNT.fullmatch(text.replace(",", "")):
            raise InvalidAmount(field, value, "has a comma out of place; commas only group "
                                "thousands (1,00,000), paise go after a point")
        raise InvalidAmount(field, value, "is not an amount in rupees (like 1250 or 1250.50)")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # cannot happen after the pattern; kept as a refusal anyway
        raise InvalidAmount(field, value, "is not an amount in rupees") from None


__all__ = ["MOST", "InvalidAmount", "parse_amount", "parse_optional_amount", "rupees_text"]
