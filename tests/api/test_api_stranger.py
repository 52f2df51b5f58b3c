"""What a stranger found driving the online channel by hand, each pinned: a sold hold says
so, a whole-booking cancel retried answers its refund, a cancelled show refuses a best pick as
closed, a refund quote past the cutoff promises nothing, and health is not "ok" on a database
without tables."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from actor_support import ADMIN
from test_api_sale import api, auth, key, sell_online, site  # noqa: F401 -- fixtures

from bmstui.api import create_app
from bmstui.config import get_settings
from bmstui.services import scheduling


async def test_a_sold_hold_names_its_booking(api, key, new_show):  # noqa: F811
    show_id = new_show()
    held = (await api.post(f"/shows/{show_id}/holds", json={"seats": ["C1"]},
                           headers=auth(key))).json()
    assert (await api.get(f"/holds/{held['token']}", headers=auth(key))).json()["status"] == \
        "held"
    sold = await api.post(f"/holds/{held['token']}/confirm", json={"method": "card"},
                          headers={**auth(key), "Idempotency-Key": "k1"})
    answer = await api.get(f"/holds/{held['token']}", headers=auth(key))
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "confirmed"
    assert answer.json()["booking"] == sold.json()["code"]
    assert answer.json()["seats"] == ["C1"] and answer.json()["seconds_left"] == 0


async def test_a_whole_booking_cancel_retried_answers_its_refund(api, key, new_show):  # noqa: F811
    show_id = new_show(starts_in=timedelta(days=20))
    code = (await sell_online(api, key, show_id, ["D1", "D2"]))["code"]
    headers = {**auth(key), "Idempotency-Key": "whole-1"}
    first = await api.post(f"/bookings/{code}/cancel", headers=headers)
    assert first.status_code == 201, first.text
    again = await api.post(f"/bookings/{code}/cancel", headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["amount"] == first.json()["amount"]
    assert sorted(again.json()["seats"]) == ["D1", "D2"]


async def test_a_cancelled_show_refuses_a_best_pick_as_closed(api, key, new_show):  # noqa: F811
    show_id = new_show()
    scheduling.cancel_show(show_id, reason="projector", operator=ADMIN)
    answer = await api.post(f"/shows/{show_id}/holds", json={"best": 2}, headers=auth(key))
    assert answer.status_code == 409 and answer.json()["type"] == "booking-closed", answer.text


async def test_a_refund_quote_past_the_cutoff_promises_nothing(api, key, new_show,  # noqa: F811
                                                               settings):
    show_id = new_show(starts_in=timedelta(hours=2))
    code = (await sell_online(api, key, show_id, ["E1"]))["code"]
    settings(cancellation_cutoff_minutes=180)
    quote = (await api.get(f"/bookings/{code}/refund-quote", headers=auth(key))).json()
    assert quote["allowed"] is False and quote["amount"] == "0.00" and quote["percent"] == "0"
    refused = await api.post(f"/bookings/{code}/cancel",
                             headers={**auth(key), "Idempotency-Key": "late-1"})
    assert refused.status_code == 409 and "manager" not in refused.json()["detail"]


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_health_is_not_ok_without_tables(empty_db):
    app = create_app(get_settings())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        answer = await client.get("/api/v1/health")
    assert answer.status_code == 503 and answer.json()["database"] == "no tables"


async def test_a_seat_maps_seats_left_counts_its_free_seats(api, key, new_show):  # noqa: F811
    """seats_left of GET /shows/{id} is counted from the map itself (no second scan)."""
    show_id = new_show()
    await api.post(f"/shows/{show_id}/holds", json={"seats": ["B1", "B2"]}, headers=auth(key))
    body = (await api.get(f"/shows/{show_id}")).json()
    free = sum(seat["status"] == "available" for seat in body["seats"])
    assert body["seats_left"] == free == len(body["seats"]) - 2


async def test_a_seat_map_revalidates_with_weak_and_star_tags(api, new_show):  # noqa: F811
    show_id = new_show()
    etag = (await api.get(f"/shows/{show_id}")).headers["etag"]
    for sent in (etag, f"W/{etag}", "*", f'"other", {etag}'):
        answer = await api.get(f"/shows/{show_id}", headers={"If-None-Match": sent})
        assert answer.status_code == 304, sent
    assert (await api.get(f"/shows/{show_id}", headers={"If-None-Match": '"other"'})
            ).status_code == 200


async def test_a_refused_key_says_which_scheme(api, new_show):  # noqa: F811
    answer = await api.post(f"/shows/{new_show()}/holds", json={"best": 1},
                            headers={"Authorization": "Bearer nonsense"})
    assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Bearer")


def test_racing_confirms_of_one_hold_make_one_booking_and_say_so(demo_db, new_show):
    """Found by a stranger: eight confirms of one hold at once all answered 201 "made"."""
    from concurrent.futures import ThreadPoolExecutor

    from bmstui.services import channels, online

    _, secret = channels.add(f"race{new_show()}", by=ADMIN)
    channel = channels.authenticate(secret)
    token = online.hold(channel, new_show(), seats=["D4", "D5"]).token
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: online.confirm(channel, token, method="card"),
                                range(6)))
    assert len({booking.code for booking, _ in answers}) == 1
    assert sum(made for _, made in answers) == 1


async def test_the_openapi_document_says_how_to_authenticate_and_how_refusals_look(api):  # noqa: F811
    document = (await api.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"]["channelKey"]["scheme"] == "bearer"
    assert document["components"]["schemas"]["Problem"]["required"][0] == "type"
    for path, operations in document["paths"].items():
        for name, operation in operations.items():
            refusal = operation["responses"]["default"]["content"]
            assert "application/problem+json" in refusal, (path, name)
            needs_key = not path.startswith(("/api/v1/health", "/api/v1/cities",
                                             "/api/v1/theaters", "/api/v1/movies",
                                             "/api/v1/shows/{show_id}")) or path.endswith("holds")
            assert ("security" in operation) == needs_key, (path, name)
