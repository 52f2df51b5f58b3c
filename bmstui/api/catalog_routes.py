"""Reading the catalog: health, cities, theaters, movies, shows and a show's seat map.

A seat map carries an ``ETag`` (``live.seat_map_version``): a website that polls a show sends
it back in ``If-None-Match`` and gets ``304`` for the price of one aggregate query while nothing
changed, instead of the whole hall.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import replace

from fastapi import APIRouter, Depends, Header, Response
from fastapi.responses import JSONResponse

from bmstui.api import shapes
from bmstui.api.auth import reader
from bmstui.services import catalog, live, seating

router = APIRouter()
catalog_router = APIRouter(dependencies=[Depends(reader)])


@router.get("/health", summary="Whether the API and its database answer")
def health() -> JSONResponse:
    try:
        live.ping()
        ready = live.schema_ready()
    except Exception:  # any failure to answer is "the database is away" to a load balancer
        return JSONResponse({"status": "unavailable", "database": "unreachable"},
                            status_code=503, headers={"Retry-After": "2"})
    if not ready:
        return JSONResponse({"status": "unavailable", "database": "no tables",
                             "detail": "This database has no bmstui tables: bmstui db init"},
                            status_code=503, headers={"Retry-After": "30"})
    return JSONResponse({"status": "ok", "database": "ok"})


@catalog_router.get("/cities", summary="Cities with theaters")
def cities() -> list[dict]:
    return [shapes.city(c) for c in catalog.cities()]


@catalog_router.get("/theaters", summary="Theaters, of one city or all")
def theaters(city_id: str | None = None) -> list[dict]:
    return [shapes.theater(t) for t in catalog.theaters(city_id)]


@catalog_router.get("/movies", summary="Movies with upcoming shows matching the filters")
def movies(city_id: str | None = None, q: str | None = None, language: str | None = None,
           genre: str | None = None, certificate: str | None = None,
           theater_id: str | None = None, day: str | None = None) -> list[dict]:
    return [shapes.movie(m) for m in catalog.movies(
        city_id, query=q, language=language, genre=genre, certificate=certificate,
        theater_id=theater_id, day=day)]


@catalog_router.get("/movies/{movie_id}/shows", summary="Upcoming shows of a movie")
def movie_shows(movie_id: str, city_id: str | None = None, theater_id: str | None = None,
                day: str | None = None) -> list[dict]:
    return [shapes.show(s) for s in catalog.shows(movie_id=movie_id, city_id=city_id,
                                                   theater_id=theater_id, day=day)]


@catalog_router.get("/shows/{show_id}", summary="A show with every seat and its status now",
                    responses={304: {"description": "Not modified since the ETag sent"}},
                    response_model=None)
def show(show_id: str, if_none_match: str | None = Header(default=None)) -> Response:
    version = live.seat_map_version(show_id)  # index lookups only; ShowNotFound if none
    etag = f'"{hashlib.blake2b(version.encode(), digest_size=12).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}  # may be kept, must be revalidated
    if if_none_match is not None and _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    body = _maps.get(etag)
    if body is None:  # the first reader of this version builds it; the others reuse it
        info = catalog.show(show_id, count_free=False)
        seats = seating.seat_map(info.id)
        info = replace(info, seats_left=sum(seat.status == "available" for seat in seats))
        body = _writer.body(info, seats)
        _maps.put(etag, body)
    return Response(body, media_type="application/json", headers=headers)


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110's weak comparison: "*" or any listed tag, a W/ prefix ignored."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


class _Recent:
    """The last few seat maps as sent, by ETag: during a rush thousands of readers ask for the
    same version of a hall, and it is built once (a version names its content exactly, so a
    kept body is never stale)."""

    def __init__(self, most: int = 64) -> None:
        self.most = most
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            body = self.items.get(key)
            if body is not None:
                self.items.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        with self.lock:
            self.items[key] = body
            while len(self.items) > self.most:
                self.items.popitem(last=False)


_maps = _Recent()
_writer = shapes.SeatMapWriter()


router.include_router(catalog_router)
