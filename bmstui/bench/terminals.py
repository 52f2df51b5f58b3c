"""``bmstui bench terminals``: many counters selling one show at once, at the service level.

Each counter is a process with two threads, like a terminal with its seat grid open: the grid
thread keeps a ``LiveSeats`` current on the ``terminal.poll_interval`` schedule (a late poll skips
its slot, like Textual's interval timer) and notes when it first shows each change; the clerk
thread browses the grid, holds 1-4 free seats (the best ones or a row neighbourhood), quotes the
hold, and after the customer thinks sells it (cash or card), releases it or walks away from it.
It notes the wall-clock time each of its changes committed. The parent pairs every change with
every other counter's first sighting of it (holds are told apart by their expiry, releases by the
hold they ended, sales by the seat): propagation latency. Then the clerks stop and the grids stay
open: statements per second per idle counter. Statements are counted in each process at the
driver (every statement pymysql sends, every statement SQLite runs); on MariaDB the server's
``Questions`` delta is printed as a cross-check (it also counts anyone else on the server).
"""

from __future__ import annotations

import random
import threading
import time
import traceback
from queue import Empty
from threading import BrokenBarrierError

from rich.console import Console

import bmstui
from bmstui.bench.common import SPAWN, bench_show, percentile_ms, worker_setup
from bmstui.cli.registry import command
from bmstui.config import get_settings, mask_url

console = Console()
# Seconds from the end of the busy phase to the idle window: a clerk who started a customer just
# before the end finishes the sale (up to 2 s of thinking and a card payment).
SETTLE = 3.0
TARGET_P95_MS, TARGET_IDLE_QPS = 300.0, 4.0


def add_parser(bench_sub, common) -> None:
    terms = bench_sub.add_parser("terminals", parents=[common],
                                 help="many counters on one show: propagation, queries/s")
    terms.add_argument("--n", type=int, default=20, help="counters (processes; default 20)")
    terms.add_argument("--seconds", type=float, default=10.0, help="busy phase")
    terms.add_argument("--idle", type=float, default=10.0,
                       help="idle phase (grids back off after 5 s without a change)")
    terms.add_argument("--seed", type=int, default=7, help="random seed of the clerks")
    terms.add_argument("--check", action="store_true",
                       help="exit 1 when a target is missed (the figures are printed anyway)")


class StatementCounter:
    """Statements this process sent to the database, counted at the driver."""

    def __init__(self):
        self.value = 0
        self._lock = threading.Lock()

    def add(self, n: int = 1) -> None:
        with self._lock:
            self.value += n


def count_statements() -> StatementCounter:
    """Count every statement from now on (call before the database is opened).

    MySQL: each COM_QUERY pymysql sends, COMMIT and ROLLBACK included; a multi-statement batch
    (``seat_sql.hold_batch`` joins its statements with ";\\n") counts each statement, as the
    server's ``Questions`` does. SQLite: the connection's trace callback, once per statement run.
    """
    import pymysql.connections
    from pymysql.constants import COMMAND

    from bmstui.store.db import EmbeddedDatabase

    counter = StatementCounter()
    send = pymysql.connections.Connection._execute_command

    def counted_send(conn, cmd, sql):
        if cmd == COMMAND.COM_QUERY:
            counter.add(sql.count(b";\n" if isinstance(sql, bytes) else ";\n") + 1)
        return send(conn, cmd, sql)

    hooks = EmbeddedDatabase._add_conn_hooks

    def traced_hooks(db, conn):
        conn.set_trace_callback(lambda _sql: counter.add())
        hooks(db, conn)

    pymysql.connections.Connection._execute_command = counted_send
    EmbeddedDatabase._add_conn_hooks = traced_hooks
    return counter


def _state_key(status: str, held_until) -> tuple:
    return (status, held_until if status == "held" else None)


