"""``bmstui bench rush``: a ticket rush on the online channel while counters watch the show.

``--clients`` concurrent HTTP clients (httpx on asyncio, spread over ``--client-processes``)
each want 1-4 seats of one big show, named at random or the best ones, hold them, then confirm
(four times in five) or let them go, until the show is sold out. Meanwhile ``--counters`` processes keep a seat grid of the
show current the way an open counter screen does, and note when each sale appears there. After
the rush: requests per second, p50/p95/p99 per route, refusals, errors, time to sell out, the
counters' propagation p95, and the database's own check that no seat is on two tickets. Then a
read rush: every client fetches the seat map as fast as it can, with and without its ETag.

The bench starts its own ``bmstui serve`` (``--workers``) on the configured database with its
limits lifted (one key stands for a whole website here), or measures ``--url``.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from collections import defaultdict

from rich.console import Console

import bmstui
from bmstui.bench.common import SPAWN, bench_show, percentile_ms, worker_setup
from bmstui.cli.registry import EXIT_SETUP, command
from bmstui.config import get_settings, mask_url

console = Console()
CONFIRM_SHARE = 0.8
GIVE_UP_SECONDS = 300.0


def add_parser(bench_sub, common) -> None:
    rush = bench_sub.add_parser("rush", parents=[common],
                                help="online ticket rush: HTTP clients, counters watching")
    rush.add_argument("--clients", type=int, default=200, help="concurrent HTTP clients")
    rush.add_argument("--counters", type=int, default=5, help="counter grids watching")
    rush.add_argument("--workers", type=int, default=2, help="server processes to start")
    rush.add_argument("--url", help="measure this running API (…/api/v1) instead")
    rush.add_argument("--key", help="its key (with --url)")
    rush.add_argument("--read-seconds", type=float, default=10.0, help="the read rush")
    rush.add_argument("--client-processes", type=int, default=2,
                      help="load processes the clients are spread over (default 2)")
    rush.add_argument("--seats", type=int, default=2000,
                      help="seats of the show (the bench's own arena; 0: the biggest hall)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(url: str, workers: int) -> tuple[subprocess.Popen, str]:
    import httpx

    port = _free_port()
    env = {**os.environ, "BMSTUI_API_REQUESTS_PER_SECOND": "1000000",
           "BMSTUI_API_MAX_OPEN_HOLDS": "1000000"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from bmstui.cli import main; raise SystemExit(main())",
         "--db", url, "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/api/v1"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server ended: {server.stderr.read()[-500:]}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not answer within 60 s")


def _watch(url, locking, show_id, until, interval, barrier, out):
    """A counter's grid: which seats it saw sold, and when."""
    from bmstui.services.live import LiveSeats

    worker_setup(url, locking, terminal="rush-counter")
    live = LiveSeats.open(show_id)
    seen: dict[int, float] = {}
    barrier.wait()
    while time.time() < until.value:
        started = time.monotonic()
        for seat_id in live.apply(live.fetch()):
            if live.status(seat_id) == "booked" and seat_id not in seen:
                seen[seat_id] = time.time()
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
    out.put(seen)


