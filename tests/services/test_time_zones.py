"""Time zones: each theater's IANA zone, converted by the rules of the date converted.

The old clock applied this machine's offset of today to every date: typed in November in
London, a July show landed an hour late, and a chain with theaters in two zones could not pick
a day. Shows here are scheduled a year ahead on both sides of a clock change, so whichever
season the tests run in, one of them is across daylight saving from today. Decisions (the
cancellation cutoff) still use the database clock; only what people see and type converts.
Chains come from catalog files (the ``timezone`` key), each test on its own empty database.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from actor_support import ADMIN
from test_cli import run  # noqa: F401 -- the clean-environment subprocess fixture

import bmstui
from bmstui.config import load_settings
from bmstui.domain import clock
from bmstui.domain.errors import CancellationClosed, ConfigError
from bmstui.services import (
    cancellations,
    catalog,
    movies,
    reports,
    sales,
    scheduling,
    seating,
    zones,
)
from bmstui.services.catalog_import import import_catalog
from bmstui.store.catalog_source import CatalogImportError, read_catalog_file
from bmstui.store.db import database, db_now
from bmstui.store.models import City, Payment, Screen, Show, Theater

LONDON, NEW_YORK, KOLKATA = "Europe/London", "America/New_York", "Asia/Kolkata"
UTC_PLUS_14, UTC_MINUS_11 = "Pacific/Kiritimati", "Pacific/Pago_Pago"  # always a day apart


def admin():
    """The explicit administrator a script acts as."""
    return ADMIN


def clock_change(zone: str, year: int, month: int) -> date:
    """The day of ``month`` on which ``zone`` changes its clocks."""
    tz = ZoneInfo(zone)
    day = date(year, month, 1)
    while day.month == month:
        today = datetime.combine(day, datetime.min.time(), tz).utcoffset()
        tomorrow = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz).utcoffset()
        if today != tomorrow:
            return day
        day += timedelta(days=1)
    raise AssertionError(f"{zone} changes no clock in {year}-{month:02d}")


def next_year() -> int:
    return db_now().year + 1


def chain_file(places: list[tuple[str, str, str | None]], prices: bool = True) -> str:
    """A catalog file: (city, theater, timezone or None) each with one classic-150 screen."""
    text = "[seat_types]\nSILVER = 150\nGOLD = 220\nPLATINUM = 320\nDIAMOND = 480\n" \
        if prices else ""
    for city, theater, zone in places:
        text += (f'\n[[city]]\nname = "{city}"\n\n[[city.theater]]\nname = "{theater}"\n'
                 + (f'timezone = "{zone}"\n' if zone is not None else "")
                 + '\n[[city.theater.screen]]\nname = "Audi 1"\nlayout = "classic-150"\n')
    return text


def make_chain(places: list[tuple[str, str, str | None]]) -> dict[str, int]:
    """Import the places into the schema-less empty database; theater name -> its screen id."""
    bmstui.create_schema()
    import_catalog(chain_file(places), operator=admin(), source="chain.toml")
    with database.connection_context():
        return {name: sid for name, sid in
                Screen.select(Theater.name, Screen.id).join(Theater).tuples()}


def new_movie(duration: int = 60) -> int:
    return movies.add_movie(title=f"Zone film {secrets.token_hex(3)}", language="English",
                            genre="Drama", certificate="UA", duration=duration, by=admin()).id


def at(screen: int, movie: int, local: datetime) -> int:
    """A show at wall time ``local`` of the screen's theater."""
    return scheduling.create_show(movie, screen, scheduling.local_start(screen, local),
                                  operator=admin())


def stored(show_id: int) -> datetime:
    with database.connection_context():
        return Show.get_by_id(show_id).starts_at


# --- the clock alone ------------------------------------------------------------------------

def test_a_wall_time_converts_by_the_rules_of_its_own_date():
    year = date.today().year + 1
    assert clock.to_utc(datetime(year, 7, 1, 18), LONDON) == datetime(year, 7, 1, 17)
    assert clock.to_utc(datetime(year, 1, 15, 18), LONDON) == datetime(year, 1, 15, 18)
    assert clock.to_utc(datetime(year, 7, 1, 18), ZoneInfo(LONDON)) == datetime(year, 7, 1, 17)
    assert clock.to_local(datetime(year, 7, 1, 17), LONDON) == datetime(year, 7, 1, 18)
    assert clock.to_local(datetime(year, 1, 15, 18), LONDON) == datetime(year, 1, 15, 18)
    assert clock.to_utc(datetime(year, 7, 1, 18), KOLKATA) == datetime(year, 7, 1, 12, 30)


