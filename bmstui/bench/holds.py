"""``bmstui bench holds``: what the seat protocol costs, through the service and raw.

Three measurements on a fresh bench show of the configured database:

1. throughput: N processes loop hold+release for S seconds, through ``bmstui.services.seating``
   and then through the same two statements on a raw driver connection; prints cycles/s,
   p50/p99 latency and the service/raw ratio;
2. burst: 25 processes hold 25 different seats at the same instant (all must succeed);
3. pile-up: 25 processes hold the same seat at the same instant (one wins, 24 refused).
"""

from __future__ import annotations

import secrets
import statistics
import time

from rich.console import Console
from rich.table import Table

import bmstui
from bmstui.bench.common import SPAWN, bench_show, percentile_ms, worker_setup
from bmstui.cli.registry import command
from bmstui.config import get_settings, mask_url

console = Console()


def add_parser(bench_sub, common) -> None:
    holds = bench_sub.add_parser("holds", parents=[common], help="hold+release speed")
    holds.add_argument("--workers", type=int, default=16, help="processes (default 16)")
    holds.add_argument("--seconds", type=float, default=5.0, help="per throughput run")
    holds.add_argument("--contended", action="store_true",
                       help="all workers fight over the same 8 seats")
    holds.add_argument("--burst", type=int, default=25, help="counters in the burst tests")
    holds.add_argument("--rounds", type=int, default=10, help="bursts to measure")


def _service_loop(url, locking, show_id, seat_sets, seconds, barrier, out):
    from bmstui.domain.errors import BookingError
    from bmstui.services import seating

    worker_setup(url, locking)
    seating.seat_map(show_id)
    latencies, refused = [], 0
    barrier.wait()
    stop = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < stop:
        labels = seat_sets[i % len(seat_sets)]
        i += 1
        start = time.perf_counter()
        try:
            held = seating.hold(show_id, labels, ttl=30)
            seating.release(held.token)
        except BookingError:
            refused += 1
            continue
        latencies.append(time.perf_counter() - start)
    out.put((latencies, refused))


def _raw_loop(url, locking, show_id, seat_sets, seconds, barrier, out):
    """The same two statements on a bare driver connection: the floor the service is held to."""
    from bmstui.store.db import clock_offset, clock_text, database, is_mysql
    from bmstui.store.models import Seat, ShowSeat

    worker_setup(url, locking)
    with database.connection_context():
        ids_of = {
            label: sid for sid, label in ShowSeat.select(ShowSeat.id, Seat.label).join(Seat)
            .where(ShowSeat.show == show_id).tuples()
        }
    raw = database.obj._connect()
    mysql = is_mysql()
    if mysql:
        raw.autocommit(False)
    mark = "%s" if mysql else "?"
    now, ttl = clock_text(mysql), clock_offset(mysql, 30)
    hold_sql = (f"UPDATE show_seat SET status='held', hold_token={mark}, held_until="
                f"{clock_text(mysql, mark)}, updated_at={now} "
                f"WHERE id IN ({{}}) AND (status='available' OR (status='held' AND "
                f"held_until <= {now}))")
    release_sql = (f"UPDATE show_seat SET status='available', hold_token=NULL, "
                   f"held_until=NULL, updated_at={now} WHERE id IN ({{}}) "
                   f"AND hold_token={mark}")
    latencies, refused = [], 0
    barrier.wait()
    stop = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < stop:
        ids = sorted(ids_of[label] for label in seat_sets[i % len(seat_sets)])
        i += 1
        marks = ", ".join([mark] * len(ids))
        token = secrets.token_hex(16)
        start = time.perf_counter()
        cur = raw.cursor()
        if not mysql:
            cur.execute("BEGIN IMMEDIATE")
        changed = cur.execute(hold_sql.format(marks), [token, ttl, *ids]) if mysql else \
            cur.execute(hold_sql.format(marks), [token, ttl, *ids]).rowcount
        if changed != len(ids):
            raw.rollback()
            refused += 1
            continue
        raw.commit()
        if not mysql:
            cur.execute("BEGIN IMMEDIATE")
        cur.execute(release_sql.format(marks), [*ids, token])
        raw.commit()
        latencies.append(time.perf_counter() - start)
    raw.close()
    out.put((latencies, refused))


