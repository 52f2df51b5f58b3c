"""Checking what a caller asked for, and looking seats up, before the seat protocol acts.

Validation that needs no lock lives here (labels, counts, tokens, which show), with the
per-process seat index and the read-only explanations of a refused hold.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import peewee as pw

from bmstui import seat_sql
from bmstui.config import get_settings
from bmstui.db import database, is_mysql, later_sql, now_sql, parse_db_datetime
from bmstui.errors import (
    BookingClosed,
    HoldNotFound,
    InvalidSeats,
    NotFound,
    ShowNotFound,
    TooManySeats,
    join_labels,
    shown,
)
from bmstui.ids import MAX_ID, parse_id  # noqa: F401 (MAX_ID is still importable here)
from bmstui.models import Operator, Seat, ShowSeat
from bmstui.pricing import money
from bmstui.services.catalog import free_seat_condition


def normalise_labels(labels: Iterable[str] | str) -> list[str]:
    """Upper-cased, stripped labels; refuses non-strings, empty lists and duplicates."""
    if isinstance(labels, str):
        labels = [part for part in labels.replace(",", " ").split()]
    try:
        items = list(labels)
    except TypeError:
        raise InvalidSeats(message="Seats must be given as labels like 'F7'") from None
    if not items:
        raise InvalidSeats(message="No seats chosen")
    clean = []
    for item in items:
        if not isinstance(item, str) or not item.strip() or len(item.strip()) > 8:
            raise InvalidSeats(message=f"Not a seat label: {shown(item, 20, quoted=True)}")
        clean.append(item.strip().upper())
    dupes = sorted(label for label, n in Counter(clean).items() if n > 1)
    if dupes:
        raise InvalidSeats(dupes, f"Seat {join_labels(dupes)} chosen twice")
    return clean


def check_count(count: int) -> None:
    limit = get_settings().max_seats
    if count > limit:
        raise TooManySeats(count, limit)


def check_show_id(show_id) -> int:
    """A show id (``bmstui.ids.parse_id``); anything else raises ShowNotFound."""
    return parse_id(show_id, "show")


def check_token(token) -> str:
    if (not isinstance(token, str) or not token or len(token) > 32 or not token.isascii()
            or not token.isprintable()):
        raise HoldNotFound("That is not a hold token")
    return token


def seconds_of(value, what: str, error: type[Exception]) -> float:
    """A duration a caller gave (int, float, Decimal, numeric text) in seconds, or ``error``."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise error(message=f"{what} is a number of seconds, "
                    f"not {shown(value, 20, quoted=True)}") from None


def clean_text(value) -> str:
    """Text a caller typed, as the database can take it: lone surrogates (undecodable bytes
    read with ``surrogateescape``) become U+FFFD and NULs are dropped (SQLite's LIKE would end
    the pattern there and match everything)."""
    return _SURROGATES.sub("\ufffd", str(value)).replace("\x00", "")


_SURROGATES = re.compile("[\ud800-\udfff]")


def plain_text(value) -> str:
    """Free text to store and print later (a customer's name, a reason, a counter's name):
    ``clean_text`` on one line, control characters (escape sequences, backspaces) as spaces."""
    return " ".join(_CONTROLS.sub(" ", clean_text(value)).split())


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def db_clock(seconds: float) -> tuple[datetime, datetime]:
    """(now, now + seconds) read from the database clock in one statement."""
    row = database.execute(pw.Select(columns=[now_sql(), later_sql(seconds)])).fetchone()
    return parse_db_datetime(row[0]), parse_db_datetime(row[1])


def show_refusal(show_id: int, state: tuple | None = None) -> None:
    """Raise why a show cannot be sold now (unknown, cancelled, started), if it cannot.

    ``state`` is (status, on sale) when the caller already read it."""
    if state is None:
        state = database.execute_sql(seat_sql.show_state(is_mysql()), [show_id]).fetchone()
    if state is None:
        raise ShowNotFound(show_id)
    if state[0] != "scheduled":
        raise BookingClosed("This show was cancelled")
    if not state[1]:
        raise BookingClosed("This show has already started; booking is closed")


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


def taken_labels(ids: list[int], token: str) -> list[str]:
    """Labels among ``ids`` that someone else holds or sold (read after our own UPDATE)."""
    others = ShowSeat.hold_token.is_null() | (ShowSeat.hold_token != token)
    return [
        label
        for (label,) in ShowSeat.select(Seat.label)
        .join(Seat)
        .where(ShowSeat.id.in_(ids) & others & ~free_seat_condition())
        .order_by(Seat.y, Seat.x)
        .tuples()
    ]


def contested_labels(ids: list[int], labels_by_id: dict[int, str]) -> list[str]:
    """Labels of the rows another transaction has locked right now (MySQL SKIP LOCKED)."""
    with database.connection_context():
        free = {sid for (sid,) in database.execute_sql(
            seat_sql.lock_rows(True, len(ids), "SKIP LOCKED"), ids)}
    return [labels_by_id[sid] for sid in ids if sid not in free] or list(labels_by_id.values())


def operator_id_of(operator) -> int | None:
    """The operator's id from an id, an Operator row, a name, or None (unknown id or name:
    None, as for a script run without a signed-in operator)."""
    if operator is None or isinstance(operator, bool):
        return None
    if isinstance(operator, int):
        try:
            operator = parse_id(operator, "operator")
        except NotFound:
            return None
        with database.connection_context():
            found = Operator.select().where(Operator.id == operator).exists()
        return operator if found else None
    if isinstance(operator, str):
        with database.connection_context():
            row = Operator.get_or_none(Operator.name == clean_text(operator).strip())
        return row.id if row else None
    return getattr(operator, "id", None)