def _grid(live, lock, counter, times, interval, phase, clerk_done, sightings, idle_marks):
    """Poll on the interval schedule until the end; note each seat's new look when first shown."""
    from bmstui.services.seating import sweep

    _, idle_from, idle_until = times
    looks = {seat.id: _state_key(live.status(seat.id), seat.held_until) for seat in live.seats}
    slot = times[0] + phase - interval  # terminals opened at random moments
    while True:
        slot += interval
        now = time.time()
        if slot < now:  # a slow poll: skip the slots it ran over
            slot += (now - slot) // interval * interval + interval
        if slot >= idle_until:
            break
        time.sleep(max(0.0, slot - time.time()))
        if slot >= idle_from and clerk_done.is_set():  # a late sale is not idle
            idle_marks.append((slot, counter.value, time.process_time()))
        if not live.poll_due():  # a quiet grid polls on every other tick, as on screen
            continue
        result = live.fetch()
        with lock:
            live.apply(result)
            seen = time.time()
            # Every row the poll brought back, not only the seats that look different: a seat
            # held again by another counter between two polls looks the same but is a new hold.
            for seat_id in {change.id for change in result.changes}:
                seat = live.seat(seat_id)
                look = _state_key(live.status(seat_id), seat.held_until)
                if look == looks[seat_id]:
                    continue
                sightings.append((seat_id, look, looks[seat_id], seen))
                looks[seat_id] = look
        if live.wants_sweep():
            sweep(live.show_id)


def _clerk(i, live, lock, show_id, busy_until, rng, events, tally):
    """A clerk at a busy counter until ``busy_until``: browse, hold, quote, then sell/release/leave."""
    from bmstui.domain.best_seats import best_available
    from bmstui.domain.errors import BookingError, SeatsUnavailable
    from bmstui.services import sales, seating

    ids_of = {seat.label: seat.id for seat in live.seats}
    while True:
        time.sleep(rng.uniform(0.5, 2.0))  # the customer at the window, the clerk at the grid
        if time.time() >= busy_until:
            return
        n = rng.randint(1, 4)
        with lock:
            tally["browse"] += 1
            free = live.free_ids()
            if rng.random() < 0.5:  # "n best seats"
                picked = best_available(live.seats, n, free)
            else:  # a seat the customer points at, and its free neighbours in the row
                pool = [live.seat(sid) for sid in free]
                if not pool:
                    continue
                near = rng.choice(pool)
                row = sorted((s for s in pool if s.y == near.y), key=lambda s: abs(s.x - near.x))
                picked = [s.id for s in row[:n]]
            labels = [live.seat(sid).label for sid in picked]
        if not labels:
            continue
        try:
            held = seating.hold(show_id, labels, terminal=f"bench-{i}")
        except SeatsUnavailable:
            tally["refused"] += 1  # another counter was first: expected
            continue
        done = time.time()
        ids = [ids_of[label] for label in held.labels]
        events.extend((("held", sid, held.expires_at), done) for sid in ids)
        tally["hold"] += 1
        tally["seats held"] += len(ids)
        sales.quote(held.token)
        time.sleep(rng.uniform(0.5, 2.0))  # the customer decides
        choice = rng.random()
        try:
            if choice < 0.6:
                method = rng.choice(("cash", "card"))
                sales.confirm(held.token, method=method)
                done = time.time()
                events.extend((("booked", sid, None), done) for sid in ids)
                tally[f"sale ({method})"] += 1
                tally["seats sold"] += len(ids)
            elif choice < 0.85:
                seating.release(held.token)
                done = time.time()
                events.extend((("available", sid, held.expires_at), done) for sid in ids)
                tally["release"] += 1
            else:
                tally["left held"] += 1  # the customer walked away; the hold runs out later
        except BookingError as exc:
            tally[f"refused: {type(exc).__name__}"] += 1


def _counter(i, url, locking, show_id, seconds, idle, interval, seed, barrier, start, out):
    from collections import Counter

    from bmstui.services.live import LiveSeats

    counter = count_statements()
    worker_setup(url, locking, terminal=f"bench-{i}")
    live = LiveSeats.open(show_id)
    rng = random.Random(seed * 1000 + i)
    lock = threading.Lock()
    events, sightings, idle_marks, errors = [], [], [], []
    tally = Counter()
    barrier.wait()  # everyone's grid is open
    barrier.wait()  # the parent has set the start
    t0 = start.value
    times = (t0, t0 + seconds + SETTLE, t0 + seconds + SETTLE + idle)
    clerk_done = threading.Event()

    def guarded(fn, *args):
        try:
            fn(*args)
        except Exception:  # noqa: BLE001 -- reported by the parent, which then exits 1
            errors.append(f"counter {i}: {traceback.format_exc()}")
        finally:
            if fn is _clerk:
                clerk_done.set()

    phase = rng.uniform(0, interval)
    threads = [
        threading.Thread(target=guarded, args=(_grid, live, lock, counter, times, interval, phase,
                                               clerk_done, sightings, idle_marks)),
        threading.Thread(target=guarded, args=(_clerk, i, live, lock, show_id, t0 + seconds, rng,
                                               events, tally)),
    ]
    time.sleep(max(0.0, t0 - time.time()))
    busy_start, cpu_start = counter.value, time.process_time()
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, t0 + seconds - time.time()))
    busy = (counter.value - busy_start, time.process_time() - cpu_start)
    for thread in threads:
        thread.join()
    out.put((i, events, sightings, idle_marks, busy, dict(tally), errors))


