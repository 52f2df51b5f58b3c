"""The lasting offline sign: while the database does not answer, the grid and the checkout say
since when their picture is old; the first good answer takes the sign down (screens/offline.py).

The outage is real on both backends: on MariaDB the cutting proxy refuses every connection; on
SQLite the bound database's file is swapped for a folder, which no connection can open (as when
the disk holding it goes away), and swapped back.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import replace

import pytest

from bmstui import logs
from bmstui.config import get_settings
from bmstui.store.db import database
from screens.offline import OfflineSign
from screens.sale.checkout import CheckoutScreen
from tests.ui_support import make_app, noticed, open_show, wait_for, wait_for_checkout

SIGN = re.compile(r"^⚠ offline since \d\d:\d\d: seats as of then$")


class SqliteOutage:
    """The embedded database's file becomes unopenable (a folder in its place), for real."""

    def __init__(self, folder):
        self.folder = folder
        self.path = None

    def go_down(self) -> None:
        db = database.obj
        self.path = db.database
        db.database = str(self.folder)  # sqlite3 cannot open a folder: every connect fails
        db.close_all()  # pooled connections would still reach the old file

    def come_back(self) -> None:
        database.obj.database = self.path


@pytest.fixture
def outage(backend, demo_db, tmp_path, request):
    if backend == "mysql":
        yield request.getfixturevalue("via_proxy")
        return
    made = SqliteOutage(tmp_path)
    yield made
    if made.path is not None:
        made.come_back()


def sign(screen) -> str | None:
    widget = screen.query_one(OfflineSign)
    return str(widget.render()) if widget.display else None


@contextmanager
def down(outage):
    outage.go_down()
    try:
        yield
    finally:
        outage.come_back()


async def test_the_sign_stays_while_offline_and_goes_at_the_first_good_poll(
        outage, new_show, tmp_path):
    show_id = new_show()
    log_path = logs.setup(replace(get_settings(), log_dir=str(tmp_path / "logs")))
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await open_show(pilot, show_id)
        assert sign(grid) is None
        with down(outage):
            await wait_for(pilot, lambda: sign(grid), what="the offline sign on the grid")
            assert SIGN.match(sign(grid)), sign(grid)
            # Read now: a notice goes after its 8 s, and a loaded machine may take longer.
            await wait_for(pilot, lambda: stale_notices(app), what="the offline notice")
            notices = stale_notices(app)
            failed = app.offline_since
            # Lasting: many failed polls later it is still there, with the same time.
            polls = grid.live._ticks
            await wait_for(pilot, lambda: grid.live._ticks > polls + 20, what="more polls")
            assert SIGN.match(sign(grid) or "") and app.offline_since == failed
        await wait_for(pilot, lambda: sign(grid) is None, what="the sign to go")
        assert app.offline_since is None

        await pilot.press("2", "enter")
        checkout = await wait_for_checkout(pilot)
        assert sign(checkout) is None
        with down(outage):
            await wait_for(pilot, lambda: sign(checkout), what="the sign at checkout")
            assert SIGN.match(sign(checkout)) and isinstance(app.screen, CheckoutScreen)
        await wait_for(pilot, lambda: sign(checkout) is None, what="the sign to go at checkout")
    text = log_path.read_text(encoding="utf-8")
    assert text.count("The database stopped answering") == 2  # once per outage, not per poll
    assert text.count("The database answers again") == 2
    assert_whole_sentences(text, notices)


def stale_notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications if "may be stale" in str(n.message)]


def assert_whole_sentences(log_text: str, notices: list[str]) -> None:
    """The reason ends with its full stop, in the log and before the notice's own sentence."""
    stopped = [line for line in log_text.splitlines() if "The database stopped answering" in line]
    assert stopped and all(line.rstrip().endswith(".") for line in stopped), stopped
    assert notices and all(re.search(r"[.!?…] The grid may be stale until it reconnects\.$", n)
                           for n in notices), notices


async def test_a_server_that_cannot_be_reached_is_told_in_whole_sentences(
        demo_db, new_show, tmp_path):
    """ConnectionLost's message has no final full stop (it is also shown alone)."""
    import bmstui
    from bmstui.store.db import make_database

    show_id = new_show()
    log_path = logs.setup(replace(get_settings(), log_dir=str(tmp_path / "logs")))
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_show(pilot, show_id)
        database.initialize(make_database("mysql://root@127.0.0.1:1/nowhere"))
        try:
            await wait_for(pilot, lambda: noticed(app, "may be stale"), timeout=20,
                           what="the offline notice")
            notices = stale_notices(app)
        finally:
            bmstui.open_database(demo_db)
    assert_whole_sentences(log_path.read_text(encoding="utf-8"), notices)
