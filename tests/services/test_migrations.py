"""Schema versions: a database made by an earlier release is upgraded in place, step by step,
keeps its data, says what was done, and is never upgraded twice. Both backends."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest
from test_cli import run  # noqa: F401  (the real console script, in a clean environment)

import bmstui
from bmstui.store.db import database
from bmstui.store.migrations import (
    MIGRATIONS,
    current_version,
    latest_version,
    pending,
    upgrade,
    version_behind,
)
from bmstui.store.models import ALL_MODELS, AuditEvent, SchemaVersion

LATEST = latest_version()
STEPS = [m.name for m in MIGRATIONS]


def test_the_migrations_are_numbered_in_order_without_gaps():
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert MIGRATIONS[0].name == "baseline"
    assert LATEST == len(MIGRATIONS)
    assert len(set(STEPS)) == len(STEPS) and all(STEPS)
    assert all(len(name) <= 100 for name in STEPS)  # schema_version.name


def _versions() -> list[tuple[int, str, datetime]]:
    with database.connection_context():
        return [(row.version, row.name, row.applied_at)
                for row in SchemaVersion.select().order_by(SchemaVersion.version)]


def test_a_new_database_is_created_at_the_latest_version(empty_db):
    report = bmstui.create_schema()
    assert report.summary() == f"Schema created (version {LATEST})"
    assert report.changes == ()
    rows = _versions()
    assert [(v, name) for v, name, _ in rows] == list(enumerate(STEPS, start=1))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    assert all(abs(at - now) < timedelta(minutes=5) for _, _, at in rows)  # recorded in UTC
    assert pending() == [] and current_version() == LATEST and not version_behind()
    again = bmstui.create_schema()
    assert again.summary() == f"Schema up to date (version {LATEST})"
    assert _versions() == rows


def _with_data(backend: str, backends) -> str:
    url = backends.new_url(backend)
    bmstui.open_database(url)
    bmstui.create_schema()
    bmstui.load_demo_data(days=1)
    with database.connection_context():
        AuditEvent.create(at=datetime(2031, 1, 2, 3, 4, 5), kind="test", terminal="t1",
                          actor="admin:kept@here", detail="an older release's row")
    return url


def _sql(*statements: str) -> None:
    with database.connection_context():
        for statement in statements:
            database.execute_sql(statement)


def _as_the_release_before_versions() -> None:
    """What the release before schema versions made: today's columns, no version table."""
    _sql("DROP TABLE schema_version")


