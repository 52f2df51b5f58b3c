"""Process entry points for the concurrency tests (spawned: each is a separate counter)."""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import replace

from actor_support import ADMIN


def _open(url: str, **settings) -> None:
    from conftest import TEST_SETTINGS

    import bmstui
    from bmstui.config import use_settings

    use_settings(replace(TEST_SETTINGS, terminal=f"proc-{os.getpid()}", **settings))
    bmstui.open_database(url)


def hold_at_barrier(url, show_id, labels, barrier, results, settings=None):
    """Wait with the others, then try one hold; report ('ok', token) or (error class, labels)."""
    from bmstui.domain.errors import BookingError
    from bmstui.services import seating

    _open(url, **(settings or {}))
    seating.seat_map(show_id)  # warm the connection so the race is about the hold itself
    barrier.wait()
    try:
        held = seating.hold(show_id, labels)
        results.put(("ok", tuple(labels), held.token))
    except BookingError as exc:
        results.put((type(exc).__name__, tuple(labels), getattr(exc, "labels", ())))


def mixed_counter(url, show_id, labels, rounds, seed, results, settings=None):
    """A busy counter: hold a few contended seats, then confirm, release or walk away."""
    from bmstui.domain.errors import BookingError
    from bmstui.services import sales, seating

    _open(url, **(settings or {}))
    rng = random.Random(seed)
    outcome = {"confirmed": [], "released": 0, "abandoned": 0, "refused": 0, "errors": []}
    for _ in range(rounds):
        want = rng.sample(labels, rng.randint(1, 3))
        try:
            held = seating.hold(show_id, want, ttl=rng.choice([0.2, 0.5, 5]))
        except BookingError:
            outcome["refused"] += 1
            continue
        except Exception as exc:  # anything else is a bug the test must see
            outcome["errors"].append(repr(exc))
            continue
        action = rng.random()
        try:
            if action < 0.5:
                if rng.random() < 0.2:
                    time.sleep(0.3)  # a slow payer: the short holds may run out meanwhile
                booking = sales.confirm(held.token, method="cash", tendered=10_000)
                outcome["confirmed"].append((booking.code, booking.labels, str(booking.total)))
                again = sales.confirm(held.token, method="cash", tendered=10_000)
                if again.code != booking.code:
                    outcome["errors"].append("a repeated confirm made a second booking")
            elif action < 0.8:
                seating.release(held.token)
                outcome["released"] += 1
            else:
                outcome["abandoned"] += 1
        except BookingError:
            outcome["refused"] += 1
        except Exception as exc:
            outcome["errors"].append(repr(exc))
    results.put(outcome)


def hold_then_hang(url, show_id, labels, ttl, ready):
    """Hold seats, say so, then hang until SIGKILLed (a counter PC that crashed)."""
    from bmstui.services import seating

    _open(url)
    held = seating.hold(show_id, labels, ttl=ttl)
    ready.put(held.token)
    signal.pause()


def _open_as(url: str, terminal: str | None) -> None:
    """Like ``_open``, under a chosen terminal name (the counter's own)."""
    from bmstui.config import get_settings, use_settings

    _open(url)
    if terminal:
        use_settings(replace(get_settings(), terminal=terminal))


def confirm_with_coupon_at_barrier(url, show_id, labels, coupon, customer, barrier, results,
                                   terminal=None):
    """Hold ``labels``, wait with the others, then confirm with ``coupon``; report
    ('ok', labels, token, discount, total) or (error class, labels, token, reason, message)."""
    from bmstui.domain.errors import BookingError
    from bmstui.services import sales, seating

    _open_as(url, terminal)
    held = seating.hold(show_id, labels)
    sales.quote(held.token)  # warm the connection and the seat index
    barrier.wait(timeout=60)
    try:
        # UPI, so a use lost inside the transaction (after the payment) says it was voided.
        booking = sales.confirm(held.token, method="upi", coupon=coupon, customer=customer)
        results.put(("ok", tuple(labels), held.token, str(booking.discount), str(booking.total)))
    except BookingError as exc:
        results.put((type(exc).__name__, tuple(labels), held.token,
                     getattr(exc, "reason", ""), str(exc)))
    except Exception as exc:  # anything else is a bug the test must see, not a timeout
        results.put(("crash", tuple(labels), held.token, "", repr(exc)))


def hold_and_confirm(url, show_id, labels, terminal, results):
    """Another counter (its own terminal name) sells ``labels``; report ('ok', code, terminal)
    or (error class, message)."""
    from bmstui.services import sales, seating

    _open_as(url, terminal)
    try:
        held = seating.hold(show_id, labels)
        booking = sales.confirm(held.token, method="card")
        results.put(("ok", booking.code, booking.terminal, booking.labels))
    except Exception as exc:  # a refusal or a bug: either way the test reads it
        results.put((type(exc).__name__, str(exc)))


