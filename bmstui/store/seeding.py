"""Loading the demo catalog of ``data/`` into the database (idempotent).

Catalog rows are matched by their natural keys (city name, theater per city, screen per theater,
movie title + language), so running the seed again adds only what is missing: tomorrow it adds
tomorrow's shows. Show seats are created server-side with one ``INSERT ... SELECT`` per batch of
shows (the price is the seat type's base price times the show's factor), which is what makes a
million show seats a matter of seconds rather than minutes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import peewee as pw

from bmstui.domain import pricing
from bmstui.domain.clock import local_today, to_utc
from bmstui.domain.ids import parse_count, parse_optional_day
from bmstui.domain.layouts import parse_layout
from bmstui.domain.vocabulary import SeatStatus
from bmstui.paths import data_dir
from bmstui.store.db import database, db_now, now_sql
from bmstui.store.models import (
    SEAT_TYPES,
    City,
    Coupon,
    Movie,
    Operator,
    PricingRule,
    Screen,
    Seat,
    SeatTypePrice,
    Show,
    ShowSeat,
    Theater,
)

Progress = Callable[[str, int, int], None]  # (step description, done, total)

SHOW_BATCH = 40
ROW_BATCH = 2000


@dataclass
class SeedReport:
    cities: int = 0
    theaters: int = 0
    screens: int = 0
    seats: int = 0
    movies: int = 0
    shows: int = 0
    show_seats: int = 0
    # (name, role, password) of demo operators created by this run: printed once, never stored
    operators: list = field(default_factory=list)


def read_catalog(folder: Path | None = None) -> dict[str, Any]:
    folder = folder or data_dir()
    doc: dict[str, Any] = {}
    for name in ("catalog", "layouts", "movies", "pricing", "schedule", "coupons"):
        path = folder / f"{name}.toml"
        if name == "coupons" and not path.is_file():  # optional: a chain may have none
            doc[name] = {}
            continue
        doc[name] = tomllib.loads(path.read_text(encoding="utf-8"))
    return doc


def _noop(step: str, done: int, total: int) -> None:
    pass


def _get_or_create(model, defaults: dict | None = None, **keys):
    row = model.get_or_none(**keys)
    if row is not None:
        return row, False
    return model.create(**keys, **(defaults or {})), True


def _seed_prices(doc: dict) -> None:
    prices = [Decimal(str(doc["catalog"]["seat_types"][type_])) for type_ in SEAT_TYPES]
    if prices != sorted(set(prices)):
        raise ValueError(
            "catalog.toml [seat_types]: base prices must rise "
            + " < ".join(SEAT_TYPES) + f", got {', '.join(map(str, prices))}"
        )
    for rank, (type_, price) in enumerate(zip(SEAT_TYPES, prices, strict=True), start=1):
        _get_or_create(SeatTypePrice, {"base_price": price, "rank": rank}, type=type_)


DEMO_OPERATORS = (("manager", "manager"), ("cashier1", "cashier"), ("cashier2", "cashier"))


def _seed_operators(report: SeedReport) -> None:
    """Demo operators with random passwords, which the seed command prints once."""
    from bmstui.domain.passwords import hash_password, new_password

    for name, role in DEMO_OPERATORS:
        if Operator.select().where(Operator.name == name).exists():
            continue
        password = new_password()
        Operator.insert(name=name, role=role, password_hash=hash_password(password),
                        created_at=now_sql()).execute()
        report.operators.append((name, role, password))


def _seed_coupons(doc: dict) -> None:
    """Demo coupons, their validity counted from the seeding day (database clock)."""
    now = db_now()
    for spec in doc.get("coupons", {}).get("coupon", []):
        if Coupon.select().where(Coupon.code == spec["code"]).exists():
            continue
        valid_from, valid_until = spec.get("valid_from"), spec.get("valid_until")
        if "valid_days" in spec:
            valid_from, valid_until = now, now + timedelta(days=spec["valid_days"])
        Coupon.create(
            code=spec["code"], kind=spec["kind"], value=Decimal(str(spec["value"])),
            max_discount=(Decimal(str(spec["max_discount"])) if "max_discount" in spec
                          else None),
            min_amount=Decimal(str(spec.get("min_amount", 0))),
            valid_from=valid_from, valid_until=valid_until,
            usage_limit=spec.get("usage_limit"), per_customer_limit=spec.get("per_customer"),
        )


def _seed_rules(doc: dict) -> None:
    bands = pricing.band_ranges(doc["pricing"].get("bands", {}))
    for rule in doc["pricing"].get("rule", []):
        match = bands.get(rule["match"], rule["match"]) if rule["kind"] == "band" else rule["match"]
        _get_or_create(
            PricingRule,
            {"kind": rule["kind"], "match": match, "factor": Decimal(str(rule["factor"]))},
            name=rule["name"],
        )


def _seed_screen(theater: Theater, spec: dict, layouts: dict[str, list], report: SeedReport):
    seats = layouts[spec["layout"]]
    screen, created = _get_or_create(
        Screen,
        {"layout": spec["layout"], "capacity": len(seats), "formats": ",".join(spec["formats"])},
        theater=theater,
        name=spec["name"],
    )
    if created:
        report.screens += 1
        rows = [
            {
                "screen": screen.id, "row": s.row, "number": s.number, "label": s.label,
                "type": s.type, "accessible": s.accessible, "x": s.x, "y": s.y,
            }
            for s in seats
        ]
        for start in range(0, len(rows), ROW_BATCH):
            Seat.insert_many(rows[start : start + ROW_BATCH]).execute()
        report.seats += len(rows)


def _seed_chain(doc: dict, scale: int, report: SeedReport, progress: Progress) -> None:
    layouts = {lay["name"]: parse_layout(lay["map"]) for lay in doc["layouts"]["layout"]}
    cities = doc["catalog"]["city"]
    for copy in range(1, scale + 1):
        suffix = "" if copy == 1 else f" #{copy}"
        for city_spec in cities:
            with database.atomic():
                city, created = _get_or_create(
                    City, {"state": city_spec.get("state", "")}, name=city_spec["name"]
                )
                report.cities += created
                for theater_spec in city_spec.get("theater", []):
                    theater, created = _get_or_create(
                        Theater,
                        {"address": theater_spec.get("address", ""),
                         "timezone": theater_spec.get("timezone", "")},
                        city=city,
                        name=theater_spec["name"] + suffix,
                    )
                    report.theaters += created
                    for screen_spec in theater_spec.get("screen", []):
                        _seed_screen(theater, screen_spec, layouts, report)
        progress("Cinemas", copy, scale)


def _seed_movies(doc: dict, report: SeedReport) -> list[Movie]:
    movies = []
    for spec in doc["movies"]["movie"]:
        movie, created = _get_or_create(
            Movie,
            {
                "genre": spec["genre"],
                "certificate": spec["certificate"],
                "duration": spec["duration"],
                "rating": Decimal(str(spec["rating"])) if "rating" in spec else None,
                "synopsis": spec.get("synopsis", ""),
            },
            title=spec["title"],
            language=spec["language"],
        )
        report.movies += created
        movie.formats = spec.get("formats", ["2D"])
        movies.append(movie)
    return movies


def _first_zone() -> str:
    """The zone of the chain's first theater (the demo chain has one): "today" of the seed."""
    stored = Theater.select(Theater.timezone).order_by(Theater.id).scalar()
    return stored or ""


