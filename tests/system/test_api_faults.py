"""The online channel when the database connection is cut at COMMIT (the cutting proxy,
MariaDB): a confirm or a cancel retried with its Idempotency-Key sells or refunds exactly once,
and a database that is away answers 503 with Retry-After, never a 500."""

from __future__ import annotations

import secrets

import httpx
import pytest
from actor_support import ADMIN

from bmstui.api import create_app
from bmstui.config import get_settings
from bmstui.services import channels, sales
from bmstui.store.db import database
from bmstui.store.models import Booking, Refund


@pytest.fixture
async def api(via_proxy):
    _, key = channels.add(f"cut{secrets.token_hex(3)}", by=ADMIN)
    transport = httpx.ASGITransport(app=create_app(get_settings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test/api/v1",
                                 headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


async def until_answered(call, tries: int = 5):
    """A client's retry loop: the same request again while the answer says try again."""
    for _ in range(tries):
        answer = await call()
        if answer.status_code != 503:
            return answer
        assert answer.headers["retry-after"] and answer.json()["type"] == "try-again"
    raise AssertionError("never answered")


@pytest.mark.parametrize("moment", ["before", "after"])
async def test_a_confirm_cut_at_commit_sells_once(api, via_proxy, new_show, moment):
    show_id = new_show()
    token = (await api.post(f"/shows/{show_id}/holds", json={"seats": ["F1", "F2"]})
             ).json()["token"]
    via_proxy.arm(moment)

    def confirm():
        return api.post(f"/holds/{token}/confirm", json={"method": "card"},
                        headers={"Idempotency-Key": f"order-{token}"})

    first = await until_answered(confirm)
    assert first.status_code in (200, 201), first.text
    assert via_proxy.cuts == [moment]
    again = await confirm()
    assert again.status_code == 200 and again.json()["code"] == first.json()["code"]
    with database.connection_context():
        assert Booking.select().where(Booking.hold_token == token).count() == 1


@pytest.mark.parametrize("moment", ["before", "after"])
async def test_a_cancel_cut_at_commit_refunds_once(api, via_proxy, new_show, moment):
    from datetime import timedelta

    show_id = new_show(starts_in=timedelta(days=10))
    token = (await api.post(f"/shows/{show_id}/holds", json={"seats": ["G5", "G6"]})
             ).json()["token"]
    code = (await api.post(f"/holds/{token}/confirm", json={"method": "upi"},
                           headers={"Idempotency-Key": token})).json()["code"]
    via_proxy.arm(moment)

    def cancel():
        return api.post(f"/bookings/{code}/cancel", json={"seats": ["G6"]},
                        headers={"Idempotency-Key": f"cancel-{code}"})

    first = await until_answered(cancel)
    assert first.status_code in (200, 201), first.text
    again = await cancel()
    assert again.status_code == 200 and again.json()["amount"] == first.json()["amount"]
    with database.connection_context():
        booking_id = Booking.get(Booking.code == code).id
        assert Refund.select().where(Refund.booking == booking_id).count() == 1
    assert sales.find_bookings(code)[0].labels == ("G5",)


async def test_a_database_that_is_away_answers_503_never_500(api, via_proxy, new_show):
    show_id = new_show()
    via_proxy.go_down()
    try:
        for call in (api.get("/health"), api.get(f"/shows/{show_id}"),
                     api.post(f"/shows/{show_id}/holds", json={"best": 2})):
            answer = await call
            assert answer.status_code == 503, answer.text
            assert answer.headers.get("retry-after")
    finally:
        via_proxy.come_back()
