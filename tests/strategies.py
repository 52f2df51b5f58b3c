"""Hypothesis strategies for what a clerk's script might pass the published API.

Valid values (real seat labels, real tokens, real codes, amounts of money) are mixed with the
garbage a script can produce: empty and blank text, near-miss labels, SQL and LIKE
metacharacters, NUL and other control characters, emoji, right-to-left text, lone surrogates
(bytes read with ``surrogateescape``), 10,000-character strings, and values of the wrong type
(None, numbers, bytes, lists) where text is expected.
"""

from __future__ import annotations

import math
from decimal import Decimal

from actor_support import ADMIN
from hypothesis import strategies as st

LONG = "A" * 10_000

GARBAGE_TEXT = [
    "", " ", "\t\n", "A0", "Z999", "A-1", "A 1", "1A", "AA1", "A1;DROP TABLE shows",
    "' OR 1=1 --", "'; DELETE FROM bookings; --", '" OR ""="', "%", "%%", "_", "__", "A%",
    "A_", "\\", "\\%", ";", "--", "/*", "NULL", "None", "\x00", "A1\x00", "\x1b[2J",
    "🎬", "👨‍👩‍👧", "שלום", "مرحبا", "\u202eA1", "\ufeffA1", "Ａ１", "ǅ1", "ß", "ﬀ1",
    "\ud800", "A1\udcff", LONG, "%" * 10_000, "9" * 10_000,
]

SQL_META = ["%", "_", "'", '"', "\\", ";", "--", "' OR '1'='1", "%_%", "\\%", "\x00", "*"]

NON_STR = [None, 0, 1, -1, 10**30, 1.5, -0.0, math.nan, math.inf, -math.inf, True, False,
           b"A1", bytearray(b"A1"), ["A1"], ("A1",), {"A1": 1}, Decimal(1), Decimal("NaN")]


def mostly(good: st.SearchStrategy, bad: st.SearchStrategy, one_in: int = 5):
    """``good`` most of the time and ``bad`` about one time in ``one_in``, so an accepting path
    is exercised too (``one_of`` favours its first and last branches far more than that)."""
    return st.integers(1, one_in).flatmap(lambda i: bad if i == 2 else good)


def texts(max_size: int = 30) -> st.SearchStrategy:
    """Text a person or a script might type, garbage included."""
    return st.one_of(
        st.sampled_from(GARBAGE_TEXT),
        st.text(max_size=max_size),
        st.text(alphabet=st.sampled_from("".join(SQL_META) + "AB19 "), max_size=max_size),
    )


def anything(max_size: int = 30) -> st.SearchStrategy:
    """Text or a value of the wrong type."""
    return st.one_of(texts(max_size), st.sampled_from(NON_STR))


# --- seat labels -------------------------------------------------------------------------

def label_variants(valid: list[str]) -> st.SearchStrategy:
    """A real label as a clerk may type it: lower case, padded."""
    return st.tuples(st.sampled_from(valid), st.sampled_from(["{}", "{} ", " {}", "\t{}\n"]),
                     st.booleans()).map(lambda t: t[1].format(t[0].lower() if t[2] else t[0]))


def _huge(kind: str, valid: list[str]) -> list:
    if kind == "distinct garbage":
        return [f"Q{i}" for i in range(10_000)]
    if kind == "one seat 10k times":
        return [valid[0]] * 10_000
    if kind == "every seat cycled":
        return [valid[i % len(valid)] for i in range(10_000)]
    return [*valid[:3], *([None] * 9_997)]  # "mostly None"


HUGE_KINDS = ["distinct garbage", "one seat 10k times", "every seat cycled", "mostly None"]


def label_lists(valid: list[str]) -> st.SearchStrategy:
    """What ``seating.hold`` and ``sales.quote`` may be given as the seats."""
    item = st.one_of(label_variants(valid), texts(12), st.sampled_from(NON_STR))
    distinct_valid = st.lists(st.sampled_from(valid), min_size=1, max_size=12, unique=True)
    return st.one_of(
        distinct_valid,  # mostly holdable (more than max_seats: TooManySeats)
        st.lists(label_variants(valid), min_size=1, max_size=4),  # duplicates likely
        st.lists(item, max_size=6),
        distinct_valid.map(tuple),
        distinct_valid.map(lambda labels: " ".join(labels)),  # "A1 A2" as one string
        distinct_valid.map(lambda labels: ",".join(labels)),
        distinct_valid.map(lambda labels: dict.fromkeys(labels, 1)),
        st.sampled_from(HUGE_KINDS).map(lambda kind: _huge(kind, valid)),
        st.sampled_from(NON_STR),
        st.sampled_from(GARBAGE_TEXT),
    )


# --- durations, money ---------------------------------------------------------------------

def seconds() -> st.SearchStrategy:
    """A hold's ttl or an extension: sensible, tiny, zero, negative, enormous, not a number."""
    return st.one_of(
        st.none(),
        st.floats(min_value=1, max_value=600),
        st.integers(min_value=-10, max_value=100_000),
        st.sampled_from([0, 0.0, -0.0, 1e-9, 0.001, 86_400, 86_400.5, 1e30, math.nan, math.inf,
                         -math.inf, "30", " 30 ", "abc", "", "1e3", "NaN", b"30", [30], {},
                         Decimal(30), Decimal("sNaN"), 10**400, True]),
    )


