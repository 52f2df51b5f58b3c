"""Fixtures: every service test runs on the embedded SQLite and on a real MariaDB.

MariaDB comes from ``BMSTUI_TEST_MYSQL_URL`` (e.g. ``mysql://root@127.0.0.1:3306/test``); each
test database is created here and dropped afterwards. Without the variable the MariaDB half is
skipped with a reason, unless ``BMSTUI_REQUIRE_MYSQL=1``, which turns it into a failure.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pymysql
import pytest
from hypothesis import settings as hypothesis_settings

# CI runs the same examples every time (a landing must not hinge on a lucky draw); a run on a
# developer's machine explores new ones, and what it finds becomes a fixed example.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")

import bmstui
from bmstui.config import Settings, use_settings
from bmstui.store.db import database

MYSQL_URL = os.environ.get("BMSTUI_TEST_MYSQL_URL", "")
REQUIRE_MYSQL = os.environ.get("BMSTUI_REQUIRE_MYSQL") == "1"

TEST_SETTINGS = Settings(
    terminal="pytest",
    gateway_latency_ms=0,
    gateway_decline_rate=0.0,
    hold_seconds=120,
    source="tests",
)


def _server_kwargs(url: str) -> dict:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 3306,
        "user": parts.username or "root",
        "password": parts.password or "",
    }


def _mysql_unavailable_reason() -> str | None:
    if not MYSQL_URL:
        return "BMSTUI_TEST_MYSQL_URL is not set"
    try:
        pymysql.connect(connect_timeout=3, **_server_kwargs(MYSQL_URL)).close()
    except pymysql.MySQLError as exc:
        return f"MariaDB at {urlsplit(MYSQL_URL).netloc.split('@')[-1]} is unreachable: {exc}"
    return None


@pytest.fixture(scope="session")
def mysql_check():
    reason = _mysql_unavailable_reason()
    if reason:
        if REQUIRE_MYSQL:
            pytest.fail(f"BMSTUI_REQUIRE_MYSQL=1 but {reason}", pytrace=False)
        pytest.skip(reason)


class Backends:
    """Creates throwaway databases and drops them at the end of the session."""

    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.mysql_names: list[str] = []

    def new_url(self, kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{self.tmp.mktemp('db') / 'bmstui.db'}"
        name = f"bmstui_t_{secrets.token_hex(4)}"
        with pymysql.connect(**_server_kwargs(MYSQL_URL)) as conn, conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        self.mysql_names.append(name)
        parts = urlsplit(MYSQL_URL)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def drop_all(self) -> None:
        if not self.mysql_names:
            return
        with pymysql.connect(**_server_kwargs(MYSQL_URL)) as conn, conn.cursor() as cur:
            for name in self.mysql_names:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture(scope="session")
def backends(tmp_path_factory):
    made = Backends(tmp_path_factory)
    yield made
    if database.obj is not None:
        database.obj.close_all()
    made.drop_all()


@pytest.fixture(scope="session", autouse=True)
def log_folder(tmp_path_factory):
    """Logs written by tests (the CLI run in-process, the app's last-resort handler) go to a
    temporary folder, never to the user's log folder."""
    folder = tmp_path_factory.mktemp("logs")
    os.environ["BMSTUI_LOG_DIR"] = str(folder)
    return folder


@pytest.fixture(autouse=True)
def test_settings():
    use_settings(TEST_SETTINGS)
    yield TEST_SETTINGS
    use_settings(None)


@pytest.fixture
def settings(test_settings):
    """Change settings for one test: ``settings(hold_seconds=1)``."""

    def change(**values):
        from bmstui.config import get_settings

        new = replace(get_settings(), **values)
        use_settings(new)
        return new

    return change


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def backend(request):
    if request.param == "mysql":
        request.getfixturevalue("mysql_check")
    return request.param


@pytest.fixture
def empty_db(backend, backends):
    """A brand-new, empty database of this backend, bound to the models; its URL is returned."""
    url = backends.new_url(backend)
    bmstui.open_database(url)
    return url


_seeded: dict[str, str] = {}


@pytest.fixture
def demo_db(backend, backends):
    """A database with the schema and two days of the demo catalog (shared within the session;
    tests that change seats work on their own shows from ``new_show``)."""
    if backend not in _seeded:
        url = backends.new_url(backend)
        bmstui.open_database(url)
        bmstui.create_schema()
        bmstui.load_demo_data(days=2)
        _seeded[backend] = url
    bmstui.open_database(_seeded[backend])
    return _seeded[backend]


def make_show(*, starts_in: timedelta = timedelta(days=30), layout: str = "classic-150") -> int:
    """A fresh show (a month ahead unless told) on a demo screen of the bound database, all
    seats free."""
    from bmstui.store.db import db_now
    from bmstui.store.models import Movie, Screen, Show
    from bmstui.store.seeding import create_show_seats

    with database.connection_context():
        screen = Screen.select().where(Screen.layout == layout).order_by(Screen.id).first()
        movie = Movie.select().order_by(Movie.id).first()
        starts = db_now().replace(microsecond=0) + starts_in
        # A unique start per screen: nudge by whole seconds, earlier, until free (a show "3 hours
        # ahead" never starts more than 3 hours ahead).
        while Show.select().where((Show.screen == screen) & (Show.starts_at == starts)).exists():
            starts -= timedelta(seconds=1)
        with database.atomic():
            show_id = Show.insert(
                movie=movie, screen=screen, starts_at=starts,
                ends_at=starts + timedelta(minutes=movie.duration), format="2D",
                price_factor=1,
            ).execute()
            create_show_seats([show_id])
    return show_id


@pytest.fixture
def new_show(demo_db):
    """Factory: ``make_show`` on the demo database."""
    return make_show


@pytest.fixture
def via_proxy(demo_db, backend):
    """The demo database reached through a relay that can cut connections; rebinds bmstui."""
    if backend != "mysql":
        pytest.skip("connections are cut between client and server: MariaDB only")
    from cutting_proxy import CuttingProxy

    proxy = CuttingProxy(MYSQL_URL)
    bmstui.open_database(proxy.url(urlsplit(demo_db).path.lstrip("/")))
    yield proxy
    database.obj.close_all()
    proxy.close()
    bmstui.open_database(demo_db)


TESTS = Path(__file__).resolve().parent


# Fuzzing campaigns: each draws many examples through the whole stack.
CAMPAIGNS = ("test_properties_", "test_ui_money_fields")


def _system_tier(item) -> bool:
    """Everything under tests/system; every slow or Galera test wherever it lives (the walks of
    every key from every focus among them); the UI's MariaDB runs; the fuzzing campaigns
    (hypothesis over the published API, the HTTP routes and the UI's money fields), on both
    backends.

    The default tier still runs every service test on both backends and every screen (with its
    snapshots at two sizes); what moves is what repeats the same walk on the second backend or
    draws hundreds of inputs through the whole stack: integration runs, not a developer's quick
    check. CI runs both tiers."""
    path = Path(str(item.fspath)).resolve()
    if TESTS / "system" in path.parents:
        return True
    if item.get_closest_marker("slow") or item.get_closest_marker("galera"):
        return True
    if path.stem.startswith(CAMPAIGNS):
        return True
    on_mysql = "mysql" in getattr(getattr(item, "callspec", None), "params", {}).values()
    return on_mysql and TESTS / "ui" in path.parents


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (the default): 4 workers for the default tier, none for the system tier,
    whose tests run processes and servers of their own and measure them."""
    if "system" in (config.option.markexpr or "").replace("not system", ""):
        return 0
    return int(os.environ.get("BMSTUI_TEST_WORKERS", "4"))


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items):
    """Mark the system tier; the default run (``addopts = -m "not system"``) leaves it out."""
    for item in items:
        if _system_tier(item):
            item.add_marker(pytest.mark.system)
