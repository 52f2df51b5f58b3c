"""Whatever a client sends (any JSON body, any path parameter, any header value), the API
answers a problem document or a success, never a 500 and never a traceback: hypothesis draws
the requests, on SQLite in the default tier (the property campaigns' MariaDB runs are in the
system tier)."""

from __future__ import annotations

import secrets

import pytest
from actor_support import ADMIN
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from property_support import examples

from bmstui.api import create_app
from bmstui.config import get_settings
from bmstui.services import channels

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=5),
    max_leaves=20,
)
FIELDS = st.fixed_dictionaries({}, optional={
    "seats": JSON | st.lists(st.text(max_size=8), max_size=12),
    "best": JSON, "method": JSON | st.sampled_from(["card", "upi", "cash", "netbanking"]),
    "coupon": JSON, "customer": JSON | st.fixed_dictionaries(
        {}, optional={"phone": JSON, "email": JSON, "name": JSON}),
})
PATH_PART = st.text(min_size=1, max_size=40).filter(lambda t: t not in {".", ".."})
ROUTES = [
    ("POST", "/shows/{x}/holds"), ("GET", "/holds/{x}"), ("DELETE", "/holds/{x}"),
    ("POST", "/holds/{x}/quote"), ("POST", "/holds/{x}/confirm"), ("GET", "/shows/{x}"),
    ("GET", "/movies/{x}/shows"), ("GET", "/bookings/{x}"),
    ("GET", "/bookings/{x}/refund-quote"), ("POST", "/bookings/{x}/cancel"),
]


@pytest.fixture
def client(demo_db):
    _, key = channels.add(f"fuzz{secrets.token_hex(3)}", by=ADMIN)
    app = create_app(get_settings())
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {key}"
    return client


def answered_properly(answer) -> None:
    assert answer.status_code < 500 or answer.status_code == 503, answer.text
    assert "Traceback" not in answer.text
    if answer.status_code >= 400:
        assert answer.headers["content-type"].startswith("application/problem+json")
        body = answer.json()
        assert body["status"] == answer.status_code and body["type"] and body["detail"]


@examples(60)
@given(route=st.sampled_from(ROUTES), part=PATH_PART | st.integers().map(str), body=FIELDS,
       key=st.sampled_from(["good", "none", "bad"]))
def test_any_request_is_answered_never_a_500(client, route, part, body, key):
    from urllib.parse import quote

    method, path = route
    headers = {"Idempotency-Key": "fuzz"}
    if key == "none":
        headers["Authorization"] = ""
    elif key == "bad":
        headers["Authorization"] = "Bearer bms_nothing_here"
    url = "/api/v1" + path.replace("{x}", quote(part, safe=""))
    answer = client.request(method, url, json=body if method == "POST" else None,
                            headers=headers)
    answered_properly(answer)


@examples(40)
@given(query=st.dictionaries(st.sampled_from(["city_id", "q", "language", "genre",
                                              "certificate", "theater_id", "day"]),
                             st.text(max_size=20), max_size=4))
def test_any_catalog_filter_is_answered_never_a_500(client, query):
    answered_properly(client.get("/api/v1/movies", params=query))
