"""Browsing: cities, theaters, the movies playing, and their upcoming shows.

Results are plain frozen dataclasses, not peewee rows: they cross threads into the UI and never
lazy-load from the database behind anyone's back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import peewee as pw

from bmstui.domain.clock import to_local
from bmstui.domain.errors import ShowNotFound
from bmstui.domain.ids import parse_id, parse_optional_day, parse_optional_id
from bmstui.domain.text import clean_text
from bmstui.domain.vocabulary import ShowStatus
from bmstui.services import zones
from bmstui.store.db import database, now_sql
from bmstui.store.models import City, Movie, Screen, Show, ShowSeat, Theater
from bmstui.store.seat_sql import free_seat_condition  # noqa: F401  (importable here too)


@dataclass(frozen=True)
class CityInfo:
    id: int
    name: str
    state: str


@dataclass(frozen=True)
class TheaterInfo:
    id: int
    name: str
    address: str
    city_id: int
    city: str
    timezone: str = ""  # IANA name its shows are typed and shown in


@dataclass(frozen=True)
class ScreenInfo:
    id: int
    name: str
    theater: str
    formats: str  # what it can show, comma-separated: "2D,3D"


@dataclass(frozen=True)
class MovieInfo:
    id: int
    title: str
    language: str
    genre: str
    certificate: str
    duration: int  # minutes
    rating: Decimal | None  # out of 10
    synopsis: str
    active: bool = True  # on the bill (the manager's movie list also shows those that are not)

    @property
    def name(self) -> str:
        return self.title


@dataclass(frozen=True)
class ShowInfo:
    id: int
    movie_id: int
    title: str
    language: str
    certificate: str
    theater_id: int
    theater: str
    city_id: int
    screen_id: int
    screen: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    format: str
    capacity: int
    seats_left: int
    timezone: str = ""  # the theater's IANA zone ("" = the chain default)

    @property
    def name(self) -> str:
        return f"{self.title} · {self.theater} {self.screen} · {self.local_start:%a %d %b %H:%M}"

    @property
    def local_start(self) -> datetime:
        """The start on the theater's wall clock, by that date's rules."""
        return to_local(self.starts_at, self.timezone)


def cities() -> list[CityInfo]:
    with database.connection_context():
        return [CityInfo(c.id, c.name, c.state) for c in City.select().order_by(City.name)]


def theaters(city_id: int | None = None) -> list[TheaterInfo]:
    city_id = parse_optional_id(city_id, "city")
    query = Theater.select(Theater, City).join(City).order_by(City.name, Theater.name)
    if city_id is not None:
        query = query.where(Theater.city == city_id)
    with database.connection_context():
        return [TheaterInfo(t.id, t.name, t.address, t.city.id, t.city.name,
                            zones.resolve(t.timezone, t.name)) for t in query]


def screens() -> list[ScreenInfo]:
    """Every screen of the chain, by theater then screen name: where a show can be scheduled
    (its formats say what it can show)."""
    query = (Screen.select(Screen.id, Screen.name, Theater.name, Screen.formats).join(Theater)
             .order_by(Theater.name, Screen.name))
    with database.connection_context():
        return [ScreenInfo(*row) for row in query.tuples()]


def theater_id_named(name: str) -> int | None:
    """The id of the theater called exactly ``name`` (the command line names theaters rather
    than numbering them), or None; two theaters of one name (in two cities): the older one."""
    query = (Theater.select(Theater.id).where(Theater.name == clean_text(name))
             .order_by(Theater.id))
    with database.connection_context():
        return query.scalar()


def screen_id_named(theater: str, name: str) -> int | None:
    """The id of the screen called ``name`` in the theater called ``theater`` (both exact), or
    None: screen names ("Audi 1") repeat from one theater to the next."""
    query = (Screen.select(Screen.id).join(Theater)
             .where((Theater.name == clean_text(theater)) & (Screen.name == clean_text(name)))
             .order_by(Theater.id, Screen.id))
    with database.connection_context():
        return query.scalar()


def movie_ids_titled(title: str) -> list[int]:
    """The ids of every movie titled exactly ``title``, on the bill or not: a title may be shown
    in several languages, so the caller decides what more than one means."""
    query = Movie.select(Movie.id).where(Movie.title == clean_text(title)).order_by(Movie.id)
    with database.connection_context():
        return [movie_id for (movie_id,) in query.tuples()]


def show_totals() -> tuple[int, int]:
    """(shows, show seats) stored, past and cancelled ones included: a health check's sign that
    a catalog is loaded."""
    with database.connection_context():
        return Show.select().count(), ShowSeat.select().count()


def _upcoming_shows(*, movie_id=None, city_id=None, theater_id=None, day: date | None = None):
    query = (
        Show.select()
        .join(Screen)
        .join(Theater)
        .where((Show.status == ShowStatus.SCHEDULED) & (Show.starts_at > now_sql()))
    )
    if movie_id is not None:
        query = query.where(Show.movie == movie_id)
    if city_id is not None:
        query = query.where(Theater.city == city_id)
    if theater_id is not None:
        query = query.where(Theater.id == theater_id)
    if day is not None:
        # The day of each theater's own zone: one chain may span several.
        query = query.where(zones.local_days(Show.starts_at, day))
    return query


def movies(
    city_id: int | None = None,
    *,
    query: str | None = None,
    language: str | None = None,
    genre: str | None = None,
    certificate: str | None = None,
    theater_id: int | None = None,
    day: date | None = None,
) -> list[MovieInfo]:
    """Movies with at least one upcoming show matching the filters, by title."""
    city_id = parse_optional_id(city_id, "city")
    theater_id = parse_optional_id(theater_id, "theater")
    day = parse_optional_day(day)
    playing = _upcoming_shows(city_id=city_id, theater_id=theater_id, day=day).select(Show.movie)
    rows = Movie.select().where(Movie.active & Movie.id.in_(playing)).order_by(Movie.title)
    if query:  # matched literally: peewee escapes % and _ in contains()
        rows = rows.where(Movie.title.contains(clean_text(query).strip()))
    for field, value in ((Movie.language, language), (Movie.genre, genre),
                         (Movie.certificate, certificate)):
        if value:
            rows = rows.where(field == clean_text(value))
    with database.connection_context():
        return [
            MovieInfo(m.id, m.title, m.language, m.genre, m.certificate, m.duration, m.rating,
                      m.synopsis, bool(m.active))
            for m in rows
        ]


def show(show_id: int, *, count_free: bool = True) -> ShowInfo:
    """One show by id, whether or not it is still on sale (tickets of past shows need it).
    ``count_free=False``: ``seats_left`` is left 0, for a caller that counts from a seat map it
    reads anyway (one statement over every seat of the show saved)."""
    found = _show_infos(Show.select().where(Show.id == parse_id(show_id, "show")).join(Screen)
                        .join(Theater), count_free=count_free)
    if not found:
        raise ShowNotFound(show_id)
    return found[0]


def shows(
    *,
    movie_id: int | None = None,
    city_id: int | None = None,
    theater_id: int | None = None,
    day: date | None = None,
) -> list[ShowInfo]:
    """Upcoming shows by start time, each with the number of seats still free."""
    movie_id = parse_optional_id(movie_id, "movie")
    city_id = parse_optional_id(city_id, "city")
    theater_id = parse_optional_id(theater_id, "theater")
    day = parse_optional_day(day)
    return _show_infos(
        _upcoming_shows(movie_id=movie_id, city_id=city_id, theater_id=theater_id, day=day)
    )


def _show_infos(query, *, count_free: bool = True) -> list[ShowInfo]:
    query = (
        query.select(Show, Movie, Screen, Theater)
        .switch(Show)
        .join(Movie)
        .order_by(Show.starts_at, Theater.name, Screen.name)
    )
    with database.connection_context():
        found = list(query)
        left = dict(
            ShowSeat.select(ShowSeat.show, pw.fn.COUNT(ShowSeat.id))
            .where(ShowSeat.show.in_([s.id for s in found]) & free_seat_condition())
            .group_by(ShowSeat.show)
            .tuples()
        ) if found and count_free else {}
    return [
        ShowInfo(
            id=s.id, movie_id=s.movie.id, title=s.movie.title, language=s.movie.language,
            certificate=s.movie.certificate, theater_id=s.screen.theater.id,
            theater=s.screen.theater.name, city_id=s.screen.theater.city_id,
            screen_id=s.screen.id, screen=s.screen.name, starts_at=s.starts_at,
            ends_at=s.ends_at, format=s.format, capacity=s.screen.capacity,
            seats_left=left.get(s.id, 0),
            timezone=zones.resolve(s.screen.theater.timezone, s.screen.theater.name),
        )
        for s in found
    ]