def test_the_skipped_and_the_repeated_hour_read_with_the_offset_before_the_change():
    year = date.today().year + 1
    spring, autumn = clock_change(LONDON, year, 3), clock_change(LONDON, year, 10)
    # 01:30 does not exist in spring: read as GMT (01:30 UTC), i.e. 02:30 BST.
    skipped = clock.to_utc(datetime.combine(spring, datetime.min.time()).replace(hour=1,
                                                                                  minute=30),
                           LONDON)
    assert skipped == datetime.combine(spring, datetime.min.time()).replace(hour=1, minute=30)
    # 01:30 happens twice in autumn: the first one, still BST (00:30 UTC).
    repeated = clock.to_utc(datetime.combine(autumn, datetime.min.time()).replace(hour=1,
                                                                                   minute=30),
                            LONDON)
    assert repeated == datetime.combine(autumn, datetime.min.time()).replace(minute=30)
    for day, hours in ((spring, 23), (autumn, 25), (spring + timedelta(days=1), 24)):
        start, end = clock.utc_range_of_local_day(day, LONDON)
        assert end - start == timedelta(hours=hours)


def test_the_chain_zone_is_configured_checked_and_defaults_to_the_machines(tmp_path):
    def load(env=None, toml=None):
        config = None
        if toml is not None:
            config = tmp_path / "bmstui.toml"
            config.write_text(toml, encoding="utf-8")
        return load_settings(config=config, environ=env or {}, dotenv_path=None)

    assert load({"BMSTUI_TIMEZONE": " America/New_York "}).timezone == NEW_YORK
    assert load(toml='[cinema]\ntimezone = "Asia/Kolkata"\n').timezone == KOLKATA
    with pytest.raises(ConfigError, match=r"cinema.timezone: unknown time zone 'Mars/Olympus'"):
        load({"BMSTUI_TIMEZONE": "Mars/Olympus"})
    with pytest.raises(ConfigError, match="unknown time zone 'Europe/Londn'"):
        load(toml='[cinema]\ntimezone = "Europe/Londn"\n')
    with pytest.raises(ConfigError, match="unknown time zone '../../etc/passwd'"):
        load({"BMSTUI_TIMEZONE": "../../etc/passwd"})
    assert load().timezone == ""  # unset: the machine's, looked up when needed
    assert clock.machine_zone_name({"TZ": ":Europe/London"}) == LONDON
    assert clock.machine_zone_name({"TZ": "America/New_York"}) == NEW_YORK
    clock.check_zone(clock.machine_zone_name({"TZ": "no such zone"}))  # falls back, valid


def test_a_catalog_files_timezone_is_checked_with_its_line():
    text = chain_file([("Pune", "Bad zone", "Asia/Kolkatta"), ("Goa", "Number zone", None)])
    text = text.replace('name = "Number zone"\n', 'name = "Number zone"\ntimezone = 5\n')
    with pytest.raises(CatalogImportError) as caught:
        read_catalog_file(text, "chain.toml")
    lines = text.splitlines()
    bad = lines.index('timezone = "Asia/Kolkatta"') + 1
    number = lines.index("timezone = 5") + 1
    assert caught.value.lines() == [
        (f"chain.toml:{bad}: theater 'Bad zone': unknown time zone 'Asia/Kolkatta' (use an "
         "IANA name such as Asia/Kolkata, Europe/London or America/New_York)"),
        f"chain.toml:{number}: theater 'Number zone''s timezone must be a string, not int"]


def test_the_demo_chain_is_in_india(demo_db):
    import tomllib

    from bmstui.paths import data_dir

    catalog = tomllib.loads((data_dir() / "catalog.toml").read_text(encoding="utf-8"))
    names = {t["name"] for city in catalog["city"] for t in city["theater"]}
    with database.connection_context():  # other tests add theaters of their own here
        zones = {t.name: t.timezone for t in Theater.select().where(Theater.name.in_(names))}
    assert len(zones) == len(names) and set(zones.values()) == {KOLKATA}


