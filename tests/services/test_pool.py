"""The connection pool (bmstui.store.pool): a waiter wakes when a connection comes back, a
failed connect gives its place back, and a database host gone silent costs each caller one
connect timeout side by side, not one after another."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from playhouse.pool import MaxConnectionsExceeded

from bmstui.domain.errors import ConnectionLost
from bmstui.store.db import make_database


@pytest.fixture
def silent_host():
    """A TCP port that accepts connections and never says a word (a frozen server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def _connect_all(db, count: int) -> list[BaseException | None]:
    outcomes: list[BaseException | None] = [None] * count

    def one(i: int) -> None:
        try:
            db.connect()
        except BaseException as exc:  # noqa: BLE001 -- collected for the assertion
            outcomes[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_a_silent_host_costs_one_connect_timeout_side_by_side(silent_host):
    db = make_database(f"mysql://root@127.0.0.1:{silent_host}/bmstui?connect_timeout=1",
                       pool_size=8)
    started = time.monotonic()
    outcomes = _connect_all(db, 6)
    took = time.monotonic() - started
    assert all(outcome is not None for outcome in outcomes), outcomes
    # one after another (the stock pool holds peewee's lock while it connects) is >= 6 s;
    # the 30 s statement timeout must not apply to the server's greeting either
    assert took < 4.0, f"6 connects to a silent host took {took:.1f} s"


def test_a_failed_connect_gives_its_place_back(silent_host):
    db = make_database(f"mysql://root@127.0.0.1:{silent_host}/bmstui?connect_timeout=0.5",
                       pool_size=1)
    for _ in range(2):  # a leaked place would make the second a "pool full" wait instead
        with pytest.raises((ConnectionLost, Exception)) as refused:
            db.connect()
        assert not isinstance(refused.value, MaxConnectionsExceeded)
    assert db._opening == 0 and not db._in_use


def test_a_waiter_gets_the_connection_given_back(tmp_path):
    db = make_database(f"sqlite:///{tmp_path / 'pool.db'}", pool_size=1)
    db._max_connections = 1  # SQLite pools keep at least 32; one makes the wait certain
    db.connect()  # this thread has the only connection
    got = threading.Event()

    def waiter() -> None:
        db.connect()
        got.set()
        db.close()

    thread = threading.Thread(target=waiter)
    thread.start()
    deadline = time.monotonic() + 5
    while not db._pool_available._waiters and time.monotonic() < deadline:
        time.sleep(0.01)  # until the other thread is waiting for room
    assert not got.is_set()
    db.close()  # gives the connection back
    assert got.wait(timeout=5)
    thread.join()


def test_a_full_pool_says_so_after_its_wait(tmp_path):
    db = make_database(f"sqlite:///{tmp_path / 'full.db'}", pool_size=1)
    db._max_connections, db._wait_timeout = 1, 0.3
    db.connect()
    outcome = _connect_all(db, 1)[0]
    assert isinstance(outcome, MaxConnectionsExceeded) and "busy" in str(outcome)
    db.close()