def _as_an_older_release(backend: str, url: str) -> None:
    """Older still: before theater zones, audit actors, exact factors and stable SQLite ids."""
    _as_the_release_before_versions()
    _sql("ALTER TABLE audit_event DROP COLUMN actor", "ALTER TABLE theater DROP COLUMN timezone")
    if backend == "mysql":
        _sql("ALTER TABLE `show` MODIFY `price_factor` DECIMAL(6, 3) NOT NULL")
        return
    database.obj.close_all()
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    db.execute("PRAGMA foreign_keys = OFF")
    for table in ("show", "seat"):  # plain INTEGER PRIMARY KEY, as SQLite reuses it
        create = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        indexes = [sql for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL", [table])]
        db.execute(create.replace(f'"{table}"', f'"{table}_old"', 1).replace(" AUTOINCREMENT", ""))
        db.execute(f'INSERT INTO "{table}_old" SELECT * FROM "{table}"')
        db.execute(f'DROP TABLE "{table}"')
        db.execute(f'ALTER TABLE "{table}_old" RENAME TO "{table}"')
        for sql in indexes:
            db.execute(sql)
    db.commit()
    db.close()


def _snapshot() -> dict:
    """Every table's row count and the rows the upgrade rewrites or rebuilds, by raw SQL (the
    models name columns an older table lacks)."""
    with database.connection_context():
        def rows(sql):
            return [tuple(row) for row in database.execute_sql(sql)]

        counts = {m._meta.table_name: rows(f"SELECT COUNT(*) FROM `{m._meta.table_name}`")[0][0]
                  for m in ALL_MODELS}
        return {
            "counts": counts,
            "theaters": rows("SELECT id, name, city_id FROM theater ORDER BY id"),
            "audit": rows("SELECT id, kind, terminal, detail FROM audit_event ORDER BY id"),
            "shows": rows("SELECT id, screen_id, starts_at, price_factor FROM `show` ORDER BY id"),
            "seats": rows("SELECT id, screen_id, label FROM seat ORDER BY id"),
            "show_seats": rows("SELECT COUNT(*), SUM(seat_id), SUM(show_id) FROM show_seat"),
        }


def _columns(table: str) -> set[str]:
    with database.connection_context():
        return {c.name for c in database.get_columns(table)}


def test_the_release_before_versions_is_recorded_without_changing_a_table(backend, backends):
    _with_data(backend, backends)
    _as_the_release_before_versions()
    before = _snapshot()
    assert current_version() == 1 and version_behind()
    assert pending() == []  # its counters keep starting until someone runs `bmstui db init`
    report = bmstui.create_schema()
    assert report.summary() == (f"Schema upgraded from version 1 to {LATEST}: "
                                + ", ".join(STEPS[1:]))
    assert report.changes == ()
    assert [(v, name) for v, name, _ in _versions()] == list(enumerate(STEPS, start=1))
    assert _snapshot() == before
    assert current_version() == LATEST and not version_behind()


def test_an_older_database_is_upgraded_by_db_init_and_keeps_its_data(
        backend, backends, run):  # noqa: F811  (the fixture imported above)
    url = backends.new_url(backend)
    made = run("db", "init", "--db", url)
    assert made.returncode == 0, made.stderr
    assert f"Schema created (version {LATEST})" in made.stdout
    assert "Schema ready in" in made.stdout
    bmstui.open_database(url)
    bmstui.load_demo_data(days=1)
    with database.connection_context():
        AuditEvent.create(at=datetime(2031, 1, 2, 3, 4, 5), kind="test", terminal="t1",
                          actor="admin:gone@here", detail="an older release's row")
    _as_an_older_release(backend, url)
    bmstui.open_database(url)
    before = _snapshot()
    assert current_version() == 1
    if backend == "sqlite":
        assert pending() == ["add theater.timezone", "add audit_event.actor",
                             "seat: ids never reused", "show: ids never reused"]
    else:
        assert pending() == ["widen show.price_factor", "add theater.timezone",
                             "add audit_event.actor"]
    database.obj.close_all()

    upgraded = run("db", "init", "--db", url)
    assert upgraded.returncode == 0, upgraded.stderr
    out = upgraded.stdout
    assert f"Schema upgraded from version 1 to {LATEST}: {', '.join(STEPS[1:])}" in out
    assert "added theater.timezone" in out and "added audit_event.actor" in out
    if backend == "sqlite":
        assert "show: ids never reused (AUTOINCREMENT)" in out
    else:
        assert "widened show.price_factor" in out

    bmstui.open_database(url)
    assert _snapshot() == before  # every row kept, ids and values alike
    assert "timezone" in _columns("theater") and "actor" in _columns("audit_event")
    with database.connection_context():
        assert {z for (z,) in database.execute_sql("SELECT timezone FROM theater")} == {""}
        assert {a for (a,) in database.execute_sql("SELECT actor FROM audit_event")} == {""}
        if backend == "sqlite":
            for table in ("show", "seat"):
                create = database.execute_sql(
                    "SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
                assert "AUTOINCREMENT" in create, table
            assert database.execute_sql("PRAGMA foreign_key_check").fetchall() == []
        else:
            assert database.execute_sql(
                "SELECT NUMERIC_SCALE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                "DATABASE() AND TABLE_NAME = 'show' AND COLUMN_NAME = 'price_factor'"
            ).fetchone()[0] == 15
    rows = _versions()
    assert [(v, name) for v, name, _ in rows] == list(enumerate(STEPS, start=1))
    assert pending() == [] and current_version() == LATEST
    database.obj.close_all()

    again = run("db", "init", "--db", url)
    assert again.returncode == 0, again.stderr
    assert f"Schema up to date (version {LATEST})" in again.stdout
    bmstui.open_database(url)
    assert _versions() == rows  # nothing applied, nothing recorded the second time
    assert upgrade() == []
    assert _snapshot() == before


def test_two_upgraders_at_once_apply_each_step_once(backend, backends):
    """Two machines running `bmstui db init` together: one upgrades, the other waits for it and
    then finds the schema up to date (a MySQL named lock; one SQLite write transaction)."""
    url = _with_data(backend, backends)
    _as_an_older_release(backend, url)
    bmstui.open_database(url)
    before = _snapshot()
    start = threading.Barrier(2)
    reports, errors = [], []

    def upgrader():
        start.wait()
        try:
            reports.append(bmstui.create_schema().summary())
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=upgrader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert sorted(reports) == sorted([
        f"Schema upgraded from version 1 to {LATEST}: {', '.join(STEPS[1:])}",
        f"Schema up to date (version {LATEST})"])
    assert [(v, name) for v, name, _ in _versions()] == list(enumerate(STEPS, start=1))
    assert _snapshot() == before
    assert pending() == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_half_finished_upgrade_is_finished_next_time(backend, backends):
    """A column added whose record was lost (a run cut short): the next run records it and
    does not add it again."""
    url = _with_data(backend, backends)
    _as_an_older_release(backend, url)
    bmstui.open_database(url)
    _sql("ALTER TABLE theater ADD COLUMN timezone VARCHAR(64) NOT NULL DEFAULT ''")
    assert "add theater.timezone" not in pending()
    report = bmstui.create_schema()
    assert "added theater.timezone" not in report.changes
    assert "added audit_event.actor" in report.changes
    assert [v for v, _, _ in _versions()] == list(range(1, LATEST + 1))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_counters_own_embedded_file_is_upgraded_when_the_app_starts(
        backend, settings, monkeypatch, tmp_path):
    """The default database is this machine's file: the app brings it up to date itself (a
    shared server is refused instead: tests/test_stable_ids.py)."""
    from bmstui.cli.core import ensure_ready_for_tui
    from bmstui.paths import default_sqlite_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings(database_url="")
    url = f"sqlite:///{default_sqlite_path()}"
    assert str(tmp_path) in url
    bmstui.open_database(url)
    bmstui.create_schema()
    _as_an_older_release(backend, url)
    ensure_ready_for_tui()
    assert pending() == [] and current_version() == LATEST
    _as_the_release_before_versions()  # nothing to change, only the version to record
    assert pending() == [] and version_behind()
    ensure_ready_for_tui()
    assert current_version() == LATEST and not version_behind()