# --- scheduling: the service and the command line -------------------------------------------

def test_a_july_show_typed_in_november_in_london_starts_at_17_utc(empty_db, settings):
    settings(timezone=LONDON)  # the chain default, for the theater that names no zone
    screens = make_chain([("London", "Strand", LONDON), ("Leeds", "Briggate", None)])
    movie, year = new_movie(), next_year()
    july = at(screens["Strand"], movie, datetime(year, 7, 1, 18))
    january = at(screens["Strand"], movie, datetime(year, 1, 15, 18))
    default = at(screens["Briggate"], movie, datetime(year, 7, 1, 18))
    aware = scheduling.create_show(movie, screens["Briggate"],
                                   datetime(year, 7, 2, 18, tzinfo=ZoneInfo(LONDON)),
                                   operator=admin())
    assert stored(july) == datetime(year, 7, 1, 17)
    assert stored(january) == datetime(year, 1, 15, 18)
    assert stored(default) == datetime(year, 7, 1, 17)
    assert stored(aware) == datetime(year, 7, 2, 17)
    shown = catalog.show(july)
    assert (shown.timezone, shown.local_start) == (LONDON, datetime(year, 7, 1, 18))
    assert catalog.show(default).timezone == LONDON

    # The theater moves (a catalog fix): UTC is kept, the wall time follows the new zone.
    import_catalog(chain_file([("London", "Strand", KOLKATA)], prices=False), operator=admin())
    assert stored(july) == datetime(year, 7, 1, 17)
    assert catalog.show(july).local_start == datetime(year, 7, 1, 22, 30)


def test_show_add_on_the_command_line_types_the_theaters_wall_clock(empty_db, run):  # noqa: F811
    screens = make_chain([("London", "Strand", LONDON), ("Leeds", "Briggate", None)])
    movie, year = new_movie(), next_year()

    def add(hall: str, day: int, **env) -> int:
        done = run("--db", empty_db, "show", "add", "--movie", str(movie), "--screen", hall,
                   "--at", f"{year}-07-{day:02d} 18:00", extra_env=env)
        assert done.returncode == 0, done.stderr
        assert f"at {datetime(year, 7, day):%a} {day:02d} Jul 18:00" in done.stdout, done.stdout
        return int(done.stdout.split()[2])

    by_theater = add("Strand/Audi 1", 1, TZ=KOLKATA)  # the theater's zone, whatever TZ says
    by_tz = add(str(screens["Briggate"]), 1, TZ=LONDON)  # no zone anywhere: the machine's
    by_config = add("Briggate/Audi 1", 2, TZ=KOLKATA, BMSTUI_TIMEZONE=LONDON)
    by_machine = add("Briggate/Audi 1", 3, TZ=KOLKATA)
    assert stored(by_theater) == datetime(year, 7, 1, 17)
    assert stored(by_tz) == datetime(year, 7, 1, 17)
    assert stored(by_config) == datetime(year, 7, 2, 17)
    assert stored(by_machine) == datetime(year, 7, 3, 12, 30)

    listed = run("--db", empty_db, "show", "list", "--date", f"{year}-07-01",
                 extra_env={"TZ": "UTC"})
    assert listed.returncode == 0, listed.stderr
    rows = {line.split("│")[1].strip(): line for line in listed.stdout.splitlines()
            if line.count("│") > 5}
    assert "Strand" in rows[str(by_theater)] and "Thu 01 Jul 18:00" in rows[str(by_theater)]
    assert "Thu 01 Jul 17:00" in rows[str(by_tz)]  # no zone anywhere, and TZ=UTC now
    doctor = run("--db", empty_db, "doctor", extra_env={"BMSTUI_TIMEZONE": NEW_YORK})
    assert "America/New_York (chain default, from cinema.timezone)" in doctor.stdout
    assert "London / Strand: Europe/London" in doctor.stdout
    assert "Leeds / Briggate: America/New_York (chain default)" in doctor.stdout


# --- one chain, two zones -------------------------------------------------------------------

TWO_ZONES = [("New York", "Times Square", NEW_YORK), ("Kolkata", "Park Street", KOLKATA)]


