"""A seat is the seat it names: ids that counters cache are never reused, and an older
database is migrated to that in place. Both backends where a database is involved."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import timedelta

import pytest
from actor_support import ADMIN
from conftest import make_show

import bmstui
from bmstui.domain.errors import DatabaseUnavailable
from bmstui.services import scheduling, seating
from bmstui.store.db import database
from bmstui.store.migrations import pending, upgrade
from bmstui.store.models import Movie, Screen, Show


def test_a_counter_that_cached_a_deleted_show_never_holds_another_seat(backend, backends):
    """Counter 1 holds and releases A2 of the newest show (its seat map is now cached); a
    manager deletes that show and schedules another at the same time on a bigger screen;
    counter 1's next holds are refused or take exactly the seat they name."""
    url = backends.new_url(backend)
    bmstui.open_database(url)
    bmstui.create_schema()
    bmstui.load_demo_data(days=1)
    old = make_show(starts_in=timedelta(days=40), layout="classic-150")
    with database.connection_context():
        starts = Show.get_by_id(old).starts_at
        movie = Show.get_by_id(old).movie_id
        bigger = Screen.select().where(Screen.layout == "imax-450").order_by(Screen.id).first()
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    counter = ctx.Process(target=_counter, args=(url, theirs), daemon=True)
    counter.start()
    try:
        ours.send(("hold", old, ["A2"]))
        assert ours.recv() == ("held", ["A2"], ["A2"])
        scheduling.delete_show(old, operator=ADMIN)
        new = scheduling.create_show(movie, bigger.id, starts, "2D", operator=ADMIN)
        assert new != old  # an id once given is never given again
        for show, labels in ((old, ["A2"]), (new, ["A2"]), (new, ["C13", "A2"]), (old, ["B5"])):
            ours.send(("hold", show, labels))
            answer = ours.recv()
            if answer[0] == "held":
                assert answer[1] == answer[2] == sorted(labels), (show, answer)
            else:
                assert answer[0] in ("ShowNotFound", "InvalidSeats", "BookingClosed"), answer
                assert show == old
        ours.send(("stop",))
        counter.join(30)
    finally:
        if counter.is_alive():
            counter.kill()
    assert seating.seat_map(new)  # the new show sells normally here too


def _counter(url, conn):
    from workers import counter_on_orders

    counter_on_orders(url, conn)


def _strip_autoincrement(path: str, table: str) -> None:
    """Make ``table`` look as an earlier version created it: plain INTEGER PRIMARY KEY."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = OFF")
    create = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    indexes = [sql for (sql,) in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        [table])]
    db.execute(create.replace(f'"{table}"', f'"{table}_old"', 1).replace(" AUTOINCREMENT", ""))
    db.execute(f'INSERT INTO "{table}_old" SELECT * FROM "{table}"')
    db.execute(f'DROP TABLE "{table}"')
    db.execute(f'ALTER TABLE "{table}_old" RENAME TO "{table}"')
    for sql in indexes:
        db.execute(sql)
    db.execute("ALTER TABLE audit_event DROP COLUMN actor")
    db.commit()
    db.close()


def test_an_older_sqlite_database_is_migrated_in_place(backends):
    url = backends.new_url("sqlite")
    path = url.removeprefix("sqlite:///")
    bmstui.open_database(url)
    bmstui.create_schema()
    bmstui.load_demo_data(days=1)
    with database.connection_context():
        shows, top = Show.select().count(), Show.select().order_by(Show.id.desc()).first().id
    database.obj.close_all()
    _strip_autoincrement(path, "show")
    bmstui.open_database(url)
    assert pending() == ["add audit_event.actor", "show: ids never reused"]
    bmstui.create_schema()  # what `bmstui db init` runs: upgrades what is there
    assert pending() == []
    db = sqlite3.connect(path)
    create = db.execute("SELECT sql FROM sqlite_master WHERE name = 'show'").fetchone()[0]
    assert "AUTOINCREMENT" in create
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert "actor" in {row[1] for row in db.execute("PRAGMA table_info(audit_event)")}
    assert db.execute("SELECT COUNT(*) FROM show").fetchone()[0] == shows
    db.close()
    with database.connection_context():
        assert upgrade() == []  # nothing left to do the second time
        Show.delete().where(Show.id == top).execute()
        again = Show.insert(movie=Movie.select().first(), screen=Screen.select().first(),
                            starts_at=Show.select().first().starts_at + timedelta(days=900),
                            ends_at=Show.select().first().starts_at + timedelta(days=901)
                            ).execute()
    assert again > top


@pytest.mark.mysql
def test_a_column_added_by_a_later_version_is_added_to_an_older_mariadb(mysql_check, backends):
    url = backends.new_url("mysql")
    bmstui.open_database(url)
    bmstui.create_schema()
    with database.connection_context():
        database.execute_sql("ALTER TABLE audit_event DROP COLUMN actor")
    assert pending() == ["add audit_event.actor"]
    with pytest.raises(DatabaseUnavailable, match="bmstui db init"):  # a counter starting
        ensure_ready_for_tui_on(url)
    with database.connection_context():
        assert upgrade() == ["added audit_event.actor"]
        assert upgrade() == []
        assert "actor" in {c.name for c in database.get_columns("audit_event")}


def ensure_ready_for_tui_on(url: str) -> None:
    """The app's start-up check with ``url`` configured as the counter's database."""
    from dataclasses import replace

    from bmstui.cli.core import ensure_ready_for_tui
    from bmstui.config import get_settings, use_settings

    before = get_settings()
    use_settings(replace(before, database_url=url))
    try:
        ensure_ready_for_tui()
    finally:
        use_settings(before)
        bmstui.open_database(url)
