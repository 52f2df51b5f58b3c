"""``bmstui catalog import``: a data/-format file in, on SQLite and MariaDB: what it adds, that a
second run changes nothing, that an edit updates, that every mistake names its line, and that a
refusal or a failure half-way leaves the database as it was (one transaction)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from actor_support import ADMIN
from test_cli import run  # noqa: F401 -- the clean-environment subprocess fixture

import bmstui
from bmstui.domain.errors import NotAuthorized
from bmstui.services import catalog_import, operators, sales, scheduling, seating
from bmstui.services.catalog_import import import_catalog
from bmstui.store.catalog_source import CatalogImportError, read_catalog_file
from bmstui.store.db import database, db_now
from bmstui.store.models import AuditEvent, City, Movie, Screen, Seat, ShowSeat, Theater

DATA = Path(__file__).resolve().parents[2] / "data"
EXAMPLE = DATA / "examples" / "new-theater.toml"


def unique(prefix: str = "Town") -> str:
    return f"{prefix} {secrets.token_hex(3)}"


def one_theater(city: str, theater: str, *, address: str = "1 Main Road",
                layout: str = "classic-150", formats: str = '["2D", "3D"]',
                extra: str = "") -> str:
    """A city with one theater of one screen "Audi 1"; the screen table is on line 9."""
    return f'''[[city]]
name = "{city}"
state = "Test State"

[[city.theater]]
name = "{theater}"
address = "{address}"

[[city.theater.screen]]
name = "Audi 1"
layout = "{layout}"
formats = {formats}
{extra}'''


def example_text(city: str) -> str:
    return EXAMPLE.read_text(encoding="utf-8").replace('"Pune"', f'"{city}"')


def audit_rows(kind: str = "catalog_import") -> list[tuple]:
    with database.connection_context():
        return list(AuditEvent.select(AuditEvent.operator, AuditEvent.detail)
                    .where(AuditEvent.kind == kind).order_by(AuditEvent.id).tuples())


def problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(CatalogImportError) as caught:
        read_catalog_file(text, "f.toml")
    return [(p.line, p.message) for p in caught.value.problems]


def test_the_demo_catalog_then_the_example_on_a_new_database(empty_db):
    bmstui.create_schema()
    # Without base prices nothing could ever be sold on these screens: refused, with the line.
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(EXAMPLE, operator=ADMIN)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (17, ("screen 'Audi 1': SILVER, GOLD, PLATINUM, DIAMOND seats have no base price; "
             "add them to [seat_types]")),
        (22, ("screen 'Audi 2': GOLD, PLATINUM seats have no base price; add them to "
             "[seat_types]"))]
    assert str(caught.value).startswith(f"{EXAMPLE}:17: screen 'Audi 1'")

    chain = import_catalog(DATA / "catalog.toml", operator=ADMIN)  # it carries [seat_types]
    assert (chain.cities.added, chain.theaters.added, chain.screens.added) == (3, 6, 12)
    with database.connection_context():
        for screen in Screen.select():  # the same halls the demo seed builds
            assert Seat.select().where(Seat.screen == screen).count() == screen.capacity > 0
        assert chain.seats.added == Seat.select().count()

    report = import_catalog(EXAMPLE, operator=ADMIN)
    assert report.changes == [
        "+ city Pune (Maharashtra)",
        "+ theater Pune / Rangmahal Baner",
        "+ screen Pune / Rangmahal Baner / Audi 1 (plex-220, 220 seats, 2D 3D)",
        "+ screen Pune / Rangmahal Baner / Audi 2 (studio-36, 36 seats, 2D)"]
    assert (report.cities.added, report.theaters.added, report.screens.added,
            report.seats.added) == (1, 1, 2, 256)
    with database.connection_context():
        studio = Screen.get(Screen.layout == "studio-36")
        accessible = [s.label for s in Seat.select().where((Seat.screen == studio)
                                                           & Seat.accessible)]
        assert sorted(accessible) == ["A1", "A12"]
        assert Theater.get(Theater.name == "Rangmahal Baner").address.startswith("Westend")

    again = import_catalog(EXAMPLE, operator=ADMIN)
    assert not again.changed and again.changes == []
    assert (again.cities.unchanged, again.theaters.unchanged, again.screens.unchanged,
            again.seats.unchanged) == (1, 1, 2, 256)
    assert not import_catalog(DATA / "catalog.toml", operator=ADMIN).changed
    assert len(audit_rows()) == 2  # the two imports that changed something


def test_an_edit_updates_and_a_dry_run_writes_nothing(demo_db):
    city, theater = unique(), unique("Cinema")
    import_catalog(one_theater(city, theater), operator=ADMIN)
    edited = one_theater(city, theater, address="2 New Road", formats='["2D"]').replace(
        "Test State", "Other State")
    dry = import_catalog(edited, dry_run=True, operator=ADMIN)
    assert dry.dry_run and dry.changes == [
        f"~ city {city}: state 'Test State' -> 'Other State'",
        f"~ theater {city} / {theater}: address '1 Main Road' -> '2 New Road'",
        f"~ screen {city} / {theater} / Audi 1: formats '2D,3D' -> '2D'"]
    with database.connection_context():
        assert Theater.get(Theater.name == theater).address == "1 Main Road"

    done = import_catalog(edited, operator=ADMIN)
    assert (done.cities.updated, done.theaters.updated, done.screens.updated) == (1, 1, 1)
    assert done.seats.unchanged == 150 and done.seats.added == 0
    with database.connection_context():
        row = Theater.get(Theater.name == theater)
        assert (row.address, row.city.state) == ("2 New Road", "Other State")
        assert Screen.get(Screen.theater == row).formats == "2D"
    # Names match regardless of case; left-out optional fields are kept.
    shouted = f'[[city]]\nname = "{city.upper()}"\n[[city.theater]]\nname = "{theater}"\n'
    report = import_catalog(shouted, operator=ADMIN)
    assert report.changes == [f"~ city {city.upper()}: name {city!r} -> {city.upper()!r}"]
    with database.connection_context():
        assert City.get(City.name == city.upper()).state == "Other State"


@pytest.mark.parametrize(("text", "expected"), [
    ('[[city]]\nname = "A"\nstate = \n', [(3, "TOML syntax: Invalid value (column 9)")]),
    (one_theater("A", "T", layout="plex-999"),
     [(11, ("screen 'Audi 1': unknown layout 'plex-999' (known: classic-150, grand-320, "
           "imax-450, plex-220, recliner-80)"))]),
    (one_theater("A", "T", extra='[[city.theater.screen]]\nname = "audi 1"\n'
                 'layout = "plex-220"\n'),
     [(13, "duplicate screen 'audi 1' in theater 'T' (first on line 9)")]),
    (one_theater("A", "T", extra='[[city.theater.screen]]\nlayout = "plex-220"\n'),
     [(13, "a screen has no name (required)")]),
    (one_theater("A", "T", formats='["2D", "70MM"]'),
     [(12, "bad format '70MM' (formats are 2D, 3D, IMAX, 4DX)")]),
    (one_theater("A", "T").replace('address = "1 Main Road"', "address = 42"),
     [(7, "theater 'T''s address must be a string, not int")]),
    (one_theater("A", "T").replace("state =", "stat ="),
     [(3, "unknown key 'stat' in a city (expected name, state, theater)")]),
    ('[city]\nname = "A"\n', [(1, "city must be written as [[city]] tables, one per city")]),
    ('[seat_types]\nSILVER = 150\nGOLD = 120\nRUBY = 9\n',
     [(1, "base prices must rise SILVER < GOLD"),
      (4, "unknown seat type 'RUBY' (seat types are SILVER, GOLD, PLATINUM, DIAMOND)")]),
])
def test_every_kind_of_mistake_names_its_line(text, expected):
    assert problems(text) == expected


def test_a_mistake_in_a_layout_map_points_at_the_line_of_the_map_in_the_file():
    text = one_theater("A", "T", layout="tiny") + (
        "\n[[layout]]\n"          # line 14
        'name = "tiny"\n'
        "map = '''\n"             # line 16: the map starts on the next line
        "A  SSSS\n"
        "B  SS\tS\n"              # line 18
        "'''\n"
        "[[layout]]\n"            # line 20
        'name = "plex-220"\n'
        "map = '''A  SS'''\n"
        "[[layout]]\n"            # line 23
        'name = "one-line"\n'
        "map = '''A  SS\n"        # line 25: the map starts on this line
        "B  S?'''\n")
    assert problems(text) == [
        (18, "layout 'tiny': tab found: align with spaces (a tab has no fixed width)"),
        (21, ("layout 'plex-220' differs from the built-in layout of that name; give yours a "
             "name of its own")),
        (26, ("layout 'one-line': row B: unknown cell '?' at column 5 (seats are S G P D, "
             "accessible s g p d, gaps _ . or space)")),
    ]  # no "unknown layout 'tiny'" on top: the broken layout was reported once


def test_every_problem_is_reported_and_nothing_is_written(demo_db):
    city = unique()
    text = one_theater(city, "T", layout="nope", formats='["5D"]').replace("state", "region")
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(text, source="chain.toml", operator=ADMIN)
    assert [line.split(": ", 1)[0] for line in caught.value.lines()] == [
        "chain.toml:3", "chain.toml:11", "chain.toml:12"]
    with database.connection_context():
        assert not City.select().where(City.name == city).exists()


def test_a_failure_half_way_leaves_nothing(demo_db, monkeypatch):
    city, before = unique(), len(audit_rows())
    calls = []
    real = catalog_import.insert_seats

    def fail_on_second(screen_id, seats):
        calls.append(screen_id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(screen_id, seats)

    monkeypatch.setattr(catalog_import, "insert_seats", fail_on_second)
    with pytest.raises(RuntimeError, match="disk full"):
        import_catalog(example_text(city), operator=ADMIN)
    with database.connection_context():
        assert not City.select().where(City.name == city).exists()
        assert not Screen.select().where(Screen.id.in_(calls)).exists()
        assert not Seat.select().where(Seat.screen.in_(calls)).exists()
    assert len(audit_rows()) == before


def _show_on(screen_id: int) -> int:
    with database.connection_context():
        movie = Movie.select().order_by(Movie.id).first()
    starts = db_now().replace(microsecond=0) + timedelta(days=60, seconds=secrets.randbelow(9999))
    return scheduling.create_show(movie.id, screen_id, starts, "2D", operator=ADMIN)


def test_a_hall_is_rebuilt_while_unsold_and_refused_once_a_ticket_is_sold(demo_db):
    city, theater = unique(), unique("Cinema")
    import_catalog(one_theater(city, theater), operator=ADMIN)
    with database.connection_context():
        screen = Screen.select().join(Theater).where(Theater.name == theater).get()
    show = _show_on(screen.id)

    rebuilt = import_catalog(one_theater(city, theater, layout="recliner-80"), operator=ADMIN)
    assert rebuilt.changes == [(f"~ screen {city} / {theater} / Audi 1: layout 'classic-150' -> "
                               "'recliner-80'; seats rebuilt (150 -> 80)")]
    assert (rebuilt.seats.added, rebuilt.seats.removed) == (80, 150)
    with database.connection_context():
        assert Screen.get_by_id(screen.id).capacity == 80
        assert ShowSeat.select().where(ShowSeat.show == show).count() == 80  # its show too

    booking = sales.confirm(seating.hold(show, ["A1"]).token, method="cash")
    back = one_theater(city, theater, layout="classic-150",
                       extra=f'[[city]]\nname = "{unique()}"\n')
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(back, source="halls.toml", operator=ADMIN)
    assert caught.value.lines() == [
        (f"halls.toml:9: screen {city} / {theater} / Audi 1: its seats differ from layout "
        "'classic-150', but 1 of its shows has sold or held seats; seats under tickets cannot "
        "change (import the new hall under a new screen name)")]
    sales.cancel(booking.code, operator=ADMIN)  # a refunded ticket still names its seat: still refused
    with pytest.raises(CatalogImportError, match="sold or held seats"):
        import_catalog(back, operator=ADMIN)
    with database.connection_context():
        assert Screen.get_by_id(screen.id).layout == "recliner-80"
    # The same hall under a new screen name is fine; so are changes that keep the seats.
    assert import_catalog(back.replace("Audi 1", "Audi 2"), operator=ADMIN).screens.added == 1


def test_formats_cannot_drop_a_format_coming_shows_use(demo_db):
    city, theater = unique(), unique("Cinema")
    import_catalog(one_theater(city, theater, formats='["2D", "3D"]'), operator=ADMIN)
    with database.connection_context():
        screen = Screen.select().join(Theater).where(Theater.name == theater).get()
        movie = Movie.select().first()
    scheduling.create_show(movie.id, screen.id, db_now().replace(microsecond=0)
                           + timedelta(days=90), "3D", operator=ADMIN)
    with pytest.raises(CatalogImportError, match=r":9: .*leave out 3D, but 1 coming show is "):
        import_catalog(one_theater(city, theater, formats='["2D"]'), operator=ADMIN)
    assert import_catalog(one_theater(city, theater, formats='["3D", "2D", "IMAX"]'), operator=ADMIN).changed


def test_only_a_manager_imports_and_the_audit_row_names_them(demo_db):
    cashier = operators.add(f"c{secrets.token_hex(3)}", "a-long-password", by=ADMIN)
    manager = operators.add(f"m{secrets.token_hex(3)}", "a-long-password", role="manager", by=ADMIN)
    city = unique()
    with pytest.raises(NotAuthorized, match="Importing the catalog is a manager action"):
        import_catalog(example_text(city), operator=cashier)
    with database.connection_context():
        assert not City.select().where(City.name == city).exists()
    report = import_catalog(example_text(city), operator=manager, source="x.toml")
    operator_id, detail = audit_rows()[-1]
    assert operator_id == manager.id
    assert detail == f"x.toml: {report.summary()}"
    assert detail.startswith("x.toml: cities 1 added, 0 updated, 0 unchanged; theaters 1 added")


def test_cli_import_prints_what_it_did_and_refuses_with_file_and_line(demo_db, run,  # noqa: F811
                                                                      tmp_path):
    city = unique()
    good = tmp_path / "new.toml"
    good.write_text(example_text(city), encoding="utf-8")
    dry = run("--db", demo_db, "catalog", "import", str(good), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"+ city {city} (Maharashtra)" in dry.stdout and "Dry run" in dry.stdout
    done = run("--db", demo_db, "catalog", "import", str(good))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [f"+ city {city} (Maharashtra)",
                                            f"+ theater {city} / Rangmahal Baner"]
    assert "Screens: 2 added, 0 updated, 0 unchanged" in done.stdout
    again = run("--db", demo_db, "catalog", "import", str(good))
    assert again.returncode == 0 and "Nothing to change" in again.stdout

    bad = tmp_path / "bad.toml"
    bad.write_text(one_theater(unique(), "T", layout="plex-999", formats='["2D", "8K"]'),
                   encoding="utf-8")
    refused = run("--db", demo_db, "catalog", "import", str(bad))
    assert refused.returncode == 1
    assert "Traceback" not in refused.stdout + refused.stderr
    assert refused.stderr.splitlines() == [
        (f"{bad}:11: screen 'Audi 1': unknown layout 'plex-999' (known: classic-150, "
        "grand-320, imax-450, plex-220, recliner-80)"),
        f"{bad}:12: bad format '8K' (formats are 2D, 3D, IMAX, 4DX)",
        "bmstui: 2 problems; nothing was imported"]