def _show_rows(doc: dict, movies: list[Movie], days: int, start_day) -> list[dict]:
    """One show per screen per time slot per day; movies rotate so each screen varies."""
    rules = [
        pricing.Rule(r.name, r.kind, r.match, r.factor)
        for r in PricingRule.select().where(PricingRule.active == True)  # noqa: E712
    ]
    times = [time.fromisoformat(t) for t in doc["schedule"]["schedule"]["times"]]
    screens = list(
        Screen.select(Screen, Theater).join(Theater).order_by(Screen.id)
    )
    existing = {
        (screen_id, starts_at)
        for screen_id, starts_at in Show.select(Show.screen, Show.starts_at).tuples()
    }
    rows = []
    for day_offset in range(days):
        day = start_day + timedelta(days=day_offset)
        for s_index, screen in enumerate(screens):
            formats = screen.formats.split(",")
            for t_index, slot in enumerate(times):
                local_start = datetime.combine(day, slot)  # the theater's wall clock
                starts_at = to_utc(local_start, screen.theater.timezone)
                if (screen.id, starts_at) in existing:
                    continue
                movie = movies[(s_index * 3 + t_index + day_offset) % len(movies)]
                fmt = next((f for f in ("IMAX", "4DX", "3D") if f in formats and f in movie.formats), "2D")
                facts = pricing.ShowFacts(local_start, movie.title, screen.theater.name, fmt)
                factor, _ = pricing.show_factor(rules, facts)
                rows.append(
                    {
                        "movie": movie.id,
                        "screen": screen.id,
                        "starts_at": starts_at,
                        "ends_at": starts_at + timedelta(minutes=movie.duration),
                        "format": fmt,
                        "price_factor": factor,
                    }
                )
    return rows