def test_a_day_is_each_theaters_own_day(empty_db):
    screens = make_chain(TWO_ZONES)
    ny, kol = screens["Times Square"], screens["Park Street"]
    day = clock_change(NEW_YORK, next_year(), 3)  # the night New York's clocks go forward
    film, late_film = new_movie(), new_movie()

    def on(hour: int, minute: int = 0, days: int = 0) -> datetime:
        return datetime.combine(day + timedelta(days=days), datetime.min.time()).replace(
            hour=hour, minute=minute)

    wanted = {at(ny, film, on(0, 30)), at(ny, film, on(23, 30)),  # EST, then EDT
              at(kol, film, on(0, 30)), at(kol, film, on(23, 30))}
    kol_next = at(kol, film, on(1, days=1))  # 19:30 UTC: UTC's day, not Kolkata's
    ny_eve = at(ny, late_film, on(23, days=-1))  # 04:00 UTC of the day: not New York's day
    assert stored(kol_next).date() == day and stored(ny_eve).date() == day

    found = catalog.shows(movie_id=film, day=day)
    assert {s.id for s in found} == wanted
    assert all(s.local_start.date() == day for s in found)
    assert {s.local_start.hour for s in found} == {0, 23}
    with database.connection_context():
        ny_city = City.get(City.name == "New York").id
    assert {s.id for s in catalog.shows(city_id=ny_city, day=day)} == {
        s.id for s in found if s.theater == "Times Square"}
    assert [s.id for s in catalog.shows(movie_id=late_film, day=day - timedelta(days=1))] == [
        ny_eve]
    assert late_film not in {m.id for m in catalog.movies(day=day)}
    assert late_film in {m.id for m in catalog.movies(day=day - timedelta(days=1))}
    assert {s.id for s in scheduling.schedule_of_day(day)} == wanted

    shows = reports.show_occupancy(day_from=day, day_to=day, by=admin())
    assert {s.show_id for s in shows} == wanted
    assert {(s.theater, s.starts_at.hour, s.day) for s in shows} == {
        ("Times Square", 0, day), ("Times Square", 23, day), ("Park Street", 0, day),
        ("Park Street", 23, day)}
    assert {(o.theater, o.day, o.shows) for o in reports.occupancy(
        day_from=day, day_to=day, by=admin())} == {("Times Square", day, 2),
                                                   ("Park Street", day, 2)}


def test_shift_and_sales_days_are_the_days_at_each_theater(empty_db, settings):
    counter = f"zones-{secrets.token_hex(3)}"
    settings(terminal=counter)
    places = [*TWO_ZONES, ("Line Islands", "Kiritimati", UTC_PLUS_14),
              ("Tutuila", "Pago Pago", UTC_MINUS_11)]
    screens = make_chain(places)
    movie = new_movie()
    sold: dict[str, tuple[date, object]] = {}
    for _, theater, zone in places:
        show = at(screens[theater], movie, datetime(next_year(), 6, 1, 18))
        booking = sales.confirm(seating.hold(show, ["A1"]).token, method="cash")
        with database.connection_context():
            paid_at = Payment.get(Payment.booking == booking.id).created_at
        sold[theater] = (clock.to_local(paid_at, zone).date(), booking.total)
    days = {day for day, _ in sold.values()}
    assert sold["Kiritimati"][0] != sold["Pago Pago"][0]  # so some day differs from UTC's
    for day in days:
        expected = sum(total for d, total in sold.values() if d == day)
        [line] = reports.shift(day_from=day, terminal=counter, by=admin())
        assert (line.bookings, line.gross) == (
            sum(1 for d, _ in sold.values() if d == day), expected)
        [line] = reports.sales(day_from=day, day_to=day, terminal=counter, by=admin())
        assert (line.key, line.net) == (day.isoformat(), expected)
    outside = min(days) - timedelta(days=1)
    assert reports.shift(day_from=outside, terminal=counter, by=admin()) == []