def _server_questions(url: str):
    """A reader of MariaDB's global ``Questions`` counter, or None on SQLite."""
    from bmstui.store.db import database, is_mysql

    if not is_mysql():
        return None

    def read() -> int:
        with database.connection_context():
            return int(database.execute_sql("SHOW GLOBAL STATUS LIKE 'Questions'").fetchone()[1])

    return read


def _no_seat_twice(show_id: int) -> tuple[bool, int, int]:
    """(no show seat in two bookings, bookings, seats sold) for the bench show."""
    import peewee as pw

    from bmstui.store.db import database
    from bmstui.store.models import Booking, BookingSeat, ShowSeat

    with database.connection_context():
        twice = (BookingSeat.select(BookingSeat.show_seat).join(Booking)
                 .where(Booking.show == show_id).group_by(BookingSeat.show_seat)
                 .having(pw.fn.COUNT(BookingSeat.id) > 1).count())
        bookings = Booking.select().where(Booking.show == show_id).count()
        sold = ShowSeat.select().where((ShowSeat.show == show_id)
                                       & (ShowSeat.status == "booked")).count()
        in_bookings = (BookingSeat.select().join(Booking)
                       .where(Booking.show == show_id).count())
    return twice == 0 and sold == in_bookings, bookings, sold


@command("bench terminals")
def bench_terminals(args) -> int:
    if args.n < 2:
        raise SystemExit("bench terminals needs --n 2 or more (changes are seen by other counters)")
    settings = get_settings()
    url = settings.resolved_database_url
    bmstui.open_database(url)
    show_id, labels = bench_show()
    interval = settings.poll_interval
    console.print(f"[bold]bench terminals[/] on {mask_url(url)}: {args.n} counters on one "
                  f"{len(labels)}-seat show, grids poll every {interval * 1000:.0f} ms; "
                  f"{args.seconds:g} s busy, then {args.idle:g} s idle")
    questions = _server_questions(url)
    barrier, start, out = SPAWN.Barrier(args.n + 1), SPAWN.Value("d", 0.0), SPAWN.Queue()
    procs = [SPAWN.Process(target=_counter, args=(
        i, url, settings.locking, show_id, args.seconds, args.idle, interval, args.seed,
        barrier, start, out), daemon=True) for i in range(args.n)]
    for proc in procs:
        proc.start()
    try:
        barrier.wait(timeout=60 + 3 * args.n)
    except BrokenBarrierError:
        console.print(f"[red]the counters did not start (exit codes "
                      f"{[p.exitcode for p in procs]})[/]")
        return 1
    t0 = start.value = time.time() + 0.5
    barrier.wait(timeout=60)
    server = {}
    idle_from = t0 + args.seconds + SETTLE
    for name, at in (("busy", t0), ("busy end", t0 + args.seconds), ("idle", idle_from),
                     ("idle end", idle_from + args.idle)):
        time.sleep(max(0.0, at - time.time()))
        if questions is not None:
            server[name] = (questions(), time.time())
    results = []
    try:
        for _ in procs:
            results.append(out.get(timeout=120))
    except Empty:
        console.print(f"[red]{args.n - len(results)} counter(s) never reported "
                      f"(exit codes {[p.exitcode for p in procs]})[/]")
        return 1
    for proc in procs:
        proc.join(timeout=30)
    errors = [e for r in results for e in r[6]]
    for error in errors:
        console.print(f"[red]{error}[/]")
    return _report(args, show_id, results, server) or (1 if errors else 0)