def _burst_rounds(url, locking, show_id, labels, warm_label, rounds, barrier, out):
    """``rounds`` times: wait for every counter, hold at the same instant, then release."""
    from bmstui.domain.errors import BookingError
    from bmstui.services import seating

    worker_setup(url, locking)
    # A counter that has been open a while: connection, caches and code paths are warm.
    seating.release(seating.hold(show_id, [warm_label], ttl=30).token)
    results = []
    for _ in range(rounds):
        barrier.wait()
        start = time.perf_counter()
        try:
            token = seating.hold(show_id, labels, ttl=30).token
        except BookingError:
            token = None
        results.append((token is not None, time.perf_counter() - start))
        barrier.wait()  # everyone has tried; now give the seats back for the next round
        if token:
            seating.release(token)
    out.put(results)


def _run(target, n, args_for) -> list:
    barrier = SPAWN.Barrier(n)
    out = SPAWN.Queue()
    procs = [SPAWN.Process(target=target, args=(*args_for(i), barrier, out)) for i in range(n)]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    return results


@command("bench holds")
def bench_holds(args) -> int:
    from bmstui.services import seating

    settings = get_settings()
    url = settings.resolved_database_url
    bmstui.open_database(url)
    show_id, labels = bench_show()
    n, seconds = args.workers, args.seconds
    if args.contended:
        pool = labels[:8]
        sets = [[[pool[(w + k) % 8], pool[(w + k + 1) % 8]] for k in range(8)] for w in range(n)]
    else:
        if len(labels) < 2 * n:
            raise SystemExit(f"the bench screen has {len(labels)} seats; use --workers ≤ {len(labels)//2}")
        sets = [[[labels[2 * w], labels[2 * w + 1]]] for w in range(n)]
    console.print(
        f"[bold]bench holds[/] on {mask_url(url)} · {n} processes × {seconds:g} s · "
        f"locking={settings.locking} · {'contended' if args.contended else 'distinct seats'}"
    )
    table = Table("path", "cycles/s", "p50 ms", "p99 ms", "refused")
    rates = {}
    for name, target in (("service", _service_loop), ("raw driver", _raw_loop)):
        results = _run(target, n, lambda i: (url, settings.locking, show_id, sets[i], seconds))
        latencies = [x for lat, _ in results for x in lat]
        rates[name] = len(latencies) / seconds
        table.add_row(name, f"{rates[name]:,.0f}", f"{percentile_ms(latencies, .5):.2f}",
                      f"{percentile_ms(latencies, .99):.2f}", str(sum(r for _, r in results)))
    console.print(table)
    ratio = rates["service"] / rates["raw driver"] if rates["raw driver"] else float("nan")
    console.print(f"service / raw = [bold]{ratio:.2f}[/] (target ≥ 0.60)")

    burst, rounds = args.burst, args.rounds
    warm = labels[-burst:]
    seating.sweep(show_id)
    distinct = [r for rs in _run(_burst_rounds, burst, lambda i: (
        url, settings.locking, show_id, [labels[i]], warm[i], rounds)) for r in rs]
    held = sum(ok for ok, _ in distinct)
    console.print(
        f"{burst} counters, {burst} different seats at once, {rounds} rounds: "
        f"{held}/{burst * rounds} held, median {statistics.median(t for _, t in distinct) * 1000:.1f} ms, "
        f"p95 {percentile_ms([t for _, t in distinct], .95):.1f} ms"
    )
    same = [r for rs in _run(_burst_rounds, burst, lambda i: (
        url, settings.locking, show_id, [labels[0]], warm[i], rounds)) for r in rs]
    losers = [t for ok, t in same if not ok]
    console.print(
        f"{burst} counters, one seat at once, {rounds} rounds: {len(same) - len(losers)} won, "
        f"{len(losers)} refused, losers' median "
        f"{statistics.median(losers) * 1000 if losers else float('nan'):.1f} ms, "
        f"p95 {percentile_ms(losers, .95):.1f} ms"
    )
    return 0
