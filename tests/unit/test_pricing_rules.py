"""Pricing rules applied by the database on both backends: every show seat created by
``scheduling.create_show`` carries base price × the factors of the rules the show matches,
rounded half up to whole rupees, and ``prices.explain`` names exactly those rules.

Shows are put in 2099 at chosen *local* times (the bands are local wall-clock times), each test
in its own week so the shared demo database never has two shows on one screen at one time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from actor_support import ADMIN

from bmstui.domain.clock import to_utc
from bmstui.domain.errors import BookingError
from bmstui.services import prices, scheduling
from bmstui.store.db import database
from bmstui.store.models import Movie, PricingRule, Screen, Seat, SeatTypePrice, ShowSeat, Theater

BASE = {"SILVER": Decimal(150), "GOLD": Decimal(220), "PLATINUM": Decimal(320),
        "DIAMOND": Decimal(480)}
FACTORS = {"Weekend": "1.25", "Tuesday saver": "0.85", "Morning show": "0.8", "Matinee": "0.9",
           "Night show": "1.1", "3D": "1.2", "IMAX": "1.6", "4DX": "1.5",
           "Premium release": "1.15", "Flagship theater": "1.1"}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIRST_MONDAY = date(2099, 1, 5)
assert FIRST_MONDAY.weekday() == 0

PLAIN_MOVIE = "Kohra Station"  # matches no movie rule
PREMIUM_MOVIE = "Nallamala Veta"
ANDHERI_1 = ("Rangmahal Andheri West", "Audi 1")  # plex-220: all four seat types; 2D, 3D
PAREL_1 = ("Rangmahal Lower Parel", "Audi 1")  # the flagship's IMAX hall
PAREL_2 = ("Rangmahal Lower Parel", "Audi 2")  # the flagship, recliners: 2D, 3D
WHITEFIELD_1 = ("Rangmahal Whitefield", "Audi 1")  # the 4DX hall


def expected_price(seat_type: str, rules: list[str]) -> Decimal:
    """What the documentation promises: base × product of the factors, half up to rupees."""
    value = BASE[seat_type]
    for name in rules:
        value *= Decimal(FACTORS[name])
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def when(week: int, day: str, hhmm: str) -> datetime:
    """The UTC start of a local time in the given week of 2099."""
    local = datetime.combine(FIRST_MONDAY + timedelta(weeks=week, days=DAYS.index(day)),
                             time.fromisoformat(hhmm))
    return to_utc(local, "Asia/Kolkata")  # the demo chain's theaters


def make_show(hall: tuple[str, str], title: str, starts_at: datetime, fmt: str = "2D") -> int:
    with database.connection_context():
        screen = (Screen.select(Screen.id).join(Theater)
                  .where((Theater.name == hall[0]) & (Screen.name == hall[1])).scalar())
        movie = Movie.select(Movie.id).where(Movie.title == title).scalar()
    return scheduling.create_show(movie, screen, starts_at, fmt, operator=ADMIN)


def prices_by_type(show_id: int) -> dict[str, tuple[set[Decimal], str]]:
    """seat type -> (every price stored for it, one label of that type)."""
    out: dict[str, tuple[set[Decimal], str]] = {}
    with database.connection_context():
        for seat_type, price, label in (ShowSeat.select(Seat.type, ShowSeat.price, Seat.label)
                                        .join(Seat).where(ShowSeat.show == show_id).tuples()):
            found, first = out.get(seat_type, (set(), label))
            found.add(Decimal(str(price)))
            out[seat_type] = (found, first)
    return out


def assert_priced_by(show_id: int, rules: list[str]) -> None:
    by_type = prices_by_type(show_id)
    assert by_type, "the show has no seats"
    for seat_type, (found, label) in by_type.items():
        want = expected_price(seat_type, rules)
        assert found == {want}, f"{seat_type}: stored {sorted(found)}, rules say {want}"
        why = prices.explain(show_id, label)
        assert why.seat_type == seat_type and why.price == want
        assert sorted(rule.name for rule in why.pricing.rules) == sorted(rules)
        assert why.pricing.current
        text = "\n".join(why.lines())
        for name in rules:
            assert name in text
        if not rules:
            assert "no pricing rule matches this show" in text


CASES = {
    # name: (week, day, local time, hall, movie, format, the rules that must apply)
    "plain wednesday evening": (1, "wed", "18:00", ANDHERI_1, PLAIN_MOVIE, "2D", []),
    "saturday": (2, "sat", "18:00", ANDHERI_1, PLAIN_MOVIE, "2D", ["Weekend"]),
    "sunday": (2, "sun", "18:00", ANDHERI_1, PLAIN_MOVIE, "2D", ["Weekend"]),
    "tuesday": (3, "tue", "18:00", ANDHERI_1, PLAIN_MOVIE, "2D", ["Tuesday saver"]),
    "morning starts 06:00": (4, "wed", "06:00", ANDHERI_1, PLAIN_MOVIE, "2D", ["Morning show"]),
    "morning until 11:59": (4, "thu", "11:59", ANDHERI_1, PLAIN_MOVIE, "2D", ["Morning show"]),
    "matinee starts 12:00": (5, "wed", "12:00", ANDHERI_1, PLAIN_MOVIE, "2D", ["Matinee"]),
    "matinee until 16:59": (5, "thu", "16:59", ANDHERI_1, PLAIN_MOVIE, "2D", ["Matinee"]),
    "evening 17:00 has no rule": (6, "wed", "17:00", ANDHERI_1, PLAIN_MOVIE, "2D", []),
    "evening until 20:59": (6, "thu", "20:59", ANDHERI_1, PLAIN_MOVIE, "2D", []),
    "night starts 21:00": (7, "wed", "21:00", ANDHERI_1, PLAIN_MOVIE, "2D", ["Night show"]),
    "night wraps to 05:59": (7, "thu", "05:59", ANDHERI_1, PLAIN_MOVIE, "2D", ["Night show"]),
    "movie": (8, "wed", "18:00", ANDHERI_1, PREMIUM_MOVIE, "2D", ["Premium release"]),
    "theater": (8, "wed", "18:00", PAREL_2, PLAIN_MOVIE, "2D", ["Flagship theater"]),
    "3D": (9, "wed", "18:00", ANDHERI_1, PLAIN_MOVIE, "3D", ["3D"]),
    "IMAX (only at the flagship)": (9, "wed", "18:00", PAREL_1, PLAIN_MOVIE, "IMAX",
                                    ["IMAX", "Flagship theater"]),
    "4DX": (9, "wed", "18:00", WHITEFIELD_1, PLAIN_MOVIE, "4DX", ["4DX"]),
    "all at once": (10, "sat", "21:30", PAREL_1, PREMIUM_MOVIE, "IMAX",
                    ["Weekend", "Night show", "IMAX", "Premium release", "Flagship theater"]),
    "tuesday morning 3D": (10, "tue", "09:00", ANDHERI_1, PLAIN_MOVIE, "3D",
                           ["Tuesday saver", "Morning show", "3D"]),
}


@pytest.mark.parametrize("case", CASES)
def test_each_rule_prices_the_seats_it_matches(demo_db, case):
    week, day, hhmm, hall, title, fmt, rules = CASES[case]
    show = make_show(hall, title, when(week, day, hhmm), fmt)
    assert_priced_by(show, rules)


def test_tuesday_silver_at_half_a_rupee_rounds_up(demo_db):
    """150 × 0.85 = 127.50: half up gives 128 on both backends (not banker's 128/127)."""
    show = make_show(ANDHERI_1, PLAIN_MOVIE, when(11, "tue", "18:00"))
    assert prices_by_type(show)["SILVER"][0] == {Decimal(128)}


def test_saturday_imax_premium_silver_at_half_a_rupee_rounds_up(demo_db, backend):
    """150 × 1.25 × 1.6 × 1.15 × 1.1 = 379.50 -> 380, and explain's formula agrees."""
    show = make_show(PAREL_1, PREMIUM_MOVIE, when(11, "sat", "18:00"), "IMAX")
    why = prices.explain(show, prices_by_type(show)["SILVER"][1])
    assert why.pricing.factor == Decimal("2.53")
    assert why.pricing.formula("SILVER").endswith("= ₹380.00")
    assert why.price == Decimal(380)


def test_a_product_with_four_decimals_is_not_rounded_before_pricing(demo_db):
    show = make_show(PAREL_2, PLAIN_MOVIE, when(12, "tue", "22:00"))
    assert_priced_by(show, ["Tuesday saver", "Night show", "Flagship theater"])


def test_a_rule_change_reprices_only_shows_created_afterwards(demo_db):
    """Tickets on sale keep their price; explain admits the rules moved since; a new show gets
    the new factor."""
    before = make_show(ANDHERI_1, PLAIN_MOVIE, when(13, "wed", "18:00"), "3D")
    with database.connection_context():
        PricingRule.update(factor=Decimal("1.3")).where(PricingRule.name == "3D").execute()
    try:
        old = prices_by_type(before)
        assert {t: found for t, (found, _) in old.items()} == {
            t: {expected_price(t, ["3D"])} for t in old}
        why = prices.explain(before, old["GOLD"][1])
        assert why.price == Decimal(264)  # 220 × 1.2, as sold before the change
        assert not why.pricing.current
        assert why.pricing.factor == Decimal("1.2") and why.pricing.rules_factor == Decimal("1.3")
        text = "\n".join(why.lines())
        assert "the rules changed since this show was priced at factor 1.2" in text
        assert "today's rules give 1.3" in text
        assert why.pricing.formula("GOLD", why.price) == "Gold ₹220.00 × show factor 1.2 = ₹264.00"

        after = make_show(ANDHERI_1, PLAIN_MOVIE, when(13, "thu", "18:00"), "3D")
        new_prices = {t: found for t, (found, _) in prices_by_type(after).items()}
        assert new_prices == {t: {(BASE[t] * Decimal("1.3")).quantize(Decimal(1), ROUND_HALF_UP)}
                              for t in new_prices}
        fresh = prices.explain(after, "A1")
        assert fresh.pricing.current
        assert "rules changed" not in "\n".join(fresh.lines())
    finally:
        with database.connection_context():
            PricingRule.update(factor=Decimal("1.2")).where(PricingRule.name == "3D").execute()


def test_an_inactive_rule_no_longer_prices_new_shows(demo_db):
    with database.connection_context():
        PricingRule.update(active=False).where(PricingRule.name == "Weekend").execute()
    try:
        show = make_show(ANDHERI_1, PLAIN_MOVIE, when(14, "sat", "18:00"))
        assert_priced_by(show, [])
    finally:
        with database.connection_context():
            PricingRule.update(active=True).where(PricingRule.name == "Weekend").execute()


def test_create_show_refuses_a_format_the_screen_cannot_show(demo_db):
    with pytest.raises(BookingError, match="cannot show IMAX"):
        make_show(ANDHERI_1, PLAIN_MOVIE, when(15, "wed", "18:00"), "imax")
    make_show(ANDHERI_1, PLAIN_MOVIE, when(15, "wed", "18:00"))
    with pytest.raises(BookingError, match="already has a show at that time"):
        make_show(ANDHERI_1, PLAIN_MOVIE, when(15, "wed", "18:00"))


def test_base_prices_rise_with_the_seat_type(demo_db):
    with database.connection_context():
        rows = [(r.type, Decimal(str(r.base_price)))
                for r in SeatTypePrice.select().order_by(SeatTypePrice.rank)]
    assert [t for t, _ in rows] == ["SILVER", "GOLD", "PLATINUM", "DIAMOND"]
    amounts = [p for _, p in rows]
    assert amounts == sorted(set(amounts))
    assert dict(rows) == BASE
    assert prices.base_prices() == BASE
