"""Pricing rules in the database: pricing a new show, and explaining a seat's price.

A show's factor is fixed when it is created (``factor_for``) and every show seat stores its own
price, so editing a rule later reprices only shows created afterwards. ``explain`` rebuilds the
formula from today's rules and says so when they no longer give the price the seat carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bmstui.domain import pricing
from bmstui.domain.clock import to_local
from bmstui.domain.errors import InvalidSeats, ShowNotFound
from bmstui.domain.ids import parse_moment
from bmstui.domain.pricing import money, rupees
from bmstui.domain.requests import check_show_id
from bmstui.domain.text import clean_text
from bmstui.services import zones
from bmstui.store.db import database
from bmstui.store.models import (
    Movie,
    PricingRule,
    Screen,
    Seat,
    SeatTypePrice,
    Show,
    ShowSeat,
    Theater,
)


@dataclass(frozen=True)
class ShowPricing:
    """How the prices of one show were formed: base price per seat type times ``factor``."""

    show_id: int
    base_prices: dict[str, Decimal]  # seat type -> base price, cheapest first
    rules: tuple[pricing.Rule, ...]  # today's rules that match the show
    factor: Decimal  # the factor the show was priced with
    rules_factor: Decimal  # the product of ``rules`` (differs if rules changed since)

    @property
    def current(self) -> bool:
        # SQLite keeps the stored factor as a float: equal to well within a paisa on ₹10,000.
        return abs(self.factor - self.rules_factor) < Decimal("1e-9")

    def formula(self, seat_type: str, price: Decimal | None = None) -> str:
        """'Gold ₹220.00 × Weekend 1.25 × Night show 1.1 = ₹303.00'."""
        base = self.base_prices.get(seat_type, Decimal(0))
        parts = [f"{seat_type.title()} {rupees(base)}"]
        if self.current:
            parts += [f"{rule.name} {Decimal(rule.factor).normalize():f}" for rule in self.rules]
        else:
            parts.append(f"show factor {self.factor.normalize():f}")
        if price is None:
            price = pricing.seat_price(base, self.factor)
        return " × ".join(parts) + f" = {rupees(price)}"


@dataclass(frozen=True)
class PriceExplanation:
    show_id: int
    label: str
    seat_type: str
    price: Decimal  # what the seat sells for (stored on the show seat)
    pricing: ShowPricing

    def lines(self) -> list[str]:
        out = [f"Seat {self.label} ({self.seat_type.title()}): {rupees(self.price)}",
               f"  base price {rupees(self.pricing.base_prices.get(self.seat_type, 0))}"]
        for rule in self.pricing.rules:
            out.append(f"  × {Decimal(rule.factor).normalize():f}  {rule.name} "
                       f"({rule.kind} {rule.match})")
        if not self.pricing.rules:
            out.append("  no pricing rule matches this show")
        out.append(f"  = {self.pricing.formula(self.seat_type, self.price)}")
        if not self.pricing.current:
            out.append(f"  (the rules changed since this show was priced at factor "
                       f"{self.pricing.factor.normalize():f}; today's rules give "
                       f"{self.pricing.rules_factor.normalize():f})")
        return out


def rules() -> list[pricing.Rule]:
    with database.connection_context():
        return [
            pricing.Rule(row.name, row.kind, row.match, Decimal(str(row.factor)))
            for row in PricingRule.select().where(PricingRule.active == True)
            .order_by(PricingRule.id)
        ]


def base_prices() -> dict[str, Decimal]:
    with database.connection_context():
        return {
            row.type: money(row.base_price)
            for row in SeatTypePrice.select().order_by(SeatTypePrice.rank)
        }


def factor_for(movie_title: str, theater_name: str, format: str,
               starts_at: datetime, zone) -> tuple[Decimal, list[pricing.Rule]]:
    """The factor a show created now gets, and the rules that formed it (``starts_at`` UTC; day
    and time bands are judged on the wall clock of the theater's ``zone``)."""
    starts_at = parse_moment(starts_at, "show's start")
    facts = pricing.ShowFacts(to_local(starts_at, zone), clean_text(movie_title),
                              clean_text(theater_name), clean_text(format))
    return pricing.show_factor(rules(), facts)


def show_pricing(show_id: int) -> ShowPricing:
    show_id = check_show_id(show_id)
    with database.connection_context():
        row = (
            Show.select(Show, Movie.title, Theater.name, Theater.timezone)
            .join(Movie).switch(Show).join(Screen).join(Theater)
            .where(Show.id == show_id)
            .objects()
            .first()
        )
        if row is None:
            raise ShowNotFound(show_id)
        factor, applied = factor_for(row.title, row.name, row.format, row.starts_at,
                                   zones.resolve(row.timezone, row.name))
        return ShowPricing(
            show_id=show_id, base_prices=base_prices(), rules=tuple(applied),
            factor=Decimal(str(row.price_factor)).quantize(pricing.FACTOR_PLACES),
            rules_factor=factor,
        )


def explain(show_id: int, label: str) -> PriceExplanation:
    """Why seat ``label`` of a show costs what it costs."""
    show_pricing_ = show_pricing(show_id)
    wanted = clean_text(label).strip().upper()[:8]
    with database.connection_context():
        seat = (
            ShowSeat.select(Seat.type, ShowSeat.price)
            .join(Seat)
            .where((ShowSeat.show == show_pricing_.show_id) & (Seat.label == wanted))
            .tuples()
            .first()
        )
    if seat is None:
        raise InvalidSeats([wanted or str(label)[:8]])
    return PriceExplanation(show_pricing_.show_id, wanted, seat[0], money(seat[1]), show_pricing_)
