"""The per-process seat index: label -> (show seat id, price) of each show, read once.

Both are fixed when a show is created, so a counter reads them once per show instead of once
per hold; ``index_is_stale`` is the second line when a hold is refused.
"""

from __future__ import annotations

from decimal import Decimal

from bmstui.domain.errors import InvalidSeats, ShowNotFound
from bmstui.domain.pricing import money
from bmstui.services.seat_maps import forget_layout
from bmstui.services.seat_refusals import show_refusal
from bmstui.store.db import database
from bmstui.store.models import Seat, ShowSeat

_SEAT_INDEX: dict[tuple[str, int], dict[str, tuple[int, Decimal]]] = {}
_SEAT_INDEX_LIMIT = 256


def seat_index(show_id: int) -> dict[str, tuple[int, Decimal]]:
    """label -> (show seat id, price) of a show. Both are fixed when the show is created, so
    each process reads them once per show instead of once per hold."""
    key = (getattr(database.obj, "bmstui_url", ""), show_id)
    index = _SEAT_INDEX.get(key)
    if index is None:
        with database.connection_context():
            index = {
                label: (sid, money(price))
                for sid, label, price in ShowSeat.select(ShowSeat.id, Seat.label, ShowSeat.price)
                .join(Seat)
                .where(ShowSeat.show == show_id)
                .tuples()
            }
            if not index:
                show_refusal(show_id)
                raise ShowNotFound(show_id)
        if len(_SEAT_INDEX) >= _SEAT_INDEX_LIMIT:
            _SEAT_INDEX.clear()
        _SEAT_INDEX[key] = index
    return index


def forget_show(show_id: int) -> None:
    """Drop a deleted show's cached seats: SQLite may give its id to the next show."""
    for key in [key for key in _SEAT_INDEX if key[1] == show_id]:
        del _SEAT_INDEX[key]
    forget_layout(show_id)


def index_is_stale(show_id: int, seats: list[tuple[int, str, Decimal]]) -> bool:
    """True when the cached ids of ``seats`` no longer name those labels of this show. Ids are
    never reused (``models.StableIdField``), so this is a second line, read only when a hold
    was refused: the refusal is then retried with a fresh map instead of naming wrong seats."""
    ids = [sid for sid, _, _ in seats]
    found = dict(ShowSeat.select(ShowSeat.id, Seat.label).join(Seat)
                 .where(ShowSeat.id.in_(ids) & (ShowSeat.show == show_id)).tuples())
    return any(found.get(sid) != label for sid, label, _ in seats)


def resolve(show_id: int, labels: list[str]) -> list[tuple[int, str, Decimal]]:
    """(show seat id, label, price) for the labels, sorted by id (the lock order)."""
    index = seat_index(show_id)
    unknown = sorted(label for label in labels if label not in index)
    if unknown:
        raise InvalidSeats(unknown)
    return sorted((index[label][0], label, index[label][1]) for label in labels)
