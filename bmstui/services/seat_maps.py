"""A show's seat map: the fixed layout read once per process, the seats' states every time.

Labels, rows, positions, types and prices of a show's seats are fixed when the show is created
(the seat index relies on the same), so a map reads only id, status and hold per call: one
statement over the show's index, without the join to the seats or the sort. That is what every
best-seat request and every seat-map reader of a ticket rush pays. A layout whose seat ids no
longer match the show's (a catalog import re-created its free seats) is read again.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from bmstui.domain.errors import ShowNotFound
from bmstui.domain.pricing import money
from bmstui.domain.requests import check_show_id
from bmstui.domain.vocabulary import SeatStatus
from bmstui.store import seat_sql
from bmstui.store.db import database, is_mysql, parse_db_datetime
from bmstui.store.models import Seat, Show, ShowSeat


@dataclass(frozen=True)
class SeatState:
    id: int  # the show seat's id
    label: str
    row: str
    number: int
    type: str
    price: Decimal
    accessible: bool
    status: str  # available | held | booked | blocked
    x: int
    y: int
    mine: bool = False  # held by the token passed to seat_map
    held_until: datetime | None = None  # UTC, database clock; set while held


# (url, show) -> (layout, (number of seats, sum of their ids), their ids)
_LAYOUTS: dict[tuple[str, int],
               tuple[tuple[SeatState, ...], tuple[int, int], frozenset[int]]] = {}
_LAYOUT_LIMIT = 256


def _key(show_id: int) -> tuple[str, int]:
    return getattr(database.obj, "bmstui_url", ""), show_id


def _read_layout(show_id: int) -> tuple[SeatState, ...]:
    query = (ShowSeat.select(ShowSeat.id, ShowSeat.price, Seat.label, Seat.row, Seat.number,
                             Seat.type, Seat.accessible, Seat.x, Seat.y)
             .join(Seat).where(ShowSeat.show == show_id).order_by(Seat.y, Seat.x).tuples())
    layout = tuple(
        SeatState(id=sid, label=label, row=row, number=number, type=type_, price=money(price),
                  accessible=bool(accessible), status=SeatStatus.AVAILABLE, x=x, y=y)
        for sid, price, label, row, number, type_, accessible, x, y in query)
    if layout:
        if len(_LAYOUTS) >= _LAYOUT_LIMIT:
            _LAYOUTS.clear()
        ids = frozenset(seat.id for seat in layout)
        _LAYOUTS[_key(show_id)] = layout, (len(layout), sum(ids)), ids
    return layout


def seat_layout(show_id: int, *,
                covering: AbstractSet[int] = frozenset()) -> tuple[SeatState, ...]:
    """The show's seats in row order as laid out (their status left as available).

    ``covering``: ids of the show's seats the caller just read (a best pick's free seats). A
    kept layout lacking any of them is out of date (the show's seats were made anew, by a
    catalog import in any process) and is read again: picked from, it would find no seat."""
    show_id = check_show_id(show_id)
    known = _LAYOUTS.get(_key(show_id))
    if known is not None and covering <= known[2]:
        return known[0]
    with database.connection_context():
        layout = _read_layout(show_id)
        if not layout and not Show.select().where(Show.id == show_id).exists():
            raise ShowNotFound(show_id)
    return layout


def forget_layout(show_id: int) -> None:
    for key in [key for key in _LAYOUTS if key[1] == show_id]:
        del _LAYOUTS[key]


def seat_map(show_id: int, *, token: str | None = None) -> list[SeatState]:
    """Every seat of a show in row order, with its status now (an expired hold reads available)."""
    show_id = check_show_id(show_id)
    with database.connection_context():
        count, id_sum, taken = database.execute_sql(*seat_sql.taken_seats(
            mysql=is_mysql(), show_id=show_id, token=token)).fetchone()
        known = _LAYOUTS.get(_key(show_id))
        if known is not None and known[1] == (int(count), int(id_sum or 0)):
            layout = known[0]
        else:
            layout = _read_layout(show_id)
        if not layout and not Show.select().where(Show.id == show_id).exists():
            raise ShowNotFound(show_id)
    if not taken:
        return list(layout)
    states = {}
    for entry in taken.split("|"):
        sid, status, mine, until = entry.split(" ", 3)
        states[int(sid)] = status, mine == "1", until
    seats = []
    for seat in layout:
        state = states.get(seat.id)
        if state is None:
            seats.append(seat)
            continue
        status, mine, until = state
        if status == SeatStatus.HELD:
            seats.append(replace(seat, status=status, mine=bool(token) and mine,
                                 held_until=parse_db_datetime(until)))
        else:  # sold or blocked: the same few states over and over, made once each
            seats.append(_settled(seat, status))
    return seats


_SETTLED: dict[tuple[int, str], SeatState] = {}


def _settled(seat: SeatState, status: str) -> SeatState:
    made = _SETTLED.get((seat.id, status))
    if made is None or made.label != seat.label or made.price != seat.price:
        if len(_SETTLED) >= 200_000:
            _SETTLED.clear()
        made = _SETTLED[seat.id, status] = replace(seat, status=status)
    return made


def free_seat_ids(show_id: int) -> set[int]:
    """The ids of the show's seats anyone may take now (what a best-seat pick chooses from)."""
    show_id = check_show_id(show_id)
    with database.connection_context():
        (joined,) = database.execute_sql(
            *seat_sql.free_ids(mysql=is_mysql(), show_id=show_id)).fetchone()
    return {int(sid) for sid in joined.split(",")} if joined else set()
