"""The online channel's catalog reads, in process (httpx's ASGI transport) on both backends:
what a website lists before it holds seats, and the seat map's ETag that makes polling cheap."""

from __future__ import annotations

import httpx
import pytest

from bmstui.api import create_app
from bmstui.config import get_settings
from bmstui.services import catalog, sales, seating


@pytest.fixture
async def api(demo_db):
    app = create_app(get_settings())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test/api/v1") as client:
        yield client


async def test_health_says_the_database_answers(api):
    answer = await api.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok"}


async def test_cities_theaters_movies_and_shows_lead_to_a_seat_map(api):
    cities = (await api.get("/cities")).json()
    assert {c["name"] for c in cities} == {c.name for c in catalog.cities()}
    city = next(c for c in cities if c["name"] == "Bengaluru")
    theaters = (await api.get("/theaters", params={"city_id": city["id"]})).json()
    assert theaters and all(t["city_id"] == city["id"] for t in theaters)
    movies = (await api.get("/movies", params={"city_id": city["id"]})).json()
    assert movies
    shows = (await api.get(f"/movies/{movies[0]['id']}/shows",
                           params={"city_id": city["id"]})).json()
    assert shows and all(s["movie_id"] == movies[0]["id"] for s in shows)
    assert shows[0]["starts_at"].endswith("Z")
    show = (await api.get(f"/shows/{shows[0]['id']}")).json()
    assert len(show["seats"]) == show["capacity"]
    seat = show["seats"][0]
    assert set(seat) == {"label", "row", "number", "type", "price", "accessible", "status"}
    assert seat["status"] == "available" and seat["price"].count(".") == 1


async def test_movie_filters_narrow_the_list(api):
    city = catalog.cities()[0]
    every = (await api.get("/movies", params={"city_id": city.id})).json()
    language = every[0]["language"]
    some = (await api.get("/movies", params={"city_id": city.id, "language": language})).json()
    assert some and all(m["language"] == language for m in some)
    assert {m["id"] for m in some} <= {m["id"] for m in every}
    title = every[0]["title"][:4]
    found = (await api.get("/movies", params={"city_id": city.id, "q": title})).json()
    assert every[0]["id"] in {m["id"] for m in found}


async def test_seat_map_etag_answers_304_until_a_seat_changes(api, new_show):
    show_id = new_show()
    first = await api.get(f"/shows/{show_id}")
    etag = first.headers["etag"]
    again = await api.get(f"/shows/{show_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    held = seating.hold(show_id, ["C3"])  # a counter holds a seat
    changed = await api.get(f"/shows/{show_id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert {s["label"]: s["status"] for s in changed.json()["seats"]}["C3"] == "held"
    etag = changed.headers["etag"]
    sales.confirm(held.token, method="card")
    sold = await api.get(f"/shows/{show_id}", headers={"If-None-Match": etag})
    assert sold.status_code == 200
    assert {s["label"]: s["status"] for s in sold.json()["seats"]}["C3"] == "booked"


async def test_a_hold_running_out_changes_the_etag_without_any_write(api, new_show, settings):
    import time

    show_id = new_show()
    seating.hold(show_id, ["D5"], ttl=1)
    etag = (await api.get(f"/shows/{show_id}")).headers["etag"]
    time.sleep(1.3)
    after = await api.get(f"/shows/{show_id}", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert {s["label"]: s["status"] for s in after.json()["seats"]}["D5"] == "available"


@pytest.mark.parametrize("path", ["/shows/0", "/shows/abc", "/shows/99999999",
                                  "/movies/x/shows", "/nowhere", "/theaters?city_id=%F0%9F"])
async def test_what_does_not_exist_is_a_problem_document(api, path):
    answer = await api.get(path)
    assert answer.status_code in (404, 422)
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["status"] == answer.status_code and body["type"] in {
        "not-found", "invalid-request"} and body["detail"]


async def test_the_openapi_document_names_the_routes(api):
    spec = (await api.get("/openapi.json")).json()
    assert {"/api/v1/health", "/api/v1/cities", "/api/v1/shows/{show_id}"} <= set(spec["paths"])