class Tally:
    """What one load process saw; picklable, so each process sends its own and they add up."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[int, int]] = defaultdict(dict)
        self.errors = 0
        self.sold: dict[str, float] = {}  # seat label -> when the confirm answered
        self.sold_out = False
        self.started = self.ended = 0.0  # wall clock: processes share the machine's

    def count(self, route: str, code: int) -> None:
        self.status[route][code] = self.status[route].get(code, 0) + 1

    def add(self, other: Tally) -> None:
        for route, values in other.latency.items():
            self.latency[route].extend(values)
        for route, codes in other.status.items():
            for code, n in codes.items():
                self.status[route][code] = self.status[route].get(code, 0) + n
        self.errors += other.errors
        self.sold.update(other.sold)
        self.sold_out = self.sold_out or other.sold_out
        self.started = min(self.started or other.started, other.started)
        self.ended = max(self.ended, other.ended)


async def _request(client, tally: Tally, route: str, method: str, path: str, **kwargs):
    import httpx

    started = time.perf_counter()
    try:
        answer = await client.request(method, path, **kwargs)
    except httpx.HTTPError:
        tally.errors += 1
        return None
    tally.latency[route].append(time.perf_counter() - started)
    tally.count(route, answer.status_code)
    if answer.status_code >= 500:
        tally.errors += 1
    return answer


class Buyer:
    """One customer's browser: its own connection, and the seat map as it last saw it."""

    def __init__(self, client, labels: list[str], seed: int) -> None:
        self.client = client
        self.rng = random.Random(seed)
        self.free = list(labels)  # what the map showed free
        self.etag = ""
        self.held = 0

    async def look(self, tally: Tally, show_id: int) -> tuple[int, int]:
        """Reload the seat map (304 if unchanged): (seats free, seats held) as it shows them."""
        answer = await _request(self.client, tally, "seat map", "GET", f"/shows/{show_id}",
                                headers={"If-None-Match": self.etag} if self.etag else {})
        if answer is not None and answer.status_code == 200:
            self.etag = answer.headers.get("etag", "")
            seats = answer.json()["seats"]
            self.free = [s["label"] for s in seats if s["status"] == "available"]
            self.held = sum(1 for s in seats if s["status"] == "held")
        return len(self.free), self.held


async def _buyer(buyer: Buyer, tally: Tally, show_id: int, deadline: float, sold_out) -> None:
    rng = buyer.rng
    while not sold_out.is_set() and time.monotonic() < deadline:
        n = rng.randint(1, 4)
        if rng.random() < 0.5 or len(buyer.free) < n:
            body = {"best": n}
        else:
            body = {"seats": rng.sample(buyer.free, n)}
        held = await _request(buyer.client, tally, "hold", "POST", f"/shows/{show_id}/holds",
                              json=body)
        if held is None or held.status_code != 201:
            if held is not None and held.status_code == 409:
                # Taken meanwhile: look again, as a website does after "seat taken".
                free, still_held = await buyer.look(tally, show_id)
                if free == 0 and still_held == 0:
                    tally.sold_out = True
                    sold_out.set()
                elif free == 0:
                    await asyncio.sleep(0.2)  # others' holds may yet come back
            continue
        token = held.json()["token"]
        if rng.random() < CONFIRM_SHARE:
            sold = await _request(buyer.client, tally, "confirm", "POST",
                                  f"/holds/{token}/confirm",
                                  json={"method": rng.choice(["card", "upi"])},
                                  headers={"Idempotency-Key": token})
            if sold is not None and sold.status_code == 201:
                now = time.time()
                for label in sold.json()["seats"]:
                    tally.sold[label] = now
        else:
            await _request(buyer.client, tally, "release", "DELETE", f"/holds/{token}")


def _clients(base: str, count: int, headers: dict | None = None) -> list:
    """One client per customer, each with its own connection (a shared pool of hundreds costs
    the load generator more CPU per request than the server spends), sharing one TLS context
    (making one per client took 15 ms of CPU each)."""
    import ssl

    import httpx

    context = ssl.create_default_context()
    return [httpx.AsyncClient(base_url=base, timeout=30, verify=context, headers=headers,
                              limits=httpx.Limits(max_connections=1))
            for _ in range(count)]


async def _warm(clients) -> None:
    """Every connection opened before the clock starts (a live website's are)."""
    await asyncio.gather(*(client.get("/health") for client in clients))


async def _rush(base, key, show_id, labels, first: int, count: int, start, sold_out) -> Tally:
    tally = Tally()
    pool = _clients(base, count, {"Authorization": f"Bearer {key}"})
    try:
        await _warm(pool)
        start.wait(timeout=120)  # every load process warm: the clock starts for all at once
        tally.started = time.time()
        deadline = time.monotonic() + GIVE_UP_SECONDS
        await asyncio.gather(*(
            _buyer(Buyer(client, labels, first + i), tally, show_id, deadline, sold_out)
            for i, client in enumerate(pool)))
        tally.ended = time.time()
    finally:
        await asyncio.gather(*(client.aclose() for client in pool))
    return tally


