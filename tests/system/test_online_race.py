"""Two `bmstui serve` processes and a counter (the real TUI, driven by pilot) on one database,
all after the same seats of one show: no seat is sold twice, the counter's grid shows the
website's hold, and the website is refused the counter's hold."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time

import httpx
import peewee as pw
import pytest
from actor_support import ADMIN
from test_api_serve import free_port

from bmstui.services import channels
from bmstui.store.db import database
from bmstui.store.models import BookingSeat, ShowSeat
from screens.widgets.seat_grid import SeatGrid
from tests.ui_support import make_app, open_show, wait_for, wait_for_checkout


def start_server(url: str, tmp_path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "HOME": str(tmp_path), "BMSTUI_API_REQUESTS_PER_SECOND": "100000",
           "BMSTUI_API_MAX_OPEN_HOLDS": "100000"}
    env.pop("BMSTUI_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-c", "from bmstui.cli import main; raise SystemExit(main())",
         "--db", url, "serve", "--port", str(port)],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/api/v1"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/health", timeout=2)
            return server, base
        except httpx.TransportError:
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "a server did not start"
            time.sleep(0.2)


@pytest.mark.slow
async def test_two_api_servers_and_a_counter_never_sell_a_seat_twice(demo_db, new_show,
                                                                      tmp_path):
    show_id = new_show()
    _, key = channels.add(f"race{random.randrange(10**6)}", by=ADMIN)
    servers = [start_server(demo_db, tmp_path) for _ in range(2)]
    try:
        app = make_app(tmp_path / "counter", as_="cashier1")
        async with app.run_test(size=(120, 40)) as pilot:
            grid = await open_show(pilot, show_id)
            front = ["A1", "A2", "A3", "A4", "A5", "A6"]

            async def buyer(i: int, client: httpx.AsyncClient) -> list[str]:
                rng = random.Random(i)
                sold = []
                for _ in range(6):
                    seats = rng.sample(front, 2)
                    held = await client.post(f"/shows/{show_id}/holds", json={"seats": seats})
                    if held.status_code != 201:
                        assert held.status_code == 409, held.text
                        assert held.json()["type"] == "seats-unavailable"
                        continue
                    token = held.json()["token"]
                    done = await client.post(f"/holds/{token}/confirm", json={"method": "card"},
                                             headers={"Idempotency-Key": token})
                    assert done.status_code == 201, done.text
                    sold += done.json()["seats"]
                return sold

            clients = [httpx.AsyncClient(base_url=base, headers={
                "Authorization": f"Bearer {key}"}, timeout=30) for _, base in servers]
            try:
                # The counter takes the two best seats first, then the website rushes the front.
                await pilot.press("2", "enter")
                checkout = await wait_for_checkout(pilot)
                counter_seats = list(checkout.hold.labels)
                refused = await clients[0].post(f"/shows/{show_id}/holds",
                                                json={"seats": counter_seats})
                assert refused.status_code == 409
                assert sorted(refused.json()["seats"]) == sorted(counter_seats)
                results = await asyncio.gather(*(buyer(i, clients[i % 2]) for i in range(8)))
                # An online hold shows on the counter's grid.
                held = await clients[1].post(f"/shows/{show_id}/holds", json={"best": 1})
                assert held.status_code == 201
                label = held.json()["seats"][0]
                await pilot.press("escape")  # back to the grid (the counter's hold released)
                seat_id = next(s.id for s in grid.live.seats if s.label == label)
                await wait_for(pilot, lambda: grid.live.status(seat_id) == "held", timeout=5,
                               what="the online hold on the counter's grid")
                assert grid.query_one(SeatGrid) is not None
            finally:
                for client in clients:
                    await client.aclose()
        sold_online = [label for sold in results for label in sold]
        assert len(sold_online) == len(set(sold_online))  # the website never sold one twice
        with database.connection_context():
            doubles = (BookingSeat.select(BookingSeat.show_seat).join(ShowSeat)
                       .where(ShowSeat.show == show_id).group_by(BookingSeat.show_seat)
                       .having(pw.fn.COUNT(BookingSeat.id) > 1).count())
        assert doubles == 0
        assert not set(sold_online) & set(counter_seats)
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(timeout=10)
