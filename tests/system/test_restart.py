"""The database restarts (cleanly, or killed and recovered) while counters keep selling.

Counters are separate processes that never restart: they must reconnect by themselves. What a
clerk saw during the outage must be a readable refusal (never a traceback); every sale a clerk
was told went through must be in the database afterwards with its seats; no seat is in two
bookings; and holds abandoned around the outage come back when their time runs out.
"""

from __future__ import annotations

import time

import pytest
import restart_workers
from mariadb_nodes import MariaDBNode, unavailable_reason
from test_concurrency import SPAWN, assert_invariants

import bmstui
from bmstui.services import seating
from bmstui.store.db import database, db_now
from bmstui.store.models import Booking, BookingSeat, Screen, Show, ShowSeat

pytestmark = [pytest.mark.slow, pytest.mark.mysql]

COUNTERS = 4
HOLD_SECONDS = 4.0
DOWN_SECONDS = 3.0


@pytest.fixture(scope="module")
def server(mysql_check):
    reason = unavailable_reason()
    if reason:
        pytest.fail(f"cannot start a private MariaDB for the restart test: {reason}")
    with MariaDBNode("restart") as node:
        yield node


@pytest.fixture
def show(server, request):
    """A fresh database on the private server, and its last show in a 150-seat hall."""
    name = f"bmstui_{request.node.callspec.id}"
    server.query(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    url = server.url(name)
    bmstui.open_database(url)
    bmstui.create_schema()
    bmstui.load_demo_data(days=2)  # today's last show may have started in the chain's zone
    with database.connection_context():
        show_id = (Show.select(Show.id).join(Screen)
                   .where((Show.starts_at > db_now()) & (Screen.layout == "classic-150"))
                   .order_by(Show.starts_at.desc()).scalar())
    yield url, show_id
    database.obj.close_all()


@pytest.mark.parametrize("how", ["clean", "crash"])
def test_counters_ride_out_a_database_restart(server, show, how):
    url, show_id = show
    labels = [seat.label for seat in seating.seat_map(show_id)]
    results = SPAWN.Queue()
    until = time.time() + 16
    procs = [
        SPAWN.Process(target=restart_workers.counter,
                      args=(url, show_id, labels, until, seed, results,
                            {"hold_seconds": HOLD_SECONDS}))
        for seed in range(COUNTERS)
    ]
    for proc in procs:
        proc.start()
    time.sleep(3)  # selling normally
    database.obj.close_all()
    if how == "clean":
        server.stop()
    else:
        server.kill()
    time.sleep(DOWN_SECONDS)
    server.start()
    back_at = time.time()
    reports = [results.get(timeout=90) for _ in procs]
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0

    bugs = sorted({bug for r in reports for bug in r["bugs"]})
    assert not bugs, bugs
    refusals = [refusal for r in reports for refusal in r["refusals"]]
    outage = [name for name, _, _ in refusals if name in ("ConnectionLost", "OutcomeUnknown")]
    assert outage, "the outage never reached a counter: the test did not test anything"
    for name, message, _ in refusals:
        assert message and "Traceback" not in message and "pymysql" not in message, name
    for report in reports:
        assert any(at > back_at for *_, at in report["sold"]), (
            "a counter did not recover", back_at, until, report)

    sold = [sale for r in reports for sale in r["sold"]]
    assert sold
    first_after = [min(at for *_, at in r["sold"] if at > back_at) - back_at for r in reports]
    print(f"\nrestart ({how}): {COUNTERS} counters, {len(sold)} sales, "
          f"{len(outage)} outage refusals shown, "
          f"{sum(1 for *_, at in sold if at > back_at)} sales after the server was back; "
          f"each counter's first sale {min(first_after):.2f}–{max(first_after):.2f} s after it")
    with database.connection_context():
        for code, token, labels, _ in sold:
            row = Booking.get_or_none(Booking.code == code)
            assert row is not None, f"sale {code} was confirmed to a clerk and then lost"
            assert row.hold_token == token
            assert sorted(b.label for b in BookingSeat.select().where(
                BookingSeat.booking == row.id)) == labels
        assert Booking.select().where(Booking.show == show_id).count() == len(sold)
    assert_invariants(show_id)

    # Every abandoned hold, including those made just before the server went away, runs out.
    time.sleep(HOLD_SECONDS + 0.5)
    states = {seat.label: seat.status for seat in seating.seat_map(show_id)}
    assert {states[label] for label in labels} <= {"available", "booked"}
    with database.connection_context():
        booked = ShowSeat.select().where((ShowSeat.show == show_id)
                                         & (ShowSeat.status == "booked")).count()
    assert booked == sum(len(labels) for _, _, labels, _ in sold)
    free = [label for label in labels if states[label] == "available"]
    if free:
        seating.release(seating.hold(show_id, free[:10]).token)