def _rush_process(base, key, show_id, labels, first, count, start, sold_out, out) -> None:
    out.put(asyncio.run(_rush(base, key, show_id, labels, first, count, start, sold_out)))


def _shares(clients: int, processes: int) -> list[tuple[int, int]]:
    """(first client, how many) for each load process."""
    size, extra = divmod(clients, processes)
    shares, first = [], 0
    for i in range(processes):
        count = size + (i < extra)
        if count:
            shares.append((first, count))
        first += count
    return shares


def _load(base, key, show_id, labels, clients, processes) -> Tally:
    """The rush from ``processes`` load processes (one alone could not keep 200 customers'
    requests going on one core; its own queueing would show as the server's latency)."""
    shares = _shares(clients, processes)
    start, sold_out, out = SPAWN.Barrier(len(shares)), SPAWN.Event(), SPAWN.Queue()
    procs = [SPAWN.Process(target=_rush_process,
                           args=(base, key, show_id, labels, first, count, start, sold_out, out))
             for first, count in shares]
    for proc in procs:
        proc.start()
    total = Tally()
    for _ in procs:
        total.add(out.get(timeout=GIVE_UP_SECONDS + 120))
    for proc in procs:
        proc.join(timeout=30)
    return total


async def _read_rush(base, show_id, count, seconds, start) -> tuple[int, int, list[float]]:
    import httpx

    counts = [0, 0]
    latencies: list[float] = []
    pool = _clients(base, count)
    try:
        await _warm(pool)
        etag = (await pool[0].get(f"/shows/{show_id}")).headers.get("etag", "")
        start.wait(timeout=120)
        until = time.monotonic() + seconds

        async def reader(i: int) -> None:
            client = pool[i]
            while time.monotonic() < until:
                headers = {"If-None-Match": etag} if i % 2 else {}
                started = time.perf_counter()
                try:
                    answer = await client.get(f"/shows/{show_id}", headers=headers)
                except httpx.HTTPError:
                    continue
                latencies.append(time.perf_counter() - started)
                counts[answer.status_code == 304] += 1

        await asyncio.gather(*(reader(i) for i in range(count)))
    finally:
        await asyncio.gather(*(client.aclose() for client in pool))
    return counts[0], counts[1], latencies


def _read_process(base, show_id, count, seconds, start, out) -> None:
    out.put(asyncio.run(_read_rush(base, show_id, count, seconds, start)))


def _read_load(base, show_id, clients, seconds, processes) -> tuple[int, int, list[float]]:
    shares = _shares(clients, processes)
    start, out = SPAWN.Barrier(len(shares)), SPAWN.Queue()
    procs = [SPAWN.Process(target=_read_process, args=(base, show_id, count, seconds, start, out))
             for _, count in shares]
    for proc in procs:
        proc.start()
    plain = not_modified = 0
    latencies: list[float] = []
    for _ in procs:
        full, cached, times = out.get(timeout=seconds + 120)
        plain, not_modified = plain + full, not_modified + cached
        latencies.extend(times)
    for proc in procs:
        proc.join(timeout=30)
    return plain, not_modified, latencies


def _double_bookings(show_id: int) -> int:
    import peewee as pw

    from bmstui.domain.vocabulary import TicketStatus
    from bmstui.store.db import database
    from bmstui.store.models import BookingSeat, ShowSeat

    with database.connection_context():
        return (BookingSeat.select(BookingSeat.show_seat)
                .join(ShowSeat).where((ShowSeat.show == show_id)
                                      & (BookingSeat.status == TicketStatus.SOLD))
                .group_by(BookingSeat.show_seat)
                .having(pw.fn.COUNT(BookingSeat.id) > 1).count())