def create_show_seats(show_ids: list[int]) -> int:
    """Create the show seats of these shows, priced, in one server-side statement.

    Each price is worked out here in decimal arithmetic (base price × the show's factor, half a
    rupee rounded up) and handed to the INSERT ... SELECT as a CASE by show and seat type:
    SQLite's ROUND works in binary floating point and would turn 150 × 2.53 = 379.5 into 379.
    """
    if not show_ids:
        return 0
    factors = dict(Show.select(Show.id, Show.price_factor).where(Show.id.in_(show_ids)).tuples())
    bases = dict(SeatTypePrice.select(SeatTypePrice.type, SeatTypePrice.base_price).tuples())
    price = pw.Case(Show.id, [
        (show_id, pw.Case(Seat.type, [
            (kind, int(pricing.seat_price(pricing.money(base), Decimal(str(factor)))))
            for kind, base in bases.items()
        ]))
        for show_id, factor in factors.items()
    ])
    query = (
        Show.select(Show.id, Seat.id, pw.Value(SeatStatus.AVAILABLE), price, now_sql())
        .join(Seat, on=(Seat.screen == Show.screen))
        .join(SeatTypePrice, on=(SeatTypePrice.type == Seat.type))
        .where(Show.id.in_(show_ids))
    )
    return (
        ShowSeat.insert_from(
            query,
            [ShowSeat.show, ShowSeat.seat, ShowSeat.status, ShowSeat.price, ShowSeat.updated_at],
        )
        .as_rowcount()
        .execute()
    )


def _seed_shows(rows: list[dict], report: SeedReport, progress: Progress) -> None:
    total = len(rows)
    progress("Shows and seats", 0, total)
    for start in range(0, total, SHOW_BATCH):
        batch = rows[start : start + SHOW_BATCH]
        with database.atomic():
            Show.insert_many(batch).execute()
            ids = [
                show_id
                for (show_id,) in Show.select(Show.id)
                .where(
                    pw.Tuple(Show.screen, Show.starts_at).in_(
                        [(r["screen"], r["starts_at"]) for r in batch]
                    )
                )
                .tuples()
            ]
            report.shows += len(ids)
            report.show_seats += create_show_seats(ids)
        progress("Shows and seats", min(start + SHOW_BATCH, total), total)


MAX_SCALE = 1_000  # copies of the chain: a load test, not a typo of 2**63
MAX_DAYS = 366


def load_demo_data(
    *,
    scale: int = 1,
    days: int | None = None,
    start_day=None,
    progress: Progress | None = None,
    folder: Path | None = None,
) -> SeedReport:
    """Load the demo chain, ``scale`` copies of it, with shows for ``days`` days from today."""
    scale = parse_count(scale, "scale (copies of the chain)", least=1, most=MAX_SCALE)
    days = None if days is None else parse_count(days, "number of days", most=MAX_DAYS)
    start_day = parse_optional_day(start_day, "first day")
    progress = progress or _noop
    doc = read_catalog(folder)
    report = SeedReport()
    with database.connection_context():
        with database.atomic():
            _seed_prices(doc)
            _seed_rules(doc)
            _seed_coupons(doc)
            _seed_operators(report)
            movies = _seed_movies(doc, report)
        _seed_chain(doc, scale, report, progress)
        days = doc["schedule"]["schedule"].get("days", 7) if days is None else days
        rows = _show_rows(doc, movies, days, start_day or local_today(_first_zone()))
        _seed_shows(rows, report, progress)
    return report
