"""Several cinemas on one MariaDB Galera cluster: counters on three nodes race for the same seats.

A 3-node cluster runs on loopback (``tests/mariadb_nodes.py``); the schema and a show are made
through node 1, then counter processes, spread round-robin over the three nodes, hold, confirm,
release and cancel overlapping seats of that show for a few seconds. On Galera two nodes can
both take a seat locally; the second write set to reach the cluster fails certification and its
transaction gets error 1213 (at COMMIT, or earlier when a replicated write aborts it). The test
proves that this happens, that ``bmstui.store.db.transaction`` retries it, that no clerk sees it, and
that no seat is ever sold twice, on every node.

Needs mariadbd, galera-4 and rsync: skipped with the reason when they are missing, a failure
instead with ``BMSTUI_REQUIRE_GALERA=1`` (CI).
"""

from __future__ import annotations

import itertools
import os
import time
from collections import Counter

import pytest
import workers
from conftest import make_show
from mariadb_nodes import GaleraCluster, unavailable_reason
from test_concurrency import SPAWN, assert_invariants

import bmstui
from bmstui.domain.errors import TryAgain
from bmstui.services import seating
from bmstui.store.db import NOT_IN_CLUSTER_MESSAGE, RETRY_BUDGET_SECONDS, database
from bmstui.store.models import Booking, Seat, ShowSeat

pytestmark = [pytest.mark.galera, pytest.mark.slow]

REQUIRE_GALERA = os.environ.get("BMSTUI_REQUIRE_GALERA") == "1"
PROCESSES = 12  # four counters per node
SECONDS = 10  # of racing, after every counter is connected
# Few seats, many counters: most holds overlap another node's, which is the point.
HOT_SEATS = ["E5", "E6", "E7", "E8", "E9", "E10", "F6", "F7", "F8", "F9"]
# Galera's own counters of the conflicts it resolved: a local transaction that failed
# certification at commit, and one aborted by a replicated write set that had won.
CONFLICT_STATUS = ("wsrep_local_cert_failures", "wsrep_local_bf_aborts")
# What a clerk must never see: the retries running out, or the connection going.
NOT_FOR_CLERKS = {"TryAgain", "ConnectionLost", "OutcomeUnknown"}


@pytest.fixture(scope="module")
def cluster():
    """Three Galera nodes on loopback, synced; stopped and deleted whatever happens."""
    reason = unavailable_reason(galera=True)
    if reason:
        if REQUIRE_GALERA:
            pytest.fail(f"BMSTUI_REQUIRE_GALERA=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    with GaleraCluster(size=3) as made:
        yield made


@pytest.fixture
def chain(cluster):
    """Database, schema, demo catalog and one fresh show, all made through node 1; returns
    (the nodes' URLs, show id) once every node has applied them."""
    first = cluster.nodes[0]
    first.query("CREATE DATABASE IF NOT EXISTS bmstui CHARACTER SET utf8mb4")
    bmstui.open_database(first.url("bmstui"))
    try:
        bmstui.create_schema()
        bmstui.load_demo_data(days=1)
        show = make_show()
        seats = _causal_count(first, show)
        for node in cluster.nodes[1:]:
            assert _causal_count(node, show) == seats, f"{node.name} missed the show's seats"
        yield [node.url("bmstui") for node in cluster.nodes], show
    finally:
        database.obj.close_all()


def _causal_count(node, show_id: int) -> int:
    """The show's seats as ``node`` sees them after applying everything the cluster committed
    before this read (``wsrep_sync_wait``: a causal read)."""
    with node.connect("bmstui") as conn, conn.cursor() as cur:
        cur.execute("SET SESSION wsrep_sync_wait = 1")
        cur.execute("SELECT COUNT(*) FROM show_seat WHERE show_id = %s", (show_id,))
        return cur.fetchone()[0]


def _conflicts(cluster) -> Counter:
    total = Counter()
    for node in cluster.nodes:
        total.update({k: int(v) for k, v in node.status(*CONFLICT_STATUS).items()})
    return total


def _run(procs, results, timeout: float) -> list[dict]:
    """Start the counters and collect one report from each; none is left running."""
    try:
        for proc in procs:
            proc.start()
        reports = [results.get(timeout=timeout) for _ in procs]
        for proc in procs:
            proc.join(timeout=30)
            assert proc.exitcode == 0, f"a counter process exited with {proc.exitcode}"
        return reports
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=10)


