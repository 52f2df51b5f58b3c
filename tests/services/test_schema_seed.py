"""create_schema and load_demo_data on both backends: tables, column types, indexes, the demo
catalog's shape, and idempotency."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import peewee as pw
import pytest

import bmstui
from bmstui.domain.clock import local_today, to_local
from bmstui.domain.errors import BookingError
from bmstui.store.db import database, is_mysql
from bmstui.store.models import (
    ALL_MODELS,
    SEAT_TYPES,
    City,
    Hold,
    Movie,
    Operator,
    PreciseDateTimeField,
    Screen,
    Seat,
    SeatTypePrice,
    Show,
    ShowSeat,
    Theater,
)

# information_schema checks: only the MariaDB half of the ``backend`` fixture.
MYSQL_ONLY = pytest.mark.parametrize(
    "backend", [pytest.param("mysql", marks=pytest.mark.mysql)], indirect=True
)

DEMO_ZONE = "Asia/Kolkata"  # the demo chain's theaters (data/catalog.toml)
TYPE_RANK = {t: i for i, t in enumerate(SEAT_TYPES)}  # SILVER < GOLD < PLATINUM < DIAMOND


def table_counts() -> dict[str, int]:
    with database.connection_context():
        return {m._meta.table_name: m.select().count() for m in ALL_MODELS}


def db_name() -> str:
    return database.obj.database


@pytest.fixture
def schema(empty_db):
    bmstui.create_schema()
    return empty_db


@pytest.fixture
def seeded(schema):
    report = bmstui.load_demo_data(days=2)
    return report


# --- schema --------------------------------------------------------------------------------------


def test_create_schema_makes_every_table_and_is_idempotent(empty_db):
    from bmstui.store.schema import schema_missing

    assert len(schema_missing()) == len(ALL_MODELS)
    bmstui.create_schema()
    with database.connection_context():
        tables = set(database.get_tables())
    assert {m._meta.table_name for m in ALL_MODELS} <= tables
    assert schema_missing() == []

    with database.connection_context():
        City.create(name="Pune", state="Maharashtra")
    bmstui.create_schema()  # again, on a database with data: nothing breaks, nothing is lost
    assert schema_missing() == []
    with database.connection_context():
        assert [c.name for c in City.select()] == ["Pune"]


def _index_columns(table: str) -> dict[tuple[str, ...], bool]:
    """Column tuple -> unique, for every index on ``table``."""
    with database.connection_context():
        return {tuple(ix.columns): ix.unique for ix in database.get_indexes(table)}


def test_show_seat_indexes(schema):
    indexes = _index_columns("show_seat")
    assert indexes.get(("show_id", "seat_id")) is True  # one row per seat per show
    assert ("show_id", "status") in indexes  # free-seat counts
    assert ("show_id", "updated_at") in indexes  # the live grid's "what changed since"
    assert ("hold_token",) in indexes  # release/confirm of a hold
    assert ("held_until",) in indexes  # the sweeper


def test_other_unique_keys(schema):
    assert _index_columns("booking").get(("hold_token",)) is True  # idempotent confirm
    assert _index_columns("booking").get(("code",)) is True
    assert _index_columns("show").get(("screen_id", "starts_at")) is True
    assert _index_columns("seat").get(("screen_id", "label")) is True
    assert _index_columns("movie").get(("title", "language")) is True
    assert _index_columns("theater").get(("city_id", "name")) is True


def test_unique_show_seat_is_enforced(seeded):
    with database.connection_context():
        row = ShowSeat.select().first()
        with pytest.raises(pw.IntegrityError):
            with database.atomic():
                ShowSeat.create(
                    show=row.show_id, seat=row.seat_id, price=1, updated_at=datetime(2030, 1, 1)
                )


def test_microseconds_round_trip_in_precise_datetime_fields(schema):
    stamp = datetime(2031, 5, 6, 7, 8, 9, 123456)
    with database.connection_context():
        op = Operator.create(
            name="precise", password_hash="x", created_at=stamp, locked_until=stamp
        )
        back = Operator.get_by_id(op.id)
        assert back.created_at == stamp
        assert back.locked_until == stamp
        # Comparisons in SQL see the microseconds too.
        later = stamp + timedelta(microseconds=1)
        assert Operator.select().where(Operator.created_at < later).count() == 1
        assert Operator.select().where(Operator.created_at < stamp).count() == 0


@MYSQL_ONLY
def test_mysql_decision_times_are_datetime6(schema):
    precise = {
        (m._meta.table_name, f.column_name)
        for m in ALL_MODELS
        for f in m._meta.sorted_fields
        if isinstance(f, PreciseDateTimeField)
    }
    assert {
        ("show_seat", "held_until"),
        ("show_seat", "updated_at"),
        ("hold", "expires_at"),
        ("hold", "created_at"),
        ("booking", "created_at"),
        ("operator", "locked_until"),
    } <= precise
    with database.connection_context():
        rows = database.execute_sql(
            "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, DATETIME_PRECISION "
            "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s",
            (db_name(),),
        ).fetchall()
    columns = {(t, c): (kind, precision) for t, c, kind, precision in rows}
    for key in sorted(precise):
        assert columns[key] == ("datetime", 6), f"{key[0]}.{key[1]} is {columns[key]}"
    assert Hold.expires_at.column_name == "expires_at"


@MYSQL_ONLY
def test_mysql_tables_are_innodb_utf8mb4_even_in_a_latin1_database(empty_db):
    with database.connection_context():
        database.execute_sql(
            f"ALTER DATABASE `{db_name()}` CHARACTER SET latin1 COLLATE latin1_swedish_ci"
        )
    bmstui.create_schema()
    with database.connection_context():
        tables = dict(
            (name, (engine, collation))
            for name, engine, collation in database.execute_sql(
                "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = %s",
                (db_name(),),
            ).fetchall()
        )
        charsets = database.execute_sql(
            "SELECT DISTINCT CHARACTER_SET_NAME FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = %s AND CHARACTER_SET_NAME IS NOT NULL",
            (db_name(),),
        ).fetchall()
    for model in ALL_MODELS:
        engine, collation = tables[model._meta.table_name]
        assert engine == "InnoDB", model._meta.table_name
        assert collation.startswith("utf8mb4_"), (model._meta.table_name, collation)
    assert {c for (c,) in charsets} == {"utf8mb4"}
    # Text beyond the BMP (utf8mb4 proper) is stored and read back intact.
    with database.connection_context():
        City.create(name="Chennai \U0001f3ac", state="தமிழ்நாடு")
        assert City.get(City.state == "தமிழ்நாடு").name == "Chennai \U0001f3ac"


# --- demo data -----------------------------------------------------------------------------------


def test_demo_catalog_shape(seeded):
    assert seeded.cities >= 3 and seeded.theaters >= 6 and seeded.shows > 0
    with database.connection_context():
        assert City.select().count() >= 3
        theaters = list(Theater.select())
        assert len(theaters) >= 6
        assert Theater.select(Theater.city).distinct().count() >= 3
        for theater in theaters:
            assert theater.screens.count() == 2, theater.name
        types = {t for (t,) in Seat.select(Seat.type).distinct().tuples()}
        assert types == set(SEAT_TYPES)
        assert Seat.select().where(Seat.accessible == True).count() > 0  # noqa: E712
        assert {p.type for p in SeatTypePrice.select()} == set(SEAT_TYPES)
        movies = list(Movie.select())
        assert len(movies) >= 8
        assert len({m.language for m in movies}) >= 3
        for screen in Screen.select():
            assert screen.capacity == screen.seats.count() > 0, screen.name
    assert seeded.seats == sum(s.capacity for s in Screen.select())


def test_demo_shows_today_and_tomorrow_in_local_time(seeded):
    with database.connection_context():
        assert {t.timezone for t in Theater.select()} == {DEMO_ZONE}
    today = local_today(DEMO_ZONE)
    with database.connection_context():
        days = Counter(to_local(s.starts_at, DEMO_ZONE).date() for s in Show.select())
        screens = Screen.select().count()
        per_day_per_screen = {
            (to_local(s.starts_at, DEMO_ZONE).date(), s.screen_id) for s in Show.select()
        }
    assert set(days) == {today, today + timedelta(days=1)}
    assert days[today] == days[today + timedelta(days=1)] > 0
    assert len(per_day_per_screen) == 2 * screens  # every screen plays on both days
    assert sum(days.values()) == seeded.shows


def test_every_show_has_capacity_priced_seats(seeded):
    with database.connection_context():
        capacity = {s.id: s.capacity for s in Screen.select()}
        show_screen = dict(Show.select(Show.id, Show.screen).tuples())
        per_show = dict(
            ShowSeat.select(ShowSeat.show, pw.fn.COUNT(ShowSeat.id))
            .group_by(ShowSeat.show)
            .tuples()
        )
        rows = (
            ShowSeat.select(ShowSeat.show, Seat.type, ShowSeat.price, ShowSeat.status)
            .join(Seat)
            .tuples()
        )
        prices: dict[int, dict[str, set]] = {}
        statuses = set()
        for show_id, seat_type, price, status in rows:
            assert price > 0
            prices.setdefault(show_id, {}).setdefault(seat_type, set()).add(price)
            statuses.add(status)
    assert statuses == {"available"}
    assert set(per_show) == set(show_screen)
    for show_id, screen_id in show_screen.items():
        assert per_show[show_id] == capacity[screen_id], show_id
    assert sum(per_show.values()) == seeded.show_seats
    for show_id, by_type in prices.items():
        assert all(len(v) == 1 for v in by_type.values()), (show_id, by_type)
        ordered = sorted(by_type, key=TYPE_RANK.get)
        tiers = [next(iter(by_type[t])) for t in ordered]
        assert tiers == sorted(tiers), (show_id, dict(zip(ordered, tiers)))


def test_second_seed_adds_nothing(seeded):
    before = table_counts()
    again = bmstui.load_demo_data(days=2)
    assert again.operators == []  # demo passwords are made (and printed) only once
    counts = {k: v for k, v in vars(again).items() if k != "operators"}
    assert counts == {k: 0 for k in counts}
    assert table_counts() == before


def test_seed_one_more_day_adds_only_that_day(seeded):
    before = table_counts()
    screens = before["screen"]
    report = bmstui.load_demo_data(days=3)
    assert (report.cities, report.theaters, report.screens, report.movies) == (0, 0, 0, 0)
    after = table_counts()
    assert after["show"] - before["show"] == report.shows > 0
    assert report.shows % screens == 0
    with database.connection_context():
        new_days = {to_local(s.starts_at, DEMO_ZONE).date() for s in Show.select()}
    assert max(new_days) == local_today(DEMO_ZONE) + timedelta(days=2)


def test_scale_two_doubles_the_theaters(schema):
    report = bmstui.load_demo_data(scale=2, days=1)
    with database.connection_context():
        names = [t.name for t in Theater.select()]
        cities = City.select().count()
    assert len(names) == report.theaters
    singles = [n for n in names if "#" not in n]
    assert len(names) == 2 * len(singles) >= 12
    assert cities == report.cities >= 3  # copies share the cities
    assert sorted(n + " #2" for n in singles) == sorted(n for n in names if "#" in n)


def test_seed_is_rejected_for_scale_zero(schema):
    with pytest.raises(BookingError, match="scale"):
        bmstui.load_demo_data(scale=0, days=1)


def test_backend_is_the_one_asked_for(empty_db, backend):
    assert is_mysql() == (backend == "mysql")


def test_an_older_mysql_schema_gets_exact_show_factors(empty_db, backend):
    """Before prices were exact, MySQL kept a show's factor as DECIMAL(6,3); create_schema
    widens it in place and keeps the stored values."""
    if backend != "mysql":
        pytest.skip("only MySQL ever stored the factor as DECIMAL(6,3); SQLite keeps any number")
    bmstui.create_schema()
    column = ("SELECT NUMERIC_SCALE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
              "DATABASE() AND TABLE_NAME = 'show' AND COLUMN_NAME = 'price_factor'")
    with database.connection_context():
        assert database.execute_sql(column).fetchone()[0] == 15
        database.execute_sql("ALTER TABLE `show` MODIFY `price_factor` DECIMAL(6, 3) NOT NULL")
        assert database.execute_sql(column).fetchone()[0] == 3
    bmstui.create_schema()
    with database.connection_context():
        assert database.execute_sql(column).fetchone()[0] == 15
