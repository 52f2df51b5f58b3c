"""How a show's price factor is formed from the pricing rules (pure; no database).

A seat's price is its type's base price times the product of the factors of every rule the show
matches (day of week, time band, movie, theater, format), rounded to whole rupees. The factor is
computed once when a show is created and each show seat carries its own price, so a later rule
change never reprices tickets already on sale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RULE_KINDS = ("day", "band", "movie", "theater", "format")


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    match: str
    factor: Decimal


@dataclass(frozen=True)
class ShowFacts:
    local_start: datetime
    movie: str
    theater: str
    format: str


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.strip().split(":")
    return int(hours) * 60 + int(minutes)


def in_band(band: str, local_start: datetime) -> bool:
    """``band`` is 'HH:MM-HH:MM' (start inclusive, end exclusive; may wrap past midnight)."""
    start, end = (_minutes(part) for part in band.split("-"))
    now = local_start.hour * 60 + local_start.minute
    if start <= end:
        return start <= now < end
    return now >= start or now < end


def matches(rule: Rule, show: ShowFacts) -> bool:
    if rule.kind == "day":
        wanted = {part.strip().lower()[:3] for part in rule.match.split(",")}
        return DAY_NAMES[show.local_start.weekday()] in wanted
    if rule.kind == "band":
        return in_band(rule.match, show.local_start)
    if rule.kind == "movie":
        return rule.match.casefold() == show.movie.casefold()
    if rule.kind == "theater":
        return rule.match.casefold() == show.theater.casefold()
    if rule.kind == "format":
        return rule.match.upper() == show.format.upper()
    return False


FACTOR_PLACES = Decimal("1e-15")  # Show.price_factor is DECIMAL(20, 15)


def show_factor(rules: list[Rule], show: ShowFacts) -> tuple[Decimal, list[Rule]]:
    """The product of the matching rules' factors, exact (to the 15 decimals a show stores),
    and those rules (for explaining a price)."""
    applied = [rule for rule in rules if matches(rule, show)]
    factor = Decimal(1)
    for rule in applied:
        factor *= Decimal(rule.factor)
    return factor.quantize(FACTOR_PLACES, rounding=ROUND_HALF_UP), applied


def money(value) -> Decimal:
    """Any amount from either backend (int, float, str, Decimal) as rupees and paise."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def seat_price(base: Decimal, factor: Decimal) -> Decimal:
    return (Decimal(base) * Decimal(factor)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def band_ranges(bands: dict[str, str]) -> dict[str, str]:
    """{'morning': '06:00', 'matinee': '12:00', ...} -> {'morning': '06:00-12:00', ...}."""
    ordered = sorted(bands.items(), key=lambda item: _minutes(item[1]))
    return {
        name: f"{start}-{ordered[(i + 1) % len(ordered)][1]}"
        for i, (name, start) in enumerate(ordered)
    }


def rupees(amount) -> str:
    """Money as a clerk reads it: ₹1,234.50 (Indian digit grouping is left to the printer)."""
    return f"₹{money(amount):,.2f}"


def subtotals(items) -> list[tuple[str, int, Decimal, Decimal]]:
    """(seat type, count, unit price, amount) per type and price from (type, price) pairs, in
    the order first seen: what a clerk reads out before taking the money."""
    groups: dict[tuple[str, Decimal], int] = {}
    for kind, price in items:
        key = (kind, money(price))
        groups[key] = groups.get(key, 0) + 1
    return [(kind, count, price, price * count) for (kind, price), count in groups.items()]
