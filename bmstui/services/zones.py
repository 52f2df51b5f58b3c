"""Which zone a theater, screen or show is in, and local days as SQL over theaters' zones.

A chain may have theaters in several zones, so "the shows of 14 March" is not one UTC range:
it is, for each zone in use, that zone's own range, limited to the theaters in it. Chains have a
handful of zones at most, so the condition is a short OR of (zone's theaters, zone's range).
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date

import peewee as pw

from bmstui.config import get_settings
from bmstui.domain import clock
from bmstui.domain.errors import BookingError, NotFound
from bmstui.domain.ids import parse_id
from bmstui.store.db import database
from bmstui.store.models import City, Screen, Show, Theater


def resolve(stored: str, theater: str = "") -> str:
    """The IANA name a theater's stored ``timezone`` means ("" = the chain default)."""
    try:
        return clock.zone_name(stored or None)
    except ValueError as exc:
        where = f"{theater}: " if theater else ""
        raise BookingError(f"{where}{exc}; fix the theater's timezone in the catalog") from None


_CHAIN_ZONE_SECONDS = 300.0
_chain_cache: dict[str, tuple[float, str]] = {}


def chain_zone() -> str:
    """The zone whose calendar names "today" for the whole chain (day pickers, the default day
    of a report): ``[cinema] timezone`` when set; else the one zone all theaters are in (a
    chain in one country need not configure it, and a server clock on UTC must not move its
    Today to the wrong date); else this machine's. Never raises: a database that cannot be
    read gives the machine's zone (it is only a default)."""
    configured = get_settings().timezone.strip()
    if configured:
        return clock.zone_name(configured)
    if database.obj is None:  # no database bound yet: only the machine can say
        return clock.zone_name(None)
    key = getattr(database.obj, "bmstui_url", "")
    cached = _chain_cache.get(key)
    if cached and time.monotonic() - cached[0] < _CHAIN_ZONE_SECONDS:
        return cached[1]
    try:
        with database.connection_context():
            stored = {value.strip() for (value,) in
                      Theater.select(Theater.timezone).distinct().tuples()}
        name = clock.zone_name(stored.pop()) if len(stored) == 1 and "" not in stored else ""
    except (pw.PeeweeException, ValueError, OSError):
        return clock.zone_name(None)
    name = name or clock.zone_name(None)
    _chain_cache[key] = (time.monotonic(), name)
    return name


def today() -> date:
    """Today's date in the chain's zone (``chain_zone``): a default, never a decision."""
    return clock.local_today(chain_zone())


def _zone_where(what: str, value, join, column) -> str:
    """The zone of the theater whose ``column`` (after ``join``) is the id ``value``."""
    key = parse_id(value, what)
    with database.connection_context():
        row = join(Theater.select(Theater.name, Theater.timezone)).where(column == key).tuples(
            ).first()
    if row is None:
        raise NotFound(what, value)
    return resolve(row[1], row[0])


def of_theater(theater_id) -> str:
    return _zone_where("theater", theater_id, lambda q: q, Theater.id)


def of_screen(screen_id) -> str:
    return _zone_where("screen", screen_id, lambda q: q.join(Screen), Screen.id)


def of_show(show_id) -> str:
    return _zone_where("show", show_id,
                       lambda q: q.join(Screen).join(Show, on=(Show.screen == Screen.id)),
                       Show.id)


def stored_by_theater() -> list[tuple[str, str, str]]:
    """(city, theater, timezone as stored) of every theater, by city then name. Not resolved:
    a health check lists the zones this machine does not know instead of stopping at one."""
    query = (Theater.select(City.name, Theater.name, Theater.timezone).join(City)
             .order_by(City.name, Theater.name))
    with database.connection_context():
        return list(query.tuples())


def in_use() -> dict[str, list[str]]:
    """Each zone some theater is in -> the ``Theater.timezone`` values that mean it."""
    with database.connection_context():
        stored = [value for (value,) in
                  Theater.select(Theater.timezone).distinct().tuples()]
    zones: dict[str, list[str]] = defaultdict(list)
    for value in stored:
        zones[resolve(value)].append(value)
    return dict(zones)


def local_days(field, day_from: date, day_to: date | None = None,
               zone_field=Theater.timezone) -> pw.Expression:
    """SQL: ``field`` (a UTC datetime column) falls on the local days day_from..day_to (both
    included) of the zone of its theater (``zone_field``, which the query must join)."""
    day_to = day_from if day_to is None else day_to
    condition = None
    for name, stored in sorted(in_use().items()):
        start = clock.utc_range_of_local_day(day_from, name)[0]
        end = clock.utc_range_of_local_day(day_to, name)[1]
        part = zone_field.in_(stored) & (field >= start) & (field < end)
        condition = part if condition is None else (condition | part)
    if condition is None:  # no theater at all: nothing can match
        return pw.SQL("1 = 0")
    return condition
