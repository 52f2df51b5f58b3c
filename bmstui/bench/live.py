"""``bmstui bench live``: how fast one counter's change reaches the other counters' grids, and
what an idle grid costs the database.

Watchers are separate processes, each keeping a ``LiveSeats`` current the way an open seat grid
does (one poll per ``terminal.poll_interval``). The main process holds and releases seats of a
bench show at a steady pace and notes the wall-clock time each change committed; a watcher notes
when its grid first shows it. After the busy phase the writer stops and the watchers' polls are
counted: queries per second per idle terminal.
"""

from __future__ import annotations

import random
import time

from rich.console import Console

import bmstui
from bmstui.bench.common import SPAWN, bench_show, percentile_ms, worker_setup
from bmstui.cli.registry import command
from bmstui.config import get_settings, mask_url

console = Console()


def add_parser(bench_sub, common) -> None:
    live = bench_sub.add_parser("live", parents=[common],
                                help="change propagation between grids, idle queries/s")
    live.add_argument("--watchers", type=int, default=10, help="grids watching (processes)")
    live.add_argument("--seconds", type=float, default=10.0, help="busy phase")
    live.add_argument("--idle", type=float, default=10.0,
                      help="idle phase (grids back off after 5 s without a change)")
    live.add_argument("--every", type=float, default=0.1, help="seconds between changes")


def _watch(url, locking, show_id, busy_until, idle_until, interval, barrier, out):
    from bmstui.services.live import LiveSeats

    worker_setup(url, locking)
    live = LiveSeats.open(show_id)
    seen: list[tuple[int, str, float]] = []
    polls: list[float] = []
    barrier.wait()
    while time.time() < idle_until:
        started = time.monotonic()
        if live.poll_due():  # a quiet grid polls on every other tick, as on screen
            polls.append(time.time())
            for seat_id in live.apply(live.fetch()):
                seen.append((seat_id, live.status(seat_id), time.time()))
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
    out.put((seen, polls))


@command("bench live")
def bench_live(args) -> int:
    from bmstui.services import seating
    from bmstui.services.live import LiveSeats

    bmstui.open_database()
    settings = get_settings()
    url = settings.resolved_database_url
    show_id, _ = bench_show()
    seats = LiveSeats.open(show_id).seats
    interval = settings.poll_interval
    console.print(f"{args.watchers} watching grids on {mask_url(url)}, poll every "
                  f"{interval * 1000:.0f} ms; a change every {args.every * 1000:.0f} ms for "
                  f"{args.seconds:.0f} s, then {args.idle:.0f} s idle")

    start = time.time() + 3.0  # time for the watchers to start
    busy_until, idle_until = start + args.seconds, start + args.seconds + args.idle
    barrier = SPAWN.Barrier(args.watchers + 1)
    out = SPAWN.Queue()
    procs = [SPAWN.Process(target=_watch, args=(url, settings.locking, show_id, busy_until,
                                                 idle_until, interval, barrier, out))
             for _ in range(args.watchers)]
    for proc in procs:
        proc.start()
    barrier.wait()
    rng = random.Random(11)
    events: list[tuple[int, str, float]] = []
    held: list[tuple[int, str, float]] = []
    while time.time() < busy_until:
        # A hold lasts at least three polls, so every grid has the chance to show it.
        if held and time.time() - held[0][2] > 3 * interval and rng.random() < 0.5:
            seat_id, token, _ = held.pop(0)
            seating.release(token)
            events.append((seat_id, "available", time.time()))
        else:
            seat = rng.choice(seats)
            if any(seat.id == h for h, _, _ in held):
                continue
            hold = seating.hold(show_id, [seat.label], terminal="bench-writer", ttl=600)
            held.append((seat.id, hold.token, time.time()))
            events.append((seat.id, "held", time.time()))
        time.sleep(args.every)
    for _, token, _ in held:
        seating.release(token)
    results = [out.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)

    latencies, missed = [], 0
    for seen, _ in results:
        for seat_id, status, committed in events:
            later = [t for s, st, t in seen if s == seat_id and st == status and t >= committed]
            if later:
                latencies.append(min(later) - committed)
            else:
                missed += 1
    idle_rates = []
    for _, polls in results:
        idle = [t for t in polls if busy_until + 1 <= t < idle_until]
        if len(idle) > 1:
            idle_rates.append((len(idle) - 1) / (idle[-1] - idle[0]))
    console.print(f"changes made: {len(events)}; seen by {args.watchers} grids: "
                  f"{len(latencies)} (missed {missed})")
    console.print(f"propagation: p50 {percentile_ms(latencies, 0.5):.0f} ms, p95 "
                  f"{percentile_ms(latencies, 0.95):.0f} ms, max {percentile_ms(latencies, 1.0):.0f} ms "
                  f"(target p95 ≤ 300 ms)")
    console.print(f"idle grid: {max(idle_rates, default=float('nan')):.2f} queries/s at most, "
                  f"{sum(idle_rates) / max(1, len(idle_rates)):.2f} on average (target ≤ 4)")
    return 0
