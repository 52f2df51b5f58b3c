"""The seat protocol: hold, extend, release and sweep seats of a show.

A hold is committed state with an expiry by the database clock, never a transaction left open
while the customer pays. Every write locks the show-seat rows by primary key in ascending id
order (hold, extend, release, confirm and sweep alike), so two counters can never deadlock on
each other's seats; the rare deadlock or lock timeout that remains is retried whole by
``bmstui.store.db.transaction``. An expired hold is free to every later hold whether or not anyone
swept it, so a counter that crashed loses its seats when its countdown ends.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import peewee as pw

from bmstui.config import get_settings
from bmstui.domain.errors import (
    BookingClosed,
    HoldExpired,
    HoldNotFound,
    InvalidSeats,
    SeatsUnavailable,
)
from bmstui.domain.pricing import money
from bmstui.domain.requests import check_show_id, check_token, normalise_labels, seconds_of
from bmstui.domain.text import plain_text
from bmstui.domain.vocabulary import HoldState, SeatStatus, ShowStatus
from bmstui.services.operators import operator_id_of
from bmstui.services.seat_index import forget_show, index_is_stale, resolve
from bmstui.services.seat_maps import (  # noqa: F401 -- SeatState, seat_map: published here
    SeatState,
    seat_map,
)
from bmstui.services.seat_refusals import check_count, contested_labels, show_refusal, taken_labels
from bmstui.store import seat_sql
from bmstui.store.db import (
    database,
    db_clock,
    is_mysql,
    mysql_error_code,
    now_sql,
    parse_db_datetime,
    supports_returning,
    transaction,
)
from bmstui.store.models import Hold as HoldRow
from bmstui.store.models import Seat, Show, ShowSeat


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


def _rollback_quietly(conn) -> None:
    try:
        conn.rollback()
    except Exception:  # the connection is gone; the server rolled back for us
        pass


class _Refused(Exception):
    """Inside hold(): not every seat could be taken; roll back, then say why."""

    def __init__(self, contested: bool = False, show_state: tuple | None = None):
        super().__init__()
        self.contested = contested
        self.show_state = show_state


# Seat ids of the holds this process made, so releasing one needs no lookup. A stale or missing
# entry is harmless: the release UPDATE still checks the token on every row.
_HELD: dict[str, list[int]] = {}
_HELD_LIMIT = 4096


def forget(token: str) -> None:
    """Drop a hold from this process's release shortcut (it was confirmed)."""
    if isinstance(token, str):
        _HELD.pop(token, None)


def hold(show_id: int, labels, *, terminal: str | None = None, ttl: float | None = None,
         operator=None) -> Hold:
    """Hold all of ``labels`` for ``ttl`` seconds, or none of them (SeatsUnavailable)."""
    try:
        return _hold(show_id, labels, terminal=terminal, ttl=ttl, operator=operator)
    except _StaleIndex:  # this process's seat ids of the show were out of date: once more
        return _hold(show_id, labels, terminal=terminal, ttl=ttl, operator=operator,
                     retry_stale=False)


class _StaleIndex(Exception):
    """The cached label -> id map no longer names these seats of this show."""


