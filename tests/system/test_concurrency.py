"""Counters racing for seats, each a separate process, on SQLite and MariaDB.

Every test ends by checking the database's invariants: no seat in two bookings, every booked
seat has exactly one booking, and the money adds up (seat prices to the subtotal, the subtotal
less any coupon discount to the total, which is what was paid).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections import Counter

import invariants
import pytest
import workers

from bmstui.domain.errors import SeatsUnavailable
from bmstui.services import sales, seating
from bmstui.store.db import database
from bmstui.store.models import Booking

pytestmark = pytest.mark.slow
SPAWN = mp.get_context("spawn")


@pytest.fixture(autouse=True, params=["conditional", "pessimistic"])
def locking(request, settings):
    """Every test here runs under both locking strategies."""
    settings(locking=request.param)
    return request.param


def run_all(procs, results, timeout: float = 60) -> list:
    """Start the processes, collect one outcome from each, and check each exited cleanly."""
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=timeout) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    return outcomes


def race(url: str, show_id: int, seat_lists: list[list[str]], locking: str):
    """Start one process per seat list; all try to hold at the same instant."""
    barrier = SPAWN.Barrier(len(seat_lists))
    results = SPAWN.Queue()
    procs = [
        SPAWN.Process(
            target=workers.hold_at_barrier,
            args=(url, show_id, labels, barrier, results, {"locking": locking}),
        )
        for labels in seat_lists
    ]
    return run_all(procs, results)


def assert_invariants(show_id: int) -> None:
    invariants.assert_invariants(show_id, hold_rows=False)


def test_two_buyers_two_different_seats_both_win(demo_db, new_show, locking):
    show = new_show()
    outcomes = race(demo_db, show, [["A1"], ["A2"]], locking)
    assert sorted(o[0] for o in outcomes) == ["ok", "ok"]


def test_two_buyers_one_seat_one_wins(demo_db, new_show, locking):
    show = new_show()
    outcomes = race(demo_db, show, [["B5"], ["B5"]], locking)
    assert sorted(o[0] for o in outcomes) == ["SeatsUnavailable", "ok"]
    loser = next(o for o in outcomes if o[0] != "ok")
    assert loser[2] == ("B5",)


def test_three_buyers_two_on_one_seat(demo_db, new_show, locking):
    show = new_show()
    outcomes = race(demo_db, show, [["C3"], ["C3"], ["C4"]], locking)
    by_result = Counter(o[0] for o in outcomes)
    assert by_result == {"ok": 2, "SeatsUnavailable": 1}
    assert ("ok", ("C4",)) in [(o[0], o[1]) for o in outcomes]


def test_slow_payer_loses_to_a_third_buyer(demo_db, new_show, locking):
    show = new_show()
    outcomes = race(demo_db, show, [["D5"], ["D5"]], locking)
    winner = next(o for o in outcomes if o[0] == "ok")
    # The winner's hold is 120 s: shorten the race by taking a fresh, short hold as the winner.
    seating.release(winner[2])
    slow = seating.hold(show, ["D5"], ttl=0.3)
    deadline = time.monotonic() + 10
    while True:
        try:
            third = seating.hold(show, ["D5"])
            break
        except SeatsUnavailable:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    with pytest.raises(Exception) as late:
        sales.confirm(slow.token, method="cash")
    assert type(late.value).__name__ == "HoldExpired"
    assert sales.confirm(third.token, method="cash").labels == ("D5",)
    assert_invariants(show)


@pytest.mark.parametrize("counters", [8])
def test_many_counters_on_few_seats_keep_the_invariants(demo_db, new_show, locking, counters):
    show = new_show()
    labels = ["E5", "E6", "E7", "E8", "E9", "F5", "F6"]
    results = SPAWN.Queue()
    procs = [
        SPAWN.Process(
            target=workers.mixed_counter,
            args=(demo_db, show, labels, 25, seed, results, {"locking": locking}),
        )
        for seed in range(counters)
    ]
    outcomes = run_all(procs, results, timeout=180)
    errors = [e for o in outcomes for e in o["errors"]]
    assert errors == []
    confirmed = [c for o in outcomes for c in o["confirmed"]]
    sold_labels = [label for _, seats, _ in confirmed for label in seats]
    assert len(sold_labels) == len(set(sold_labels)), "a seat was sold twice"
    assert sum(o["refused"] for o in outcomes) > 0, "no contention: the test proves nothing"
    assert_invariants(show)
    with database.connection_context():
        codes = {code for code, _, _ in confirmed}
        assert Booking.select().where(Booking.show == show).count() == len(codes)


def test_killed_counter_keeps_its_seats_only_until_the_ttl(demo_db, new_show):
    show = new_show()
    ready = SPAWN.Queue()
    proc = SPAWN.Process(target=workers.hold_then_hang,
                         args=(demo_db, show, ["G7", "G8"], 2.0, ready))
    proc.start()
    ready.get(timeout=60)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(timeout=10)
    assert proc.exitcode == -signal.SIGKILL
    started = time.monotonic()
    with pytest.raises(SeatsUnavailable):
        seating.hold(show, ["G8"])
    while True:
        try:
            held = seating.hold(show, ["G7", "G8"])
            break
        except SeatsUnavailable:
            assert time.monotonic() - started < 10, "seats of a dead counter never came back"
            time.sleep(0.05)
    booking = sales.confirm(held.token, method="cash")
    assert booking.labels == ("G7", "G8")
    assert_invariants(show)