def amounts() -> st.SearchStrategy:
    """Money as a script might hand it over: tendered cash, a refund."""
    return st.one_of(
        st.integers(min_value=-1_000, max_value=5_000),
        st.decimals(min_value=-100, max_value=5_000, places=2),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([0, -0.0, 1e30, -1e30, Decimal("1e30"), Decimal("1E+999999999"),
                         Decimal("300.123456789"), Decimal("1e-30"), Decimal("sNaN"),
                         "12,50", "1,000", "₹500", " 500 ", "500.00", "500.005", "1e30",
                         "NaN", "-0", "abc", "", "1_000", "0x10", b"500", [500], None, True]),
    )


# --- payment, customers, coupons ----------------------------------------------------------

def methods() -> st.SearchStrategy:
    good = st.sampled_from(["cash", "card", "upi", "netbanking"]).flatmap(
        lambda m: st.sampled_from([m, m.upper(), f" {m} ", m.title()]))
    bad = st.one_of(st.sampled_from(["cheque", "bitcoin", "CASH;--", "c a s h"]), anything(20))
    return mostly(good, bad, 3)


def phones() -> st.SearchStrategy:
    return st.one_of(
        st.integers(min_value=6_000_000_000, max_value=9_999_999_999).map(str),
        st.sampled_from(["98450 12345", "+91 98450-12345", "98450%", "١٢٣٤٥٦٧٨٩٠", "123",
                         "9" * 40, "' OR 1=1 --", "\ud800", ""]),
    )


def customers() -> st.SearchStrategy:
    return st.one_of(
        st.none(),
        phones(),
        texts(100),
        st.fixed_dictionaries({}, optional={"name": anything(100), "phone": phones()}),
        st.sampled_from([5, b"x", ["a"]]),
    )


def coupon_codes(real: list[str]) -> st.SearchStrategy:
    """Real codes as typed (any case, spaces) and made-up ones with metacharacters."""
    typed = st.tuples(st.sampled_from(real), st.booleans(), st.booleans()).map(
        lambda t: (t[0].lower() if t[1] else t[0]) + (" " if t[2] else ""))
    return st.one_of(st.none(), typed, anything(40),
                     st.sampled_from([f"{real[0]}%", f"{real[0][:-1]}_", f"%{real[0][2:]}",
                                      "WELCOME10' OR '1'='1", "%", "_"]))


def operators() -> st.SearchStrategy:
    """Who a script says is acting: nobody, the administrator, a name, an id, or nonsense."""
    return st.one_of(st.none(), st.just(ADMIN), texts(20),
                     st.sampled_from([0, -1, 99_999, 10**30, 1.5, True, b"admin", ["admin"]]))


# --- ids, days, moments (bmstui.domain.ids) ------------------------------------------------------

ID_GARBAGE = [0, -1, -12, 2**63, 2**63 - 1, 2**64, -(2**63), 10**30, True, False, 12.0, 1.5,
              -0.0, math.inf, -math.inf, math.nan, Decimal("12.5"), Decimal("NaN"),
              Decimal("Infinity"), Decimal("1e30"), "١٢", "１２", "۱۲", "12; DROP TABLE show",
              "3abc", "12.0", "+12", "-12", "0x1f", "1_2", "1e3", " ", "", "9" * 40, None,
              [12], (12,), {"id": 12}, b"12", "12\x00", "NULL", "' OR 1=1 --"]


def ids(valid: list[int]) -> st.SearchStrategy:
    """Row ids: real ones (as ints, digit strings, padded, integral Decimals) and garbage."""
    real = st.sampled_from(valid).flatmap(lambda n: st.sampled_from(
        [n, str(n), f" {n} ", f"{n:03d}", Decimal(n)]))
    return mostly(real, st.one_of(st.sampled_from(ID_GARBAGE), st.integers(), st.floats(),
                                  texts(20)), 2)


def days() -> st.SearchStrategy:
    """Calendar days: real dates, ISO text, and what a script may pass by mistake."""
    from datetime import date, datetime, timedelta

    today = date.today()
    good = st.sampled_from([today, today + timedelta(days=1), today.isoformat(),
                            f" {today.isoformat()} "])
    return mostly(good, st.one_of(
        st.dates(),
        st.datetimes(),
        st.sampled_from(["tomorrow", "today", "2026-13-01", "2026-02-30", "20260101",
                         "2026-1-1", "٢٠٢٦-٠١-٠١", "0000-01-01", "9999-12-31", "",
                         datetime(2026, 1, 1), date.min, date.max, 20260101, 0, -1, 1.5,
                         None, [today], b"2026-01-01"]),
        texts(12),
    ), 2)


def moments() -> st.SearchStrategy:
    """Points in time (UTC): datetimes near now, far ones, dates, text and numbers."""
    from datetime import UTC, date, datetime, timedelta

    now = datetime.now(UTC).replace(tzinfo=None)
    return st.one_of(
        st.sampled_from([now - timedelta(days=1), now + timedelta(days=1),
                         now + timedelta(days=30), datetime.now(UTC)]),
        st.datetimes(),
        st.sampled_from([datetime.min, datetime.max, date.today(), "2026-01-01 10:00",
                         "tomorrow", 0, 1.5, math.nan, None, [now], b"x"]),
        texts(12),
    )


def counts() -> st.SearchStrategy:
    """How many (seats, rows, days, a limit): small and sensible, or not at all."""
    return st.one_of(
        st.integers(-3, 12),
        st.sampled_from([0, 2**63, 2**64, 10**30, -(10**30), True, 1.5, math.nan, math.inf,
                         Decimal("2.5"), "5", "five", "", None, [5]]),
    )
