"""The look-ups the screens and the command line make through the services instead of the tables
(the schedule's halls, a theater, screen or movie by name, the doctor's counts and zones), on
SQLite and MariaDB, and how the services tell a database fault from a refusal."""

from __future__ import annotations

import peewee as pw
import pytest
from actor_support import ADMIN

import bmstui
from bmstui.domain.errors import BookingError, ConnectionLost, DatabaseUnavailable
from bmstui.services import catalog, movies, zones
from bmstui.services.faults import DATABASE_FAULTS, is_database_fault
from bmstui.store.db import database
from bmstui.store.models import City, Movie, Screen, Show, ShowSeat, Theater

GARBAGE = ["", " ", "nobody\x00here", "\udcff", "x' OR '1'='1", "%", "_", 42, None]


def test_screens_are_every_hall_by_theater_then_name_with_its_formats(demo_db):
    with database.connection_context():
        expected = list(Screen.select(Screen.id, Screen.name, Theater.name, Screen.formats)
                        .join(Theater).order_by(Theater.name, Screen.name).tuples())
    found = catalog.screens()
    assert [(s.id, s.name, s.theater, s.formats) for s in found] == expected
    assert len(found) >= 6 and all(s.formats.split(",")[0] for s in found)


def test_a_theater_and_a_screen_are_found_by_their_exact_names(demo_db):
    with database.connection_context():
        rows = list(Screen.select(Screen.id, Screen.name, Theater.id, Theater.name)
                    .join(Theater).order_by(Screen.id).tuples())
    oldest: dict[str, int] = {}  # other tests may add a theater of the same name elsewhere
    for _, _, theater_id, theater in rows:
        oldest[theater] = min(theater_id, oldest.get(theater, theater_id))
    for screen_id, screen, theater_id, theater in rows:
        assert catalog.theater_id_named(theater) == oldest[theater]
        if theater_id == oldest[theater]:
            assert catalog.screen_id_named(theater, screen) == screen_id
    # A screen name repeats across theaters: the theater decides which one.
    screen_id, screen, _, theater = rows[0]
    elsewhere = [(sid, t) for sid, s, _, t in rows if s == screen and t != theater]
    assert elsewhere, "the demo chain has an Audi 1 in more than one theater"
    assert catalog.screen_id_named(elsewhere[0][1], screen) == elsewhere[0][0] != screen_id
    assert catalog.screen_id_named(theater, "No such hall") is None
    assert catalog.screen_id_named("No such theater", screen) is None
    for garbage in GARBAGE:  # not found, never a driver error
        assert catalog.theater_id_named(garbage) is None
        assert catalog.screen_id_named(garbage, garbage) is None


def test_movies_are_found_by_exact_title_on_the_bill_or_not(demo_db):
    bill = movies.movies(include_inactive=False)
    assert bill and all(m.active for m in bill)
    for movie in bill:
        with database.connection_context():
            expected = [m for (m,) in Movie.select(Movie.id).where(Movie.title == movie.title)
                        .order_by(Movie.id).tuples()]
        assert catalog.movie_ids_titled(movie.title) == expected
        assert movie.id in expected
    assert catalog.movie_ids_titled("No such film ever made") == []
    for garbage in GARBAGE:
        assert catalog.movie_ids_titled(garbage) == []


def test_a_movie_off_the_bill_is_still_found_by_title(empty_db):
    bmstui.create_schema()
    made = movies.add_movie(title="Lookup film", language="Tamil", genre="Drama",
                            certificate="U", duration=100, by=ADMIN)
    again = movies.add_movie(title="Lookup film", language="Telugu", genre="Drama",
                             certificate="U", duration=100, by=ADMIN)
    movies.update_movie(again.id, active=False, by=ADMIN)
    assert catalog.movie_ids_titled("Lookup film") == [made.id, again.id]
    assert [m.id for m in movies.movies(include_inactive=False)] == [made.id]


def test_show_totals_count_every_show_and_show_seat(demo_db):
    with database.connection_context():
        expected = (Show.select().count(), ShowSeat.select().count())
    assert catalog.show_totals() == expected
    assert expected[0] > 0 and expected[1] > expected[0]


def test_the_stored_zones_come_unresolved_so_an_unknown_one_can_be_reported(empty_db):
    bmstui.create_schema()
    assert zones.stored_by_theater() == []
    with database.connection_context():
        pune = City.create(name="Pune", state="Maharashtra")
        agra = City.create(name="Agra", state="Uttar Pradesh")
        Theater.create(name="Zeta", address="1 Road", city=pune, timezone="")
        Theater.create(name="Alpha", address="2 Road", city=pune, timezone="Asia/Kolkata")
        Theater.create(name="Omega", address="3 Road", city=agra, timezone="Mars/Olympus")
    assert zones.stored_by_theater() == [("Agra", "Omega", "Mars/Olympus"),
                                         ("Pune", "Alpha", "Asia/Kolkata"),
                                         ("Pune", "Zeta", "")]
    with pytest.raises(BookingError, match="Omega"):  # what doctor catches and reports
        zones.resolve("Mars/Olympus", "Omega")


def test_a_database_fault_is_the_drivers_connection_errors_only():
    assert set(DATABASE_FAULTS) == {pw.OperationalError, pw.InterfaceError}
    for fault in (pw.OperationalError("gone away"), pw.OperationalError(2013, "Lost connection"),
                  pw.InterfaceError("closed"), pw.InterfaceError(0, "")):
        assert is_database_fault(fault)
    # Said in their own words (the services' sentences), or a bug: not a driver fault.
    for other in (BookingError("no"), ConnectionLost(), DatabaseUnavailable("sqlite:///x", "why"),
                  ValueError("bug"), pw.IntegrityError("dup"), KeyboardInterrupt()):
        assert not is_database_fault(other)


def test_a_real_fault_of_the_bound_database_is_recognised(tmp_path):
    gone = pw.SqliteDatabase(str(tmp_path / "no" / "such" / "folder" / "x.db"))
    with pytest.raises(DATABASE_FAULTS) as raised:
        gone.connect()
    assert is_database_fault(raised.value)