def test_the_cutoff_is_judged_by_the_database_and_told_on_the_theaters_clock(empty_db):
    screens = make_chain(TWO_ZONES)
    ny, movie = screens["Times Square"], new_movie()
    day = clock_change(NEW_YORK, next_year(), 3)
    midnight = datetime.combine(day, datetime.min.time())
    # 02:30 does not exist that night: read as EST, so 07:30 UTC (03:30 EDT).
    skipped = at(ny, movie, midnight.replace(hour=2, minute=30))
    assert stored(skipped) == midnight.replace(hour=7, minute=30)
    scheduling.delete_show(skipped, operator=admin())

    show = at(ny, movie, midnight.replace(hour=3, minute=30))  # EDT: 07:30 UTC
    booking = sales.confirm(seating.hold(show, ["A1"]).token, method="cash")
    quote = cancellations.refund_quote(booking.code)
    assert quote.allowed and quote.percent == 100
    # 60 minutes before 03:30 EDT is 01:30 EST: the other side of the change.
    assert quote.why.endswith(f"cancellations close at {midnight:%a %d %b} 01:30"), quote.why

    soon = scheduling.create_show(movie, ny, db_now().replace(microsecond=0)
                                  + timedelta(minutes=30), operator=admin())
    late = sales.confirm(seating.hold(soon, ["A1"]).token, method="cash")
    closes = clock.to_local(stored(soon) - timedelta(minutes=60), NEW_YORK)
    with pytest.raises(CancellationClosed) as closed:
        cancellations.cancel(late.code, operator=admin())
    assert "Cancellation closed: the show starts in " in str(closed.value)
    assert f"(closed since {closes:%H:%M}" in str(closed.value) or \
        f"(closed since {closes:%a %d %b %H:%M}" in str(closed.value)
    assert zones.of_show(soon) == NEW_YORK


# --- the manager's desk ---------------------------------------------------------------------

async def test_the_desks_schedule_types_and_shows_each_theaters_wall_clock(empty_db, tmp_path):
    from textual.widgets import DataTable, Input, Select

    from bmstui.services import operators
    from screens.desk.schedule import NewShowForm, SchedulePane
    from test_ui_manager import open_desk
    from tests.ui_support import make_app, noticed, wait_for, wait_for_screen

    screens = make_chain(TWO_ZONES)
    ny, kol, movie = screens["Times Square"], screens["Park Street"], new_movie()
    day = clock_change(NEW_YORK, next_year(), 3)
    midnight = datetime.combine(day, datetime.min.time())
    late = at(ny, movie, midnight.replace(hour=23, minute=30))  # 03:30 UTC the next day
    early = at(kol, movie, midnight.replace(minute=30))  # 19:00 UTC the day before
    manager = operators.add(f"man{secrets.token_hex(3)}", "desk-pass-123", role="manager", by=ADMIN)
    app = make_app(tmp_path, operator=manager)
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot, "schedule")
        pane = desk.query_one(SchedulePane)
        pane.day = day
        pane.load()
        table = pane.query_one("#schedule-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, what="the day's two shows")
        assert table.get_row(str(late))[3:5] == ["23:30", "00:30"]
        assert table.get_row(str(early))[3:5] == ["00:30", "01:30"]

        table.focus()
        await pilot.press("n")
        form = await wait_for_screen(pilot, NewShowForm)
        form.query_one("#show-movie", Select).value = movie
        form.query_one("#show-hall", Select).value = ny
        form.query_one("#show-day", Input).value = day.isoformat()
        form.query_one("#show-time", Input).value = "18:00"  # EDT since 02:00 that night
        await pilot.press("f10")
        await wait_for(pilot, lambda: noticed(app, "scheduled; its seats are on sale"))
        await wait_for(pilot, lambda: table.row_count == 3, what="the new show listed")
    with database.connection_context():
        made = Show.select().where(Show.id.not_in([late, early])).get()
    assert made.starts_at == midnight.replace(hour=22)


def test_the_chains_today_is_its_theaters_zone_unless_configured(empty_db, settings):
    """A server on UTC must not name the wrong day "today" for a chain whose theaters are all
    in India (between 18:30 and 24:00 UTC, India's today is UTC's tomorrow)."""
    from bmstui.services import zones

    bmstui.create_schema()
    bmstui.load_demo_data(days=1)
    zones._chain_cache.clear()
    settings(timezone="")
    assert zones.chain_zone() == "Asia/Kolkata"  # every demo theater is there
    assert zones.today() == datetime.now(ZoneInfo("Asia/Kolkata")).date()
    settings(timezone="America/New_York")
    assert zones.chain_zone() == "America/New_York"
    assert zones.today() == datetime.now(ZoneInfo("America/New_York")).date()
