"""A counter that keeps selling while its database restarts (spawned by test_restart.py).

It never restarts itself: whatever the server does, the same process and the same connection
pool go on, the way a terminal at a counter would. It reports every sale it was told went
through, every refusal it was shown, and anything else (a bug) it ran into.
"""

from __future__ import annotations

import random
import time

import workers


def counter(url, show_id, labels, until, seed, results, settings=None):
    from bmstui.domain.errors import BookingError
    from bmstui.services import sales, seating

    workers._open(url, **(settings or {}))
    rng = random.Random(seed)
    report = {"sold": [], "refusals": [], "bugs": [], "abandoned": 0}
    while time.time() < until:
        time.sleep(rng.uniform(0.1, 0.4))  # the customer points at seats on the screen
        try:
            free = [s.label for s in seating.seat_map(show_id)
                    if s.status == "available" and s.label in labels]
            if not free:
                time.sleep(0.05)
                continue
            held = seating.hold(show_id, rng.sample(free, min(len(free), rng.randint(1, 2))))
            if rng.random() < 0.25:
                report["abandoned"] += 1  # the customer walks away: the hold must run out
                continue
            booking = sales.confirm(held.token, method=rng.choice(["cash", "card"]))
            report["sold"].append((booking.code, held.token, sorted(booking.labels),
                                   time.time()))
        except BookingError as exc:
            report["refusals"].append((type(exc).__name__, str(exc), time.time()))
            time.sleep(0.1)  # the clerk reads the message, then tries again
        except Exception as exc:  # noqa: BLE001 -- anything else is a bug the test must see
            report["bugs"].append(repr(exc)[:300])
            time.sleep(0.1)
    results.put(report)
