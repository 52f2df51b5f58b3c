"""Process entry points for the concurrency tests (spawned: each is a separate counter)."""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import replace


def _open(url: str, **settings) -> None:
    import bmstui
    from bmstui.config import use_settings

    from conftest import TEST_SETTINGS

    use_settings(replace(TEST_SETTINGS, terminal=f"proc-{os.getpid()}", **settings))
    bmstui.open_database(url)


def hold_at_barrier(url, show_id, labels, barrier, results, settings=None):
    """Wait with the others, then try one hold; report ('ok', token) or (error class, labels)."""
    from bmstui.errors import BookingError
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
    from bmstui.errors import BookingError
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
    from bmstui.errors import BookingError
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
    from bmstui.errors import BookingError
    from bmstui.services import scheduling

    _open(url)
    scheduling.schedule(starts_at, starts_at)  # warm the connection
    barrier.wait(timeout=60)
    try:
        results.put(("ok", scheduling.create_show(movie_id, screen_id, starts_at)))
    except BookingError as exc:
        results.put((type(exc).__name__, str(exc)))


def confirm_at_barrier(url, token, barrier, results):
    """Confirm a hold made by the test at the same instant as another process acts."""
    from bmstui.errors import BookingError
    from bmstui.services import sales

    _open(url)
    sales.quote(token)
    barrier.wait(timeout=60)
    try:
        results.put(("ok", sales.confirm(token, method="card").code))
    except BookingError as exc:
        results.put((type(exc).__name__, str(exc)))


def cancel_show_at_barrier(url, show_id, barrier, results):
    from bmstui.errors import BookingError
    from bmstui.services import scheduling

    _open(url)
    scheduling.schedule(*_far_window())
    barrier.wait(timeout=60)
    try:
        done = scheduling.cancel_show(show_id, reason="projector broke")
        results.put(("cancelled", len(done.refunds)))
    except BookingError as exc:
        results.put((type(exc).__name__, str(exc)))


def _far_window():
    from datetime import datetime

    return datetime(2000, 1, 1), datetime(2000, 1, 2)