def _hold(show_id, labels, *, terminal, ttl, operator, retry_stale: bool = True) -> Hold:
    show_id = check_show_id(show_id)
    wanted = normalise_labels(labels)
    check_count(len(wanted))
    settings = get_settings()
    ttl = seconds_of(settings.hold_seconds if ttl is None else ttl, "A hold's time",
                     InvalidSeats)
    if not 0 < ttl <= 24 * 3600:
        raise InvalidSeats(message=f"A hold lasts between 0 and 24 h, not {ttl:g} s")
    terminal = plain_text(terminal or settings.terminal)[:60] or settings.terminal
    token = secrets.token_hex(16)
    seats = resolve(show_id, wanted)
    ids = [sid for sid, _, _ in seats]

    pessimistic = settings.locking == "pessimistic"
    operator_id = operator_id_of(operator)
    by_label = {label: price for _, label, price in seats}

    def made(times) -> Hold:
        now, expires = parse_db_datetime(times[0]), parse_db_datetime(times[1])
        return Hold(
            token=token, show_id=show_id, labels=tuple(wanted),
            expires_at=expires, prices=tuple(by_label[label] for label in wanted),
            remaining_at_start=(expires - now).total_seconds(),
        )

    def attempt_mysql() -> Hold:
        # One seat under the conditional strategy needs no transaction: its one-row UPDATE
        # is all-or-nothing by itself, and in a pile-up on that seat each refused counter
        # lets go of the row lock inside the statement rather than a round trip later. The
        # hold row follows in the same batch; a counter dying in between leaves a seat held
        # without a hold row, which expires like any other.
        single = len(ids) == 1 and not pessimistic
        conn = database.connection()
        with pw.__exception_wrapper__:
            cursor = conn.cursor()
            try:
                cursor.execute(*seat_sql.hold_batch(
                    ids=ids, token=token, ttl=ttl, show_id=show_id, terminal=terminal,
                    operator_id=operator_id, pessimistic=pessimistic, autocommit=single))
                for _ in range(int(not single) + int(pessimistic)):
                    cursor.nextset()
                changed = cursor.rowcount
                cursor.nextset()
                cursor.nextset()
                times = cursor.fetchone()
                cursor.nextset()
                show_state = cursor.fetchone()
            except BaseException as exc:
                _rollback_quietly(conn)
                if pessimistic and mysql_error_code(exc) == 1205:
                    raise _Refused(contested=True) from None  # NOWAIT: never retried
                raise
            if changed != len(ids) or times is None:
                if not single:
                    _rollback_quietly(conn)
                raise _Refused(show_state=show_state)
            if not single:
                conn.commit()
        return made(times)

    def attempt_sqlite() -> Hold:
        changed = database.execute_sql(*seat_sql.hold_update(
            mysql=False, ids=ids, token=token, ttl=ttl, show_id=show_id)).rowcount
        if changed != len(ids):
            raise _Refused()
        returning = supports_returning()
        cursor = database.execute_sql(*seat_sql.insert_hold(
            mysql=False, ids=ids, token=token, terminal=terminal, operator_id=operator_id,
            returning=returning))
        times = cursor.fetchone() if returning else None
        if times is None:  # no RETURNING, or a retried hold whose row was already there
            times = database.execute_sql(
                *seat_sql.hold_times(mysql=False, token=token)).fetchone()
        return made(times)

    try:
        if is_mysql():
            held = transaction(attempt_mysql, atomic=False)
        else:
            held = transaction(attempt_sqlite)
    except _Refused as refused:
        if refused.contested:
            # NOWAIT: another counter is on one of these seats right now; refuse at once.
            raise SeatsUnavailable(
                contested_labels(ids, {sid: label for sid, label, _ in seats})) from None
        # Explained only after the rollback: a refused hold keeps no lock while it looks up
        # why, so a pile-up of counters on one seat does not queue behind each other's reads.
        with database.connection_context():
            show_refusal(show_id, refused.show_state)
            if index_is_stale(show_id, seats):
                forget_show(show_id)
                if retry_stale:
                    raise _StaleIndex from None
            if len(seats) == 1:  # the one seat asked for is the one taken
                raise SeatsUnavailable([seats[0][1]]) from None
            raise SeatsUnavailable(
                taken_labels(ids, token) or [label for _, label, _ in seats]
            ) from None
    if len(_HELD) >= _HELD_LIMIT:
        _HELD.clear()
    _HELD[token] = ids
    return held


def _held_ids(token: str) -> list[int]:
    return [sid for (sid,) in database.execute_sql(
        *seat_sql.held_ids(mysql=is_mysql(), token=token))]


