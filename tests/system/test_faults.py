"""Faults made for real: connections cut at COMMIT, sessions killed, locks held too long.

Every test ends by checking the promise: no seat sold twice, no payment lost or doubled, and a
clerk who saw an error can simply repeat the action.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from urllib.parse import urlsplit

import pymysql
import pytest
from conftest import MYSQL_URL, _server_kwargs
from test_concurrency import assert_invariants

import bmstui
from bmstui.domain.errors import ConnectionLost, TryAgain
from bmstui.services import sales, seating
from bmstui.store.db import LOCKED_MESSAGE, RETRY_BUDGET_SECONDS, database
from bmstui.store.models import Booking, Hold, Payment, ShowSeat


def _one_sale(token: str) -> Booking:
    with database.connection_context():
        bookings = list(Booking.select().where(Booking.hold_token == token))
        assert len(bookings) == 1, "a confirm cut at COMMIT must leave exactly one booking"
        payments = list(Payment.select().where(Payment.booking == bookings[0].id))
        assert len(payments) == 1, "one payment per sale, never none and never two"
        assert payments[0].amount == bookings[0].total
        return bookings[0]


@pytest.mark.parametrize("method", ["cash", "card"])
@pytest.mark.parametrize("moment", ["before", "after"])
def test_confirm_cut_at_commit_sells_once(via_proxy, new_show, moment, method):
    """Cut before the server ran COMMIT (nothing saved) or after (saved, answer lost): the
    clerk gets the booking either way, and there is exactly one."""
    show_id = new_show()
    held = seating.hold(show_id, ["D4", "D5"])
    via_proxy.arm(moment)
    booking = sales.confirm(held.token, method=method)
    assert via_proxy.cuts == [moment]
    row = _one_sale(held.token)
    assert booking.code == row.code
    assert sales.confirm(held.token, method=method).code == booking.code
    with database.connection_context():
        assert {s.booking_id for s in ShowSeat.select().where(
            ShowSeat.hold_token == held.token)} == {row.id}
    assert_invariants(show_id)


@pytest.mark.parametrize("moment", ["before", "after"])
def test_hold_cut_at_commit_is_taken_again_by_its_own_token(via_proxy, new_show, moment):
    show_id = new_show()
    via_proxy.arm(moment)
    held = seating.hold(show_id, ["E1", "E2", "E3"])
    assert via_proxy.cuts == [moment]
    with database.connection_context():
        assert Hold.select().where(Hold.token == held.token).count() == 1
        assert ShowSeat.select().where(ShowSeat.hold_token == held.token,
                                       ShowSeat.status == "held").count() == 3
    assert sales.confirm(held.token, method="cash").code == _one_sale(held.token).code
    assert_invariants(show_id)


def _kill_sessions(db_name: str) -> int:
    """KILL every server session on ``db_name``: what a restart does to a counter's pool."""
    with pymysql.connect(**_server_kwargs(MYSQL_URL)) as admin, admin.cursor() as cur:
        cur.execute("SELECT id FROM information_schema.processlist WHERE db = %s "
                    "AND id <> CONNECTION_ID()", (db_name,))
        ids = [row[0] for row in cur.fetchall()]
        for session in ids:
            cur.execute(f"KILL CONNECTION {int(session)}")
    return len(ids)


def test_killed_sessions_are_replaced_without_the_clerk_noticing(demo_db, backend, new_show):
    if backend != "mysql":
        pytest.skip("server sessions: MariaDB only")
    show_id = new_show()
    first = seating.hold(show_id, ["A1"])
    seating.seat_map(show_id)
    assert _kill_sessions(urlsplit(demo_db).path.lstrip("/")) >= 1
    assert any(s.label == "A1" and s.status == "held" for s in seating.seat_map(show_id))
    assert _kill_sessions(urlsplit(demo_db).path.lstrip("/")) >= 1
    second = seating.hold(show_id, ["A2"])
    assert _kill_sessions(urlsplit(demo_db).path.lstrip("/")) >= 1
    sales.confirm(first.token, method="cash")
    assert _kill_sessions(urlsplit(demo_db).path.lstrip("/")) >= 1
    assert seating.release(second.token) == 1
    assert_invariants(show_id)


def test_cut_connections_come_back_for_reads_and_writes(via_proxy, new_show):
    show_id = new_show()
    held = seating.hold(show_id, ["B1", "B2"])
    via_proxy.cut_everything()
    assert len(seating.seat_map(show_id)) > 0
    via_proxy.cut_everything()
    booking = sales.confirm(held.token, method="upi")
    assert _one_sale(held.token).code == booking.code


class _LockSitter:
    """Another session that takes the show's seat rows (or SQLite's write lock) and sits on
    them, like a transaction stuck behind a dead client, until told to let go."""

    def __init__(self, url: str, show_id: int):
        self.url, self.show_id = url, show_id
        self.locked, self.done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._sit, daemon=True)
        self.thread.start()
        assert self.locked.wait(10), "could not take the lock"

    def _sit(self) -> None:
        if self.url.startswith("mysql"):
            conn = pymysql.connect(**_server_kwargs(self.url), autocommit=False,
                                   database=urlsplit(self.url).path.lstrip("/"))
            with conn.cursor() as cur:
                cur.execute("SET SESSION innodb_lock_wait_timeout = 50")
                cur.execute("SELECT id FROM show_seat WHERE show_id = %s FOR UPDATE",
                            (self.show_id,))
        else:
            path = self.url.split("://", 1)[1][1:]
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
        self.locked.set()
        self.done.wait(60)
        conn.rollback()
        conn.close()

    def let_go(self) -> None:
        self.done.set()
        self.thread.join(10)


def test_a_lock_held_too_long_ends_in_a_clear_refusal(demo_db, new_show):
    show_id = new_show()
    sitter = _LockSitter(demo_db, show_id)
    try:
        started = time.monotonic()
        with pytest.raises(TryAgain) as refused:
            seating.hold(show_id, ["C1", "C2"])
        waited = time.monotonic() - started
        # The grid keeps reading while the rows are locked: nobody's screen freezes.
        assert len(seating.seat_map(show_id)) > 0
    finally:
        sitter.let_go()
    assert str(refused.value) == LOCKED_MESSAGE
    # Bounded: one budget plus at most one lock wait that started just before it ran out.
    assert waited < RETRY_BUDGET_SECONDS + 6
    held = seating.hold(show_id, ["C1", "C2"])
    assert seating.release(held.token) == 2


def test_a_server_that_stops_answering_does_not_freeze_the_counter(via_proxy, demo_db, new_show):
    """A network black hole: no reset, no answer. Statements give up after the read timeout
    (30 s by default, 2 s here through the URL) and the clerk gets the plain refusal."""
    show_id = new_show()
    name = urlsplit(demo_db).path.lstrip("/")
    bmstui.open_database(via_proxy.url(name) + "?read_timeout=2&connect_timeout=2")
    held = seating.hold(show_id, ["I5"])
    via_proxy.freeze()
    try:
        started = time.monotonic()
        with pytest.raises(ConnectionLost):
            seating.seat_map(show_id)
        with pytest.raises(ConnectionLost):
            sales.confirm(held.token, method="cash")
        waited = time.monotonic() - started
    finally:
        via_proxy.thaw()
    assert waited < 2 * RETRY_BUDGET_SECONDS
    assert sales.confirm(held.token, method="cash").labels == ("I5",)
    _one_sale(held.token)