@command("bench rush")
def bench_rush(args) -> int:
    try:
        import httpx  # noqa: F401
    except ImportError:
        console.print("The rush needs the online channel's packages: pip install 'bmstui[api]'")
        return EXIT_SETUP
    from bmstui.domain.actors import administrator
    from bmstui.services import channels

    if (not 0 <= args.seats <= 20_000 or args.clients < 1 or args.counters < 0
            or not 1 <= args.client_processes <= 64):
        console.print("--seats takes 0 to 20000, --clients at least 1, --counters 0 or more, "
                      "--client-processes 1 to 64")
        return EXIT_SETUP
    bmstui.open_database()
    settings = get_settings()
    url = settings.resolved_database_url
    show_id, labels = bench_show(args.seats or None)
    server = None
    if args.url:
        if not args.key:
            console.print("--url needs --key: a key of that server's database")
            return EXIT_SETUP
        base, key = args.url.rstrip("/"), args.key
    else:
        _, key = channels.add(f"rush{random.randrange(10**6)}", by=administrator("bench"))
        server, base = _start_server(url, args.workers)
    try:
        console.print(f"Rush on show {show_id} ({len(labels)} seats) at {base}: "
                      f"{args.clients} clients, {args.counters} counters watching, "
                      f"database {mask_url(url)}")
        until = SPAWN.Value("d", time.time() + GIVE_UP_SECONDS + 60)
        barrier = SPAWN.Barrier(args.counters + 1)
        out = SPAWN.Queue()
        watchers = [SPAWN.Process(target=_watch, args=(url, settings.locking, show_id, until,
                                                        settings.poll_interval, barrier, out))
                    for _ in range(args.counters)]
        for proc in watchers:
            proc.start()
        barrier.wait()
        tally = _load(base, key, show_id, labels, args.clients, args.client_processes)
        seconds = max(tally.ended - tally.started, 1e-6)
        time.sleep(1.0)  # the counters' last polls
        until.value = time.time()
        seen = [out.get(timeout=60) for _ in watchers]
        for proc in watchers:
            proc.join(timeout=30)
        plain, not_modified, read_latency = _read_load(
            base, show_id, args.clients, args.read_seconds, args.client_processes)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    _report(tally, seconds, seen, show_id, labels, plain, not_modified, read_latency, args)
    return 0


def _report(tally, seconds, seen, show_id, labels, plain, not_modified, read_latency, args):
    from bmstui.services.seating import seat_map

    ids = {s.label: s.id for s in seat_map(show_id)}
    propagation = [max(0.0, grid[ids[label]] - at) for grid in seen
                   for label, at in tally.sold.items() if ids[label] in grid]
    missed = sum(1 for grid in seen for label in tally.sold if ids[label] not in grid)
    holds = sum(tally.status["hold"].values())
    confirms = tally.status["confirm"].get(201, 0)
    console.print(f"sold {len(tally.sold)} of {len(labels)} seats in {seconds:.1f} s "
                  f"({'sold out' if tally.sold_out else 'not sold out'}); "
                  f"{holds / seconds:.0f} holds/s, {confirms / seconds:.0f} bookings/s")
    for route in ("hold", "confirm", "release", "seat map"):
        values = tally.latency[route]
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(tally.status[route].items()))
        console.print(f"  {route:8} {len(values):6} requests  p50 "
                      f"{percentile_ms(values, 0.5):6.1f} ms  p95 {percentile_ms(values, 0.95):6.1f}"
                      f" ms  p99 {percentile_ms(values, 0.99):6.1f} ms   [{codes}]",
                      highlight=False)
    console.print(f"errors (5xx, connection): {tally.errors}; refused holds (409): "
                  f"{tally.status['hold'].get(409, 0)}")
    console.print(f"double bookings in the database: {_double_bookings(show_id)}")
    console.print(f"counters' grids: sales seen {len(propagation)}, missed {missed}; "
                  f"propagation p50 {percentile_ms(propagation, 0.5):.0f} ms, p95 "
                  f"{percentile_ms(propagation, 0.95):.0f} ms (target p95 ≤ 300 ms)")
    total = plain + not_modified
    console.print(f"read rush ({args.read_seconds:.0f} s, {args.clients} clients): "
                  f"{total / args.read_seconds:.0f} seat maps/s ({plain} full, {not_modified} "
                  f"304), p50 {percentile_ms(read_latency, 0.5):.1f} ms, p99 "
                  f"{percentile_ms(read_latency, 0.99):.1f} ms")