def _double_sales(reports: list[dict]) -> list[str]:
    """Seats on two tickets at once as the clerks saw it. A booking is surely valid from the
    moment its confirm returned until the moment its cancel was asked (or the end); two such
    windows of one seat that overlap are a seat sold twice, even if one was cancelled later.
    (Sorted by start, any overlap shows up between neighbours.)"""
    windows: dict[str, list[tuple[float, float, str]]] = {}
    for report in reports:
        for code, labels, sold_at in report["confirmed"]:
            until = report["cancelled"].get(code, float("inf"))
            for label in labels:
                windows.setdefault(label, []).append((sold_at, until, code))
    clashes = []
    for label, spans in windows.items():
        spans.sort()
        for (_, end, code), (start, _, other) in itertools.pairwise(spans):
            if start < end:
                clashes.append(f"{label}: {code} and {other}")
    return clashes


def test_counters_on_three_nodes_never_sell_a_seat_twice(cluster, chain):
    urls, show = chain
    before = _conflicts(cluster)
    barrier = SPAWN.Barrier(PROCESSES)
    results = SPAWN.Queue()
    procs = [
        SPAWN.Process(target=workers.cluster_counter,
                      args=(urls[i % 3], i % 3, show, HOT_SEATS, SECONDS, i, barrier, results))
        for i in range(PROCESSES)
    ]
    started = time.monotonic()
    reports = _run(procs, results, timeout=SECONDS + 150)
    elapsed = time.monotonic() - started

    # Clerks saw bookings and refusals, nothing else: no raw error, no retries running out.
    errors = [(r["node"], e) for r in reports for e in r["errors"]]
    assert errors == []
    refused = sum((r["refused"] for r in reports), Counter())
    assert not NOT_FOR_CLERKS & set(refused), f"a clerk was told to try again: {refused}"

    # Certification conflicts really happened, and bmstui retried them.
    retries = sum((r["retries"] for r in reports), Counter())
    conflicts = _conflicts(cluster) - before
    assert sum(conflicts.values()) > 0, f"Galera resolved no conflict: {conflicts}"
    assert retries[1213] > 0, f"no 1213 was retried: {dict(retries)}"

    # The race was a race: every node sold, and counters were refused.
    confirmed = [c for r in reports for c in r["confirmed"]]
    per_node = Counter(r["node"] for r in reports for _ in r["confirmed"])
    assert sorted(per_node) == [0, 1, 2], f"bookings per node: {dict(per_node)}"
    assert refused["SeatsUnavailable"] > 0
    assert _double_sales(reports) == []

    # Every node, once it has applied everything, holds exactly what the clerks were told.
    cluster.wait_synced(timeout=60)
    codes = {code for code, _, _ in confirmed}
    cancelled = {code for r in reports for code in r["cancelled"]}
    selling = {label for code, labels, _ in confirmed if code not in cancelled
               for label in labels}
    for node, url in zip(cluster.nodes, urls, strict=True):
        _causal_count(node, show)
        bmstui.open_database(url)
        try:
            with database.connection_context():
                assert {b.code for b in Booking.select().where(Booking.show == show)} == codes
                booked = {label for (label,) in (
                    ShowSeat.select(Seat.label).join(Seat)
                    .where((ShowSeat.show == show) & (ShowSeat.status == "booked")).tuples())}
            assert booked == selling, f"{node.name}: booked seats differ from the tickets"
            assert_invariants(show)
        finally:
            database.obj.close_all()

    print(
        f"\ngalera: {PROCESSES} counters on 3 nodes for {SECONDS} s "
        f"({elapsed:.1f} s with start-up): {sum(r['holds'] for r in reports)} holds, "
        f"{len(confirmed)} bookings ({len(cancelled)} cancelled again), "
        f"refused {dict(refused)}, retried {dict(retries)}, Galera conflicts {dict(conflicts)}"
    )


def test_a_node_cut_off_from_the_cluster_refuses_in_plain_words(cluster, chain):
    """Runs last: it takes the cluster down. Nodes 2 and 3 die; node 1 loses quorum and must
    refuse reads and writes with the cluster message (after retrying within the budget), never
    a raw 1047/1180 and never a hang."""
    urls, show = chain
    bmstui.open_database(urls[0])
    seats = [seat.label for seat in seating.seat_map(show) if seat.status == "available"]
    for node in cluster.nodes[1:]:
        node.kill()
    first = cluster.nodes[0]
    deadline = time.monotonic() + 60
    while first.status("wsrep_cluster_status")["wsrep_cluster_status"] == "Primary":
        assert time.monotonic() < deadline, "node 1 never noticed it was alone"
        time.sleep(0.5)
    try:
        started = time.monotonic()
        with pytest.raises(TryAgain) as refused_write:
            seating.hold(show, seats[:2])
        with pytest.raises(TryAgain) as refused_read:
            seating.seat_map(show)
        waited = time.monotonic() - started
    finally:
        database.obj.close_all()
    assert str(refused_write.value) == str(refused_read.value) == NOT_IN_CLUSTER_MESSAGE
    assert waited < 3 * RETRY_BUDGET_SECONDS
