"""A whole online sale through the API on the counters' seat engine (both backends): hold,
quote, confirm with an idempotency key, and what the counters see of it; refusals as problems."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from actor_support import ADMIN

from bmstui.api import create_app
from bmstui.config import get_settings
from bmstui.domain.errors import SeatsUnavailable
from bmstui.services import audit, channels, online, sales, seating
from bmstui.store.db import database
from bmstui.store.models import Booking as BookingRow


@pytest.fixture
async def api(demo_db):
    transport = httpx.ASGITransport(app=create_app(get_settings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test/api/v1") as client:
        yield client


def new_channel(prefix: str = "web", scopes: str = "read,sell,cancel") -> tuple[str, str]:
    """(name, key) of a new channel (names are unique across the shared test database)."""
    import secrets

    info, key = channels.add(f"{prefix}{secrets.token_hex(3)}", scopes=scopes, by=ADMIN)
    return info.name, key


@pytest.fixture
def site(demo_db):
    return new_channel()


@pytest.fixture
def key(site):
    return site[1]


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


async def test_hold_quote_confirm_and_the_counters_see_it(api, site, key, new_show):
    name = site[0]
    show_id = new_show()
    held = await api.post(f"/shows/{show_id}/holds", json={"seats": ["F7", "F8"]},
                          headers=auth(key))
    assert held.status_code == 201, held.text
    hold = held.json()
    assert hold["seats"] == ["F7", "F8"] and hold["seconds_left"] > 0
    assert hold["expires_at"].endswith("Z")
    # A counter's grid sees the seats held; the counter cannot take them.
    states = {s.label: s.status for s in seating.seat_map(show_id)}
    assert states["F7"] == states["F8"] == "held"
    with pytest.raises(SeatsUnavailable):
        seating.hold(show_id, ["F8"], terminal="counter-2")
    quoted = await api.post(f"/holds/{hold['token']}/quote", json={}, headers=auth(key))
    assert quoted.json()["total"] == hold["total"]
    body = {"method": "upi", "customer": {"phone": "98450 12345"}}
    headers = {**auth(key), "Idempotency-Key": "order-1"}
    sold = await api.post(f"/holds/{hold['token']}/confirm", json=body, headers=headers)
    assert sold.status_code == 201, sold.text
    booking = sold.json()
    assert booking["seats"] == ["F7", "F8"] and booking["channel"] == name
    assert booking["total"] == hold["total"] and booking["payment"]["method"] == "upi"
    again = await api.post(f"/holds/{hold['token']}/confirm", json=body, headers=headers)
    assert again.status_code == 200 and again.json()["code"] == booking["code"]
    with database.connection_context():
        assert BookingRow.select().where(BookingRow.show == show_id).count() == 1
    found = sales.find_bookings(booking["code"])[0]
    assert found.terminal == f"online:{name}"
    sale = next(e for e in audit.events(kind="sale") if e.booking_code == booking["code"])
    assert sale.operator == f"channel:{name}" and sale.terminal == f"online:{name}"


async def test_best_seats_and_release(api, key, new_show):
    show_id = new_show()
    held = (await api.post(f"/shows/{show_id}/holds", json={"best": 3},
                           headers=auth(key))).json()
    assert len(held["seats"]) == 3
    assert (await api.get(f"/holds/{held['token']}", headers=auth(key))).json()["seats"] == \
        held["seats"]
    gone = await api.delete(f"/holds/{held['token']}", headers=auth(key))
    assert gone.json()["released"] == 3
    states = {s.label: s.status for s in seating.seat_map(show_id)}
    assert all(states[label] == "available" for label in held["seats"])


async def test_the_counters_hold_is_refused_to_the_website(api, key, new_show):
    show_id = new_show()
    seating.hold(show_id, ["C1", "C2"], terminal="counter-1")
    answer = await api.post(f"/shows/{show_id}/holds", json={"seats": ["C2", "C3"]},
                            headers=auth(key))
    assert answer.status_code == 409
    problem = answer.json()
    assert problem["type"] == "seats-unavailable" and problem["seats"] == ["C2"]
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_channel_reaches_only_its_own_holds(api, key, new_show):
    other = new_channel("app")[1]
    show_id = new_show()
    counter = seating.hold(show_id, ["D1"], terminal="counter-1")
    mine = (await api.post(f"/shows/{show_id}/holds", json={"seats": ["D2"]},
                           headers=auth(key))).json()
    for token in (counter.token, mine["token"]):
        for call in (api.get(f"/holds/{token}", headers=auth(other)),
                     api.delete(f"/holds/{token}", headers=auth(other)),
                     api.post(f"/holds/{token}/confirm", json={"method": "card"},
                              headers={**auth(other), "Idempotency-Key": "x"})):
            answer = await call
            assert answer.status_code == 404 and answer.json()["type"] == "hold-not-found"
    assert seating.get_hold(mine["token"]).labels == ("D2",)


async def test_refusals_of_a_sale_are_problems(api, key, new_show):
    show_id = new_show()
    token = (await api.post(f"/shows/{show_id}/holds", json={"seats": ["E1"]},
                            headers=auth(key))).json()["token"]
    confirm = f"/holds/{token}/confirm"
    cases = [
        (api.post(confirm, json={"method": "cash"},
                  headers={**auth(key), "Idempotency-Key": "k"}), 402, "payment-declined"),
        (api.post(confirm, json={"method": "card"}, headers=auth(key)), 422, "invalid-request"),
        (api.post(confirm, json={"method": "card", "coupon": "NOPE"},
                  headers={**auth(key), "Idempotency-Key": "k"}), 422, "coupon-invalid"),
        (api.post(f"/shows/{show_id}/holds", json={"seats": ["E2"], "best": 2},
                  headers=auth(key)), 422, "invalid-request"),
        (api.post(f"/shows/{show_id}/holds", json={"seats": ["ZZ99"]},
                  headers=auth(key)), 422, "invalid-seats"),
        (api.post(f"/shows/{show_id}/holds", json={"best": 0}, headers=auth(key)), 422,
         "invalid-request"),
        (api.post(f"/shows/{show_id}/holds", json={"seats": ["E3"]}), 401, "unauthenticated"),
        (api.post(f"/shows/{show_id}/holds", json={"seats": "E3"}, headers=auth(key)), 422,
         "invalid-request"),
        (api.get("/holds/not-a-token", headers=auth(key)), 404, "hold-not-found"),
    ]
    for call, status, kind in cases:
        answer = await call
        assert (answer.status_code, answer.json()["type"]) == (status, kind), answer.text
    assert seating.get_hold(token).labels == ("E1",)  # nothing refused took the hold away


async def test_a_read_only_key_cannot_sell(api, new_show):
    _, reader = new_channel("listing", scopes="read")
    answer = await api.post(f"/shows/{new_show()}/holds", json={"best": 1},
                            headers=auth(reader))
    assert answer.status_code == 403 and answer.json()["type"] == "not-authorized"


def test_a_channel_cannot_hold_a_hall(demo_db, new_show):
    from bmstui.domain.errors import TooManyHolds

    channel = channels.authenticate(new_channel("bot")[1])
    show_id = new_show()
    most = get_settings().api_max_open_holds
    for _ in range(most):
        online.hold(channel, show_id, best=1)
    with pytest.raises(TooManyHolds):
        online.hold(channel, show_id, best=1)
    assert online.open_holds(channel) == most


def test_a_channel_has_no_manager_right(demo_db):
    from bmstui.domain.errors import NotAuthorized

    channel = channels.authenticate(new_channel("shop")[1])
    with pytest.raises(NotAuthorized):
        channels.add("another", by=channel)


async def sell_online(api, key, show_id, seats, phone="98450 12345") -> dict:
    token = (await api.post(f"/shows/{show_id}/holds", json={"seats": seats},
                            headers=auth(key))).json()["token"]
    sold = await api.post(f"/holds/{token}/confirm",
                          json={"method": "card", "customer": {"phone": phone}},
                          headers={**auth(key), "Idempotency-Key": token})
    assert sold.status_code == 201, sold.text
    return sold.json()


async def test_bookings_refund_quote_and_an_idempotent_cancel(api, key, new_show):
    show_id = new_show(starts_in=timedelta(days=20))
    booking = await sell_online(api, key, show_id, ["G1", "G2", "G3"], phone="+91 98450 55501")
    code = booking["code"]
    assert (await api.get(f"/bookings/{code}", headers=auth(key))).json()["seats"] == \
        ["G1", "G2", "G3"]
    mine = (await api.get("/bookings", params={"customer_phone": "9845055501"},
                          headers=auth(key))).json()
    assert [b["code"] for b in mine] == [code]
    quote = (await api.get(f"/bookings/{code}/refund-quote", params={"seats": "G3"},
                           headers=auth(key))).json()
    assert quote["allowed"] and quote["seats"] == ["G3"]
    headers = {**auth(key), "Idempotency-Key": "cancel-1"}
    first = await api.post(f"/bookings/{code}/cancel", json={"seats": ["G3"]}, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["amount"] == quote["amount"] and first.json()["method"] == "card"
    again = await api.post(f"/bookings/{code}/cancel", json={"seats": ["G3"]}, headers=headers)
    assert again.status_code == 200 and again.json()["amount"] == first.json()["amount"]
    assert sales.find_bookings(code)[0].refunded == Decimal(first.json()["amount"])  # once
    assert {s.label: s.status for s in seating.seat_map(show_id)}["G3"] == "available"


async def test_a_channel_sees_only_its_own_bookings(api, key, new_show):
    show_id = new_show()
    counter = sales.confirm(seating.hold(show_id, ["H1"]).token, method="cash")
    other = new_channel("app")[1]
    theirs = await sell_online(api, other, show_id, ["H2"])
    for code in (counter.code, theirs["code"], "BMS-NOSUCH"):
        answer = await api.get(f"/bookings/{code}", headers=auth(key))
        assert answer.status_code == 404 and answer.json()["type"] == "booking-not-found"
        cancel = await api.post(f"/bookings/{code}/cancel", json={},
                                headers={**auth(key), "Idempotency-Key": "c"})
        assert cancel.status_code == 404
    assert sales.find_bookings(theirs["code"])[0].labels == ("H2",)


async def test_sales_by_channel_count_each_channel_and_the_counters(api, site, key, new_show):
    from datetime import date

    from bmstui.services import reports, zones

    show_id = new_show()
    sales.confirm(seating.hold(show_id, ["B7"]).token, method="cash")
    await sell_online(api, key, show_id, ["B8", "B9"])
    today = zones.today()
    lines = {line.key: line for line in reports.sales(
        day_from=date.fromordinal(today.toordinal() - 1), day_to=today, group="channel",
        by=ADMIN)}
    assert lines[site[0]].bookings == 1 and lines[site[0]].tickets == 2
    assert lines[reports.COUNTERS].tickets >= 1


async def test_an_empty_seat_list_cancels_nothing(api, key, new_show):
    """Found by a stranger: {"seats": []} cancelled and refunded the whole booking."""
    show_id = new_show(starts_in=timedelta(days=20))
    code = (await sell_online(api, key, show_id, ["H1", "H2"]))["code"]
    answer = await api.post(f"/bookings/{code}/cancel", json={"seats": []},
                            headers={**auth(key), "Idempotency-Key": "empty-1"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"] == "invalid-seats"
    assert sales.find_bookings(code)[0].refunded == Decimal("0.00")
    assert {s.label: s.status for s in seating.seat_map(show_id)}["H1"] == "booked"