def release(token: str) -> int:
    """Give the seats of a hold back; returns how many were freed (0 if already gone)."""
    token = check_token(token)

    known = _HELD.pop(token, None)

    def attempt_mysql() -> int:
        # The seats by primary key in id order (the lock order of hold), then the hold row,
        # in one transaction sent as one round trip.
        ids = known or _held_ids(token)
        if not ids:
            return 0
        conn = database.connection()
        with pw.__exception_wrapper__:
            cursor = conn.cursor()
            try:
                cursor.execute(*seat_sql.release_batch(ids=ids, token=token))
                cursor.nextset()
                freed = cursor.rowcount
                while cursor.nextset():
                    pass
            except BaseException:
                _rollback_quietly(conn)
                raise
        return freed

    def attempt_sqlite() -> int:
        ids = known or _held_ids(token)
        if not ids:
            return 0
        freed = database.execute_sql(
            *seat_sql.release_update(mysql=False, ids=ids, token=token)).rowcount
        database.execute_sql(*seat_sql.mark_released(mysql=False, token=token))
        return freed

    if is_mysql():
        return transaction(attempt_mysql, atomic=False)
    return transaction(attempt_sqlite)


def sweep(show_id: int | None = None) -> int:
    """Turn expired holds back into available seats (so grids and reports are true)."""
    if show_id is not None:
        show_id = check_show_id(show_id)

    def attempt() -> int:
        query = ShowSeat.select(ShowSeat.id).where(
            (ShowSeat.held_until <= now_sql()) & (ShowSeat.status == SeatStatus.HELD)
        )
        if show_id is not None:
            query = query.where(ShowSeat.show == show_id)
        ids = [sid for (sid,) in query.order_by(ShowSeat.id).tuples()]
        if not ids:
            return 0
        return (
            ShowSeat.update(status=SeatStatus.AVAILABLE, hold_token=None, held_until=None,
                            updated_at=now_sql())
            .where(ShowSeat.id.in_(ids) & (ShowSeat.status == SeatStatus.HELD)
                   & (ShowSeat.held_until <= now_sql()))
            .execute()
        )

    return transaction(attempt)


def live_hold(token: str) -> tuple[HoldRow, datetime, list[int]]:
    """(hold row, db now, its held seat ids) of a hold still alive, or the refusal why not.

    Released holds keep their row: a hold with time left but no seats was released.
    """
    token = check_token(token)
    row = HoldRow.get_or_none(HoldRow.token == token)
    if row is None or row.state == HoldState.CONFIRMED:
        raise HoldNotFound()
    now, _ = db_clock(0)
    if row.expires_at <= now:
        raise HoldExpired()
    ids = _held_ids(token)
    if not ids:
        if Show.select(Show.status).where(Show.id == row.show_id).scalar() == ShowStatus.CANCELLED:
            raise BookingClosed("This show was cancelled; nothing was sold")
        raise HoldNotFound("This hold was released")
    return row, now, ids


def get_hold(token: str) -> Hold:
    """The hold as it stands now; HoldNotFound if unknown, HoldExpired if it ran out."""
    token = check_token(token)
    with database.connection_context():
        row, now, _ = live_hold(token)
        seats = list(
            ShowSeat.select(Seat.label, ShowSeat.price)
            .join(Seat)
            .where((ShowSeat.hold_token == token) & (ShowSeat.status == SeatStatus.HELD))
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
    seconds = seconds_of(settings.extend_seconds if seconds is None else seconds,
                         "An extension", HoldExpired)
    if not 0 < seconds <= 3600:
        raise HoldExpired(f"An extension is between 0 and 3600 s, not {seconds:g} s")

    def attempt() -> None:
        row, now, ids = live_hold(token)
        if row.extensions >= settings.max_extensions:
            raise HoldExpired(
                f"This hold was already extended {row.extensions} time(s); that is the limit"
            )
        new_expiry = row.expires_at + timedelta(seconds=seconds)
        changed = (
            ShowSeat.update(held_until=new_expiry, updated_at=now)
            .where(ShowSeat.id.in_(ids) & (ShowSeat.hold_token == token)
                   & (ShowSeat.status == SeatStatus.HELD) & (ShowSeat.held_until > now))
            .execute()
        )
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