def _report(args, show_id: int, results, server) -> int:
    from collections import Counter

    first_seen = {i: {} for i, *_ in results}
    for i, _, sightings, *_ in results:
        for seat_id, look, before, seen in sightings:
            status, held_until = look
            # A release shows as "free again", named by the hold it ended.
            key = (status, seat_id, before[1] if status == "available" else held_until)
            first_seen[i].setdefault(key, seen)
    latencies, missed, changes = [], 0, 0
    for i, events, *_ in results:
        changes += len(events)
        for key, committed in events:
            for other, seen in first_seen.items():
                if other == i:
                    continue
                if key in seen:
                    latencies.append(max(0.0, seen[key] - committed))
                else:
                    missed += 1
    tally = Counter()
    for r in results:
        tally.update(r[5])
    sales = sum(v for k, v in tally.items() if k.startswith("sale"))
    refusals = {k: v for k, v in tally.items() if k.startswith("refused")}
    console.print(
        f"actions: {tally['browse']} browses, {tally['hold']} holds ({tally['seats held']} "
        f"seats), {sales} sales ({tally['sale (cash)']} cash, {tally['sale (card)']} card; "
        f"{tally['seats sold']} seats), {tally['release']} releases, {tally['left held']} "
        f"left held; refusals: {tally['refused']} (SeatsUnavailable: another counter was first"
        + "".join(f"; {k[9:]} {v}" for k, v in refusals.items() if k != "refused") + ")")
    p95 = percentile_ms(latencies, 0.95)
    console.print(
        f"propagation: {changes} seat changes × {args.n - 1} other grids = {len(latencies)} "
        f"sightings (+{missed} overtaken by a newer change before that grid's next poll); "
        f"p50 {percentile_ms(latencies, 0.5):.0f} ms, p95 {p95:.0f} ms, max {percentile_ms(latencies, 1.0):.0f} ms")
    busy_total = sum(r[4][0] for r in results)
    busy_cpu = sum(r[4][1] for r in results) / args.seconds / args.n
    idle_rates, idle_cpu = [], []
    for *_, idle_marks, _busy, _tally, _errors in results:
        # Marks are taken just before a poll and timed by its slot on the schedule, so a poll's
        # sleep jitter does not read as an extra query.
        if len(idle_marks) > 1:
            (t_a, c_a, cpu_a), (t_b, c_b, cpu_b) = idle_marks[0], idle_marks[-1]
            idle_rates.append((c_b - c_a) / (t_b - t_a))
            idle_cpu.append((cpu_b - cpu_a) / (t_b - t_a))
    idle_max = max(idle_rates, default=float("nan"))
    idle_avg = sum(idle_rates) / len(idle_rates) if idle_rates else float("nan")
    console.print(
        f"queries (counted in each counter's process): busy {busy_total / args.seconds:.1f}/s in "
        f"all, {busy_total / args.seconds / args.n:.2f}/s per counter; idle {idle_avg:.2f}/s per "
        f"counter on average, {idle_max:.2f} at most, {idle_avg * args.n:.1f}/s in all")
    console.print(
        f"client CPU per counter process: busy {busy_cpu * 1000:.0f} ms/s, idle "
        f"{sum(idle_cpu) / max(1, len(idle_cpu)) * 1000:.0f} ms/s (of one core)")
    if server:
        def rate(a, b):
            return (server[b][0] - server[a][0]) / (server[b][1] - server[a][1])
        console.print(
            f"server cross-check (global Questions, anyone else on the server included): busy "
            f"{rate('busy', 'busy end'):.1f}/s, idle {rate('idle', 'idle end'):.1f}/s "
            f"= {rate('idle', 'idle end') / args.n:.2f}/s per counter")
    ok, bookings, sold = _no_seat_twice(show_id)
    console.print(f"invariant no seat in two bookings: {'OK' if ok else 'VIOLATED'} "
                  f"({bookings} bookings, {sold} seats sold)")
    met = p95 <= TARGET_P95_MS and idle_max <= TARGET_IDLE_QPS
    console.print(
        f"verdict: propagation p95 {p95:.0f} ms {'≤' if p95 <= TARGET_P95_MS else '>'} "
        f"{TARGET_P95_MS:.0f} ms, idle {idle_max:.2f} queries/s per counter "
        f"{'≤' if idle_max <= TARGET_IDLE_QPS else '>'} {TARGET_IDLE_QPS:g}: "
        f"{'targets met' if met else 'TARGET MISSED'}")
    if not ok:
        return 1
    return 1 if args.check and not met else 0
