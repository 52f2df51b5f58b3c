"""What the hot paths send to the database, counted where it leaves this process (both backends).

A grid polls every second on every counter and a hold is the statement everyone queues for, so
one more statement there costs every counter a round trip. These tests pin the counts: adding a
statement to a poll, a hold or a release makes one of them fail (like peewee's
``assertQueryCount``, but counted at the driver, so statements peewee never sees, such as the
MariaDB hold's batch and its COMMIT, count too).

MariaDB: one entry per command sent to the server, i.e. per round trip; a multi-statement batch
(``seat_sql.hold_batch``) is one entry, and COMMIT or a ping would be one each. SQLite: one entry
per statement run, BEGIN and COMMIT included (there is no round trip to count).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pymysql.connections
import pytest
from pymysql.constants import COMMAND

from bmstui.services import seating
from bmstui.services.live import LiveSeats
from bmstui.services.seat_index import forget_show
from bmstui.store.db import database


@contextmanager
def sent(backend: str) -> Iterator[list[str]]:
    """Record what this process sends to the database inside the block (see the module doc)."""
    log: list[str] = []
    if backend == "mysql":
        send = pymysql.connections.Connection._execute_command

        def recorded(conn, command, sql):
            if command == COMMAND.COM_QUERY:
                log.append(sql.decode() if isinstance(sql, bytes) else sql)
            else:
                log.append(f"<command {command}>")
            return send(conn, command, sql)

        pymysql.connections.Connection._execute_command = recorded
        try:
            yield log
        finally:
            pymysql.connections.Connection._execute_command = send
        return

    # SQLite: trace every connection handed out while counting, pooled or new.
    db = database.obj
    checkout = db._connect
    traced = []

    def trace(conn) -> None:
        conn.set_trace_callback(log.append)
        traced.append(conn)

    def traced_checkout():
        conn = checkout()
        trace(conn)
        return conn

    if not db.is_closed():
        trace(db.connection())
    db._connect = traced_checkout
    try:
        yield log
    finally:
        del db._connect
        for conn in traced:
            conn.set_trace_callback(None)


def verbs(log: list[str]) -> list[str]:
    """The first word of each entry: what the failure message shows."""
    return [entry.split(None, 1)[0].upper() for entry in log]


@pytest.fixture(params=["conditional", "pessimistic"])
def locking(request, settings):
    settings(locking=request.param)
    return request.param


def warm(show_id: int) -> None:
    """A counter that has been open a while: its connection in the pool, the show's seat ids
    read (once per process and show)."""
    seating.release(seating.hold(show_id, ["I3"]).token)


def test_a_hold_is_one_round_trip_and_a_commit_on_mariadb(backend, new_show, locking):
    show_id = new_show()
    warm(show_id)
    with sent(backend) as log:
        held = seating.hold(show_id, ["C4", "C5"])
    assert held.labels == ("C4", "C5")
    if backend == "mysql":
        # START TRANSACTION; [row locks;] UPDATE; INSERT; SELECT times; SELECT show: one batch.
        assert verbs(log) == ["START", "COMMIT"], log
        assert log[0].count(";\n") == (5 if locking == "pessimistic" else 4), log[0]
    else:
        # Measured: the IMMEDIATE transaction, the seats' UPDATE, the hold row's INSERT ...
        # RETURNING (which answers its times), COMMIT.
        assert verbs(log) == ["BEGIN", "UPDATE", "INSERT", "COMMIT"], log


def test_a_one_seat_hold_needs_no_commit_on_mariadb(backend, new_show, locking):
    """Conditional locking holds one seat in autocommit: the batch alone, no COMMIT after it."""
    show_id = new_show()
    warm(show_id)
    with sent(backend) as log:
        seating.hold(show_id, ["D7"])
    if backend == "mysql":
        assert verbs(log) == (["START", "COMMIT"] if locking == "pessimistic" else ["UPDATE"]), log
    else:
        assert verbs(log) == ["BEGIN", "UPDATE", "INSERT", "COMMIT"], log


def test_the_first_hold_on_a_show_reads_its_seat_ids_once(backend, new_show):
    show_id = new_show()
    warm(new_show())  # a pooled connection, but this show's seat ids not read yet
    forget_show(show_id)
    with sent(backend) as log:
        seating.hold(show_id, ["E1", "E2"])
    with sent(backend) as again:
        seating.hold(show_id, ["E3", "E4"])
    assert verbs(log) == ["SELECT", *verbs(again)], log


def test_a_release_is_one_round_trip(backend, new_show):
    """The seats and the hold row (marked released, so a channel's live holds are counted
    from an index) in one transaction: on MariaDB one batch, COMMIT included."""
    show_id = new_show()
    warm(show_id)
    held = seating.hold(show_id, ["F2", "F3"])
    with sent(backend) as log:
        assert seating.release(held.token) == 2
    if backend == "mysql":
        assert verbs(log) == ["START"], log
        assert log[0].count(";\n") == 3 and log[0].endswith("COMMIT"), log[0]
    else:
        assert verbs(log) == ["BEGIN", "UPDATE", "UPDATE", "COMMIT"], log


def test_releasing_another_process_hold_reads_its_seats_first(backend, new_show):
    show_id = new_show()
    warm(show_id)
    held = seating.hold(show_id, ["G5", "G6"])
    seating.forget(held.token)  # as if another terminal (process) had made the hold
    with sent(backend) as log:
        assert seating.release(held.token) == 2
    if backend == "mysql":
        assert verbs(log) == ["SELECT", "START"], log
    else:
        assert verbs(log) == ["BEGIN", "SELECT", "UPDATE", "UPDATE", "COMMIT"], log


def test_a_grid_costs_two_statements_to_open_and_one_per_poll(backend, new_show):
    show_id = new_show()
    warm(show_id)
    with sent(backend) as first:
        LiveSeats.open(show_id, sweep_grace=0)
    # the seats' states, their layout (read once per process and show), the clock
    assert verbs(first) == ["SELECT", "SELECT", "SELECT"], first
    with sent(backend) as opening:
        grid = LiveSeats.open(show_id, sweep_grace=0)
    assert verbs(opening) == ["SELECT", "SELECT"], opening  # the seat map, the clock

    with sent(backend) as quiet:
        for _ in range(3):
            assert grid.refresh() == set()
    assert verbs(quiet) == ["SELECT"] * 3, quiet

    other = seating.hold(show_id, ["H1", "H2"], terminal="counter-2")
    grid.token = None
    with sent(backend) as busy:
        changed = grid.refresh()
        grid.refresh()  # the same rows again, inside the trailing window
    assert len(changed) == 2
    assert verbs(busy) == ["SELECT"] * 2, busy

    grid.token = other.token  # a counter polling with its own hold: still one statement
    with sent(backend) as own:
        grid.refresh()
    assert verbs(own) == ["SELECT"], own
