"""The seat protocol: hold, extend, release and sweep seats of a show.

A hold is committed state with an expiry by the database clock, never a transaction left open
while the customer pays. Every write locks the show-seat rows by primary key in ascending id
order (hold, extend, release, confirm and sweep alike), so two counters can never deadlock on
each other's seats; the rare deadlock or lock timeout that remains is retried whole by
``bmstui.db.transaction``. An expired hold is free to every later hold whether or not anyone
swept it, so a counter that crashed loses its seats when its countdown ends.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import peewee as pw

from bmstui.config import get_settings
from bmstui import seat_sql
from bmstui.pricing import money
from bmstui.db import database, is_mysql, later_sql, now_sql, parse_db_datetime, transaction
from bmstui.errors import (
    BookingClosed,
    HoldExpired,
    HoldNotFound,
    InvalidSeats,
    SeatsUnavailable,
    ShowNotFound,
    TooManySeats,
)
from bmstui.models import Hold as HoldRow
from bmstui.models import Seat, Show, ShowSeat
from bmstui.services.catalog import free_seat_condition


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


@dataclass(frozen=True)
class Hold:
    """A counter's claim on seats. ``seconds_left`` counts down on this machine's monotonic clock
    from the remaining time the database measured when the hold was made, so every terminal
    shows the same countdown whatever its wall clock says."""

    token: str
    show_id: int
    labels: tuple[str, ...]
    expires_at: datetime  # UTC, database clock
    prices: tuple[Decimal, ...]
    remaining_at_start: float
    extensions: int = 0
    measured_at: float = field(default_factory=time.monotonic)

    @property
    def seconds_left(self) -> float:
        return max(0.0, self.remaining_at_start - (time.monotonic() - self.measured_at))

    @property
    def total(self) -> Decimal:
        return sum(self.prices, Decimal(0))


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
            raise InvalidSeats(message=f"Not a seat label: {str(item)[:20]!r}")
        clean.append(item.strip().upper())
    dupes = sorted({label for label in clean if clean.count(label) > 1})
    if dupes:
        raise InvalidSeats(dupes, f"Seat {', '.join(dupes)} chosen twice")
    return clean


def _check_count(count: int) -> None:
    limit = get_settings().max_seats
    if count > limit:
        raise TooManySeats(count, limit)


def _show_id(show_id) -> int:
    if isinstance(show_id, bool) or not isinstance(show_id, int):
        try:
            return int(show_id)
        except (TypeError, ValueError):
            raise ShowNotFound(show_id) from None
    return show_id


def seat_map(show_id: int, *, token: str | None = None) -> list[SeatState]:
    """Every seat of a show in row order, with its status now (an expired hold reads available)."""
    show_id = _show_id(show_id)
    status = pw.Case(None, [(free_seat_condition(), "available")], ShowSeat.status)
    query = (
        ShowSeat.select(
            ShowSeat.id, ShowSeat.price, ShowSeat.hold_token, status.alias("state"),
            Seat.label, Seat.row, Seat.number, Seat.type, Seat.accessible, Seat.x, Seat.y,
        )
        .join(Seat)
        .where(ShowSeat.show == show_id)
        .order_by(Seat.y, Seat.x)
    )
    with database.connection_context():
        rows = list(query.dicts())
        if not rows and not Show.select().where(Show.id == show_id).exists():
            raise ShowNotFound(show_id)
    return [
        SeatState(
            id=r["id"], label=r["label"], row=r["row"], number=r["number"], type=r["type"],
            price=money(r["price"]), accessible=bool(r["accessible"]), status=r["state"],
            x=r["x"], y=r["y"],
            mine=bool(token) and r["hold_token"] == token and r["state"] == "held",
        )
        for r in rows
    ]


def _clock(seconds: float) -> tuple[datetime, datetime]:
    """(now, now + seconds) read from the database clock in one statement."""
    row = database.execute(pw.Select(columns=[now_sql(), later_sql(seconds)])).fetchone()
    return parse_db_datetime(row[0]), parse_db_datetime(row[1])


def _show_refusal(show_id: int) -> None:
    """Raise why a show cannot be sold now (unknown, cancelled, started), if it cannot."""
    show = (
        Show.select(Show.status, (Show.starts_at > now_sql()).alias("open"))
        .where(Show.id == show_id)
        .dicts()
        .first()
    )
    if show is None:
        raise ShowNotFound(show_id)
    if show["status"] != "scheduled":
        raise BookingClosed("This show was cancelled")
    if not show["open"]:
        raise BookingClosed("This show has already started; booking is closed")


_SEAT_INDEX: dict[tuple[str, int], dict[str, tuple[int, Decimal]]] = {}
_SEAT_INDEX_LIMIT = 256


def _seat_index(show_id: int) -> dict[str, tuple[int, Decimal]]:
    """label -> (show seat id, price) of a show. Both are fixed when the show is created, so
    each process reads them once per show instead of once per hold."""
    key = (getattr(database.obj, "bmstui_url", ""), show_id)
    index = _SEAT_INDEX.get(key)
    if index is None:
        index = {
            label: (sid, money(price))
            for sid, label, price in ShowSeat.select(ShowSeat.id, Seat.label, ShowSeat.price)
            .join(Seat)
            .where(ShowSeat.show == show_id)
            .tuples()
        }
        if not index:
            _show_refusal(show_id)
            raise ShowNotFound(show_id)
        if len(_SEAT_INDEX) >= _SEAT_INDEX_LIMIT:
            _SEAT_INDEX.clear()
        _SEAT_INDEX[key] = index
    return index


def _resolve(show_id: int, labels: list[str], ttl: float):
    """Seats (id, label, price) sorted by id, and the DB clock (now, now + ttl).

    Refuses closed shows and unknown labels. Whether the seats are free is decided by the
    UPDATE that follows, never by a read.
    """
    index = _seat_index(show_id)
    unknown = sorted(label for label in labels if label not in index)
    if unknown:
        raise InvalidSeats(unknown)
    mysql = is_mysql()
    row = database.execute_sql(
        seat_sql.show_clock(mysql), [seat_sql.ttl_param(mysql, ttl), show_id]
    ).fetchone()
    if row is None or row[0] != "scheduled" or not row[1]:
        _show_refusal(show_id)
    seats = sorted((index[label][0], label, index[label][1]) for label in labels)
    return seats, parse_db_datetime(row[2]), parse_db_datetime(row[3])


def _taken(ids: list[int], token: str) -> list[str]:
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


def _lock_pessimistic(ids: list[int]) -> None:
    """MySQL: lock the rows in id order without waiting; a conflict is retried by transaction()."""
    if not is_mysql():
        return  # SQLite: the BEGIN IMMEDIATE transaction already excludes other writers
    placeholders = ", ".join(["%s"] * len(ids))
    table = ShowSeat._meta.table_name
    database.execute_sql(
        f"SELECT id FROM `{table}` WHERE id IN ({placeholders}) ORDER BY id FOR UPDATE NOWAIT",
        ids,
    )


def hold(show_id: int, labels, *, terminal: str | None = None, ttl: float | None = None,
         operator=None) -> Hold:
    """Hold all of ``labels`` for ``ttl`` seconds, or none of them (SeatsUnavailable)."""
    show_id = _show_id(show_id)
    wanted = normalise_labels(labels)
    _check_count(len(wanted))
    settings = get_settings()
    ttl = float(settings.hold_seconds if ttl is None else ttl)
    if not 0 < ttl <= 24 * 3600:
        raise InvalidSeats(message=f"A hold lasts between 0 and 24 h, not {ttl} s")
    terminal = str(terminal or settings.terminal)[:60]
    token = secrets.token_hex(16)

    def attempt() -> Hold:
        seats, now, expires = _resolve(show_id, wanted, ttl)
        ids = [sid for sid, _, _ in seats]
        if settings.locking == "pessimistic":
            _lock_pessimistic(ids)
        mysql = is_mysql()
        at, until = seat_sql.datetime_param(mysql, now), seat_sql.datetime_param(mysql, expires)
        changed = database.execute_sql(
            seat_sql.hold_update(mysql, len(ids)), [token, until, at, *ids]
        ).rowcount
        if changed != len(ids):
            raise SeatsUnavailable(_taken(ids, token) or [label for _, label, _ in seats])
        database.execute_sql(
            seat_sql.insert_hold(mysql),
            [token, show_id, terminal, _operator_id(operator), len(ids), at, until],
        )
        by_label = {label: price for _, label, price in seats}
        return Hold(
            token=token, show_id=show_id, labels=tuple(wanted),
            expires_at=expires, prices=tuple(by_label[label] for label in wanted),
            remaining_at_start=(expires - now).total_seconds(),
        )

    return transaction(attempt)


def _held_ids(token: str) -> list[int]:
    return [sid for (sid,) in database.execute_sql(seat_sql.held_ids(is_mysql()), [token])]


def _operator_id(operator) -> int | None:
    if operator is None or isinstance(operator, int):
        return operator
    return getattr(operator, "id", None)


def check_token(token) -> str:
    if not isinstance(token, str) or not token or len(token) > 32:
        raise HoldNotFound("That is not a hold token")
    return token


def release(token: str) -> int:
    """Give the seats of a hold back; returns how many were freed (0 if already gone)."""
    token = check_token(token)

    def attempt() -> int:
        mysql = is_mysql()
        ids = _held_ids(token)
        freed = 0
        if ids:
            freed = database.execute_sql(
                seat_sql.release_update(mysql, len(ids)), [*ids, token]
            ).rowcount
        database.execute_sql(seat_sql.mark_hold(mysql), ["released", token])
        return freed

    return transaction(attempt)


def sweep(show_id: int | None = None) -> int:
    """Turn expired holds back into available seats (so grids and reports are true)."""

    def attempt() -> int:
        query = ShowSeat.select(ShowSeat.id).where(
            (ShowSeat.held_until <= now_sql()) & (ShowSeat.status == "held")
        )
        if show_id is not None:
            query = query.where(ShowSeat.show == show_id)
        ids = [sid for (sid,) in query.order_by(ShowSeat.id).tuples()]
        if not ids:
            return 0
        return (
            ShowSeat.update(status="available", hold_token=None, held_until=None,
                            updated_at=now_sql())
            .where(ShowSeat.id.in_(ids) & (ShowSeat.status == "held")
                   & (ShowSeat.held_until <= now_sql()))
            .execute()
        )

    return transaction(attempt)


def get_hold(token: str) -> Hold:
    """The hold as it stands now; HoldNotFound if unknown, HoldExpired if it ran out."""
    token = check_token(token)
    with database.connection_context():
        row = HoldRow.get_or_none(HoldRow.token == token)
        if row is None or row.state in ("released", "confirmed"):
            raise HoldNotFound()
        now, _ = _clock(0)
        if row.expires_at <= now:
            raise HoldExpired()
        seats = list(
            ShowSeat.select(Seat.label, ShowSeat.price)
            .join(Seat)
            .where((ShowSeat.hold_token == token) & (ShowSeat.status == "held"))
            .order_by(Seat.y, Seat.x)
            .tuples()
        )
    return Hold(
        token=token, show_id=row.show_id, labels=tuple(label for label, _ in seats),
        expires_at=row.expires_at, prices=tuple(money(p) for _, p in seats),
        remaining_at_start=(row.expires_at - now).total_seconds(), extensions=row.extensions,
    )


def extend(token: str, seconds: float | None = None) -> Hold:
    """Push a live hold's expiry later, at most ``booking.max_extensions`` times."""
    token = check_token(token)
    settings = get_settings()
    seconds = float(settings.extend_seconds if seconds is None else seconds)
    if not 0 < seconds <= 3600:
        raise HoldExpired(f"An extension is between 0 and 3600 s, not {seconds} s")

    def attempt() -> None:
        row = HoldRow.get_or_none(HoldRow.token == token)
        if row is None or row.state in ("released", "confirmed"):
            raise HoldNotFound()
        now, _ = _clock(0)
        if row.expires_at <= now:
            raise HoldExpired("The hold already ran out; it cannot be extended")
        if row.extensions >= settings.max_extensions:
            raise HoldExpired(
                f"This hold was already extended {row.extensions} time(s); that is the limit"
            )
        new_expiry = row.expires_at + timedelta(seconds=seconds)
        ids = _held_ids(token)
        changed = (
            ShowSeat.update(held_until=new_expiry, updated_at=now)
            .where(ShowSeat.id.in_(ids) & (ShowSeat.hold_token == token)
                   & (ShowSeat.status == "held") & (ShowSeat.held_until > now))
            .execute()
        ) if ids else 0
        if changed != row.seat_count:
            raise HoldExpired()
        updated = (
            HoldRow.update(expires_at=new_expiry, extensions=HoldRow.extensions + 1)
            .where((HoldRow.token == token) & (HoldRow.extensions == row.extensions))
            .execute()
        )
        if updated != 1:
            raise HoldExpired("This hold was extended at the same moment elsewhere")

    transaction(attempt)
    return get_hold(token)
