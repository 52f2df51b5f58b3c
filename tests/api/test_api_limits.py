"""The limits a request meets before any route: requests per second per key (429 with
Retry-After), the body size (413), and the catalog closed to callers without a key when the
chain says so."""

from __future__ import annotations

import httpx
import pytest
from actor_support import ADMIN

from bmstui.api import create_app
from bmstui.api.limits import Buckets
from bmstui.config import get_settings
from bmstui.services import channels


async def client_for(settings_values, settings):
    settings(**settings_values)
    transport = httpx.ASGITransport(app=create_app(get_settings()))
    return httpx.AsyncClient(transport=transport, base_url="http://api.test/api/v1")


async def test_a_key_past_its_rate_is_told_when_to_come_back(demo_db, settings):
    import secrets

    _, key = channels.add(f"fast{secrets.token_hex(3)}", by=ADMIN)
    _, other = channels.add(f"calm{secrets.token_hex(3)}", by=ADMIN)
    async with await client_for({"api_requests_per_second": 2}, settings) as api:
        answers = [await api.get("/cities", headers={"Authorization": f"Bearer {key}"})
                   for _ in range(8)]
        statuses = [a.status_code for a in answers]
        assert statuses[:4] == [200] * 4 and 429 in statuses
        refused = next(a for a in answers if a.status_code == 429)
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["type"] == "rate-limited"
        # Another key is its own caller.
        assert (await api.get("/cities", headers={"Authorization": f"Bearer {other}"})
                ).status_code == 200


def test_the_bucket_refills_with_time():
    now = [0.0]
    buckets = Buckets(2.0, clock=lambda: now[0])
    assert [buckets.take("k") for _ in range(4)] == [0, 0, 0, 0]
    assert buckets.take("k") == pytest.approx(0.5)
    now[0] += 0.5
    assert buckets.take("k") == 0
    assert buckets.take("other") == 0


async def test_a_body_past_the_limit_is_refused_before_it_is_read(demo_db, settings):
    async with await client_for({"api_max_body_bytes": 200}, settings) as api:
        big = {"seats": ["A1"] * 100}
        answer = await api.post("/shows/1/holds", json=big)
        assert answer.status_code == 413 and answer.json()["type"] == "request-too-large"

        async def chunks():  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b'{"seats": ["A1", "A2", "A3", "A4", "A5"]}'

        streamed = await api.post("/shows/1/holds", content=chunks(),
                                  headers={"content-type": "application/json"})
        assert streamed.status_code == 413

        async def small():
            yield b'{"seats": ["A1"]}'

        passed = await api.post("/shows/1/holds", content=small(),
                                headers={"content-type": "application/json"})
        assert passed.status_code == 401  # read whole, handed on: the route asks for a key


async def test_a_closed_catalog_needs_a_key_with_read(demo_db, settings):
    import secrets

    _, reader = channels.add(f"list{secrets.token_hex(3)}", scopes="read", by=ADMIN)
    _, seller = channels.add(f"sell{secrets.token_hex(3)}", scopes="sell", by=ADMIN)
    async with await client_for({"api_public_catalog": False}, settings) as api:
        assert (await api.get("/cities")).status_code == 401
        assert (await api.get("/cities", headers={"Authorization": f"Bearer {reader}"})
                ).status_code == 200
        assert (await api.get("/cities", headers={"Authorization": f"Bearer {seller}"})
                ).status_code == 403
        assert (await api.get("/health")).status_code == 200  # a load balancer needs no key
