"""Ids and days as a caller of the published API hands them over: one parser for each.

Every published function reads its row ids and its days through here, so ``12.0``, ``"١٢"``,
``"12; DROP TABLE show"`` or ``"3abc"`` never reach SQL (SQLite compares a float equal to an
integer, and MariaDB casts text to its leading digits: both would act on row 12 or 3), and
``2**63``, infinity or NaN never reach a driver that cannot bind them. What is refused raises a
``BookingError`` naming the kind of row, so a script gets the same plain refusal as a clerk.
Pure: no database, no UI.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from bmstui.domain.errors import BookingError, InvalidDay, NotFound, ShowNotFound, shown

MAX_ID = 2**63 - 1  # the largest row id either backend can store and compare with
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)  # a day after it could not be turned into a [start, end) range

_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() would take "١٢" and "１２"
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def refusal(what: str, value: object) -> NotFound:
    """The error for an id of ``what`` that names no row (ShowNotFound for a show)."""
    return ShowNotFound(value) if what == "show" else NotFound(what, value)


def parse_id(value: object, what: str = "row") -> int:
    """A row id from a whole number or its ASCII digits (whitespace around allowed), within
    1…2^63−1. Floats, bools, Decimals with a fraction, other scripts' digits, signs and
    trailing text name no row: ``refusal(what, value)`` is raised."""
    number = whole_number(value)
    if number is None or not 0 < number <= MAX_ID:
        raise refusal(what, value)
    return number


def parse_optional_id(value: object, what: str = "row") -> int | None:
    """``parse_id`` for a filter, where None means "any"."""
    return None if value is None else parse_id(value, what)


def whole_number(value: object) -> int | None:
    """An int from an int (not a bool), an integral Decimal or ASCII digits; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Decimal):
        if not value.is_finite() or value.adjusted() > 19:  # 1E+999999999 is no id either
            return None
        return int(value) if value == value.to_integral_value() else None
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return None


def parse_count(value: object, what: str, *, least: int = 0, most: int) -> int:
    """How many of something (seats, rows, cells, days): a whole number least…most, or a
    BookingError saying so (``2**63`` cells would exhaust memory, not just look odd)."""
    number = whole_number(value)
    if number is None or not least <= number <= most:
        raise BookingError(f"The {what} is a whole number from {least:,} to {most:,}, "
                           f"not {shown(value, 20, quoted=True)}")
    return number


def parse_day(value: object, what: str = "day") -> date:
    """A calendar day from a ``datetime.date`` or ISO text ``YYYY-MM-DD``.

    A ``datetime`` is refused rather than cut to its date: the published API's times are UTC,
    and the UTC date of an evening show in India or New York is not the local day a clerk
    means, so taking it would silently pick the wrong day's shows."""
    day: date | None = None
    if isinstance(value, datetime):
        raise InvalidDay(f"The {what} is a date (like 2026-03-01), not a date and time: "
                         f"{shown(value, 30)}")
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        raise InvalidDay(f"The {what} is a date like 2026-03-01, not "
                         f"{shown(value, 30, quoted=True)}")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidDay(f"The {what} {day.isoformat()} is out of range "
                         f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})")
    return day


def parse_moment(value: object, what: str = "time") -> datetime:
    """A point in time as the published API takes it: a ``datetime``, naive meaning UTC (an
    aware one is converted to naive UTC), within the days ``parse_day`` allows. A bare
    ``date`` is refused: midnight of which zone would be a guess."""
    if not isinstance(value, datetime):
        raise InvalidDay(f"The {what} must be a date and time (a datetime), not "
                         f"{shown(value, 30, quoted=True)}")
    if value.tzinfo is not None and value.utcoffset() is not None:
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # datetime.max in a zone east of UTC
            raise InvalidDay(f"The {what} {shown(value, 30)} is out of range") from None
    value = value.replace(tzinfo=None)
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise InvalidDay(f"The {what} {value:%Y-%m-%d %H:%M} is out of range "
                         f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})")
    return value


def parse_optional_moment(value: object, what: str = "time") -> datetime | None:
    return None if value is None else parse_moment(value, what)


def parse_optional_day(value: object, what: str = "day") -> date | None:
    """``parse_day`` for a filter, where None means "any day"."""
    return None if value is None else parse_day(value, what)