def schedule_at_barrier(url, movie_id, screen_id, starts_at, barrier, results):
    """Wait with the others, then schedule one show; report ('ok', id) or (error, message)."""
    from bmstui.domain.errors import BookingError
    from bmstui.services import scheduling

    _open(url)
    scheduling.schedule(starts_at, starts_at)  # warm the connection
    barrier.wait(timeout=60)
    try:
        results.put(("ok", scheduling.create_show(movie_id, screen_id, starts_at, operator=ADMIN)))
    except BookingError as exc:
        results.put((type(exc).__name__, str(exc)))


def confirm_at_barrier(url, token, barrier, results):
    """Confirm a hold made by the test at the same instant as another process acts."""
    from bmstui.domain.errors import BookingError
    from bmstui.services import sales

    _open(url)
    sales.quote(token)
    barrier.wait(timeout=60)
    try:
        results.put(("ok", sales.confirm(token, method="card").code))
    except BookingError as exc:
        results.put((type(exc).__name__, str(exc)))


def cancel_show_at_barrier(url, show_id, barrier, results):
    from bmstui.domain.errors import BookingError
    from bmstui.services import scheduling

    _open(url)
    scheduling.schedule(*_far_window())
    barrier.wait(timeout=60)
    try:
        done = scheduling.cancel_show(show_id, reason="projector broke", operator=ADMIN)
        results.put(("cancelled", len(done.refunds)))
    except BookingError as exc:
        results.put((type(exc).__name__, str(exc)))


def _far_window():
    from datetime import datetime

    return datetime(2000, 1, 1), datetime(2000, 1, 2)


def _count_retries(counts) -> None:
    """Count, in this process, every error ``bmstui.store.db.transaction`` decides to retry, by MySQL
    error number (1213: deadlock, or on Galera a certification failure or brute-force abort).
    It wraps the retry decision, so what is retried and how stays exactly bmstui's."""
    from bmstui.store import db

    decide = db._retryable

    def counting(exc):
        retry = decide(exc)
        if retry:
            counts[db.mysql_error_code(exc)] += 1
        return retry

    db._retryable = counting


def cluster_counter(url, node, show_id, labels, seconds, seed, barrier, results):
    """A counter at one cinema (its own Galera node) for ``seconds`` after the barrier: hold 1–3
    of the contended ``labels``; confirm, release or walk away; now and then cancel one of its
    own bookings so the seats go back on sale. Reports what the clerk saw (bookings with the
    moments they were surely valid, refusals by kind, anything else as an error) and the
    transaction retries counted by error number."""
    from collections import Counter

    from bmstui.domain.errors import BookingError
    from bmstui.services import sales, seating

    rng = random.Random(seed)
    out = {"node": node, "confirmed": [], "cancelled": {}, "released": 0, "abandoned": 0,
           "holds": 0, "refused": Counter(), "errors": [], "retries": Counter()}
    try:
        _open(url)
        _count_retries(out["retries"])
        seating.seat_map(show_id)  # warm the connection and the seat index
        barrier.wait(timeout=120)
        end = time.monotonic() + seconds
        mine: list[str] = []  # this counter's bookings not cancelled yet
        while time.monotonic() < end:
            try:
                if mine and rng.random() < 0.3:
                    code = rng.choice(mine)
                    asked = time.monotonic()  # the booking is valid at least until now
                    sales.cancel(code, reason="customer changed plans", operator=ADMIN)
                    mine.remove(code)
                    out["cancelled"][code] = asked
                    continue
                want = rng.sample(labels, rng.randint(1, 3))
                held = seating.hold(show_id, want, ttl=rng.choice([0.5, 2.0]))
                out["holds"] += 1
                action = rng.random()
                if action < 0.7:
                    booking = sales.confirm(held.token, method="cash", tendered=10_000)
                    # ... and it is valid from at least the moment confirm returned.
                    out["confirmed"].append((booking.code, booking.labels, time.monotonic()))
                    mine.append(booking.code)
                elif action < 0.9:
                    seating.release(held.token)
                    out["released"] += 1
                else:
                    out["abandoned"] += 1
            except BookingError as exc:
                out["refused"][type(exc).__name__] += 1
    except Exception as exc:  # anything but a clerk's refusal is what the test looks for
        out["errors"].append(repr(exc))
    results.put(out)


def counter_on_orders(url, conn):
    """A long-lived counter taking ('hold', show_id, labels) orders over a pipe; answers
    ('held', labels it was told, labels the database shows under its token) then releases, or
    (error class, message). ('stop',) ends it. Its seat maps stay cached between orders."""
    from bmstui.domain.errors import BookingError
    from bmstui.services import seating
    from bmstui.store.db import database
    from bmstui.store.models import Seat, ShowSeat

    _open(url)
    while True:
        order = conn.recv()
        if order[0] == "stop":
            return
        _, show_id, labels = order
        try:
            held = seating.hold(show_id, labels)
        except BookingError as exc:
            conn.send((type(exc).__name__, str(exc)))
            continue
        with database.connection_context():
            in_db = sorted(label for (label,) in ShowSeat.select(Seat.label).join(Seat)
                           .where(ShowSeat.hold_token == held.token).tuples())
        seating.release(held.token)
        conn.send(("held", sorted(held.labels), in_db))
