"""The seat protocol's hot statements, written once per backend and cached.

Holds and releases are the statements every counter runs under load. Building them with
peewee's query builder cost more client CPU than the database spent executing them (measured
with ``bmstui bench holds``), so they are plain parametrised SQL text, generated from the models'
table names and cached by (backend, number of seats). Everything else uses peewee.

Each builder takes the values its statement needs and returns ``(sql, params)``, the params in
the order of the marks in the text, so a caller runs ``database.execute_sql(*builder(...))``
and never counts positions itself. The text is built once per shape (the ``_..._text``
functions, cached); only the params are made per call. The database's clock is spelled in
``bmstui.store.db.clock_text``, the same text peewee's ``now_sql`` uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from itertools import chain
from typing import Literal

import peewee as pw

from bmstui.domain.vocabulary import HoldState, SeatStatus, ShowStatus
from bmstui.store.db import clock_offset, clock_text, now_sql
from bmstui.store.models import Hold, Show, ShowSeat

Statement = tuple[str, list]


def _parts(mysql: bool) -> tuple[str, str, str]:
    """(quote char, param mark, now expression)."""
    return ("`", "%s", clock_text(True)) if mysql else ('"', "?", clock_text(False))


def _table(model, quote: str) -> str:
    return f"{quote}{model._meta.table_name}{quote}"


def hold_update(*, mysql: bool, ids: Sequence[int], token: str, ttl: float,
                show_id: int) -> Statement:
    """Hold the seats ``ids`` for ``ttl`` seconds if every one is free and the show is on sale,
    by the DB clock.

    The show check rides in the same statement, so a hold costs no extra round trip for it; a
    refusal is diagnosed afterwards. Seats already held by this very token count as free: a hold
    retried after a lost connection (whose first attempt may have committed) takes its own seats
    again instead of being refused them.
    """
    return (_hold_update_text(mysql, len(ids)),
            [token, clock_offset(mysql, ttl), *ids, token, show_id])


@lru_cache(maxsize=64)
def _hold_update_text(mysql: bool, n: int) -> str:
    q, p, now = _parts(mysql)
    ids = ", ".join([p] * n)
    return (
        f"UPDATE {_table(ShowSeat, q)} SET status = '{SeatStatus.HELD}', hold_token = {p}, "
        f"held_until = {clock_text(mysql, p)}, updated_at = {now} "
        f"WHERE id IN ({ids}) AND (status = '{SeatStatus.AVAILABLE}' OR "
        f"(status = '{SeatStatus.HELD}' AND (held_until <= {now} OR hold_token = {p}))) "
        f"AND EXISTS (SELECT 1 FROM {_table(Show, q)} WHERE id = {p} "
        f"AND status = '{ShowStatus.SCHEDULED}' AND starts_at > {now})"
    )


def insert_hold(*, mysql: bool, ids: Sequence[int], token: str, terminal: str,
                operator_id: int | None, returning: bool = False,
                if_still_held: bool = False) -> Statement:
    """The hold row of ``ids``, its times copied from the first seat, which it just held.

    With ``returning`` it also answers (now, expiry). ``if_still_held``: the row is only written
    if that seat really is this token's (in a batch, where the UPDATE's count is read later).
    """
    params = [token, terminal, operator_id, len(ids), ids[0]]
    if if_still_held:
        params.append(token)
    return _insert_hold_text(mysql, returning, if_still_held), params


@lru_cache(maxsize=8)
def _insert_hold_text(mysql: bool, returning: bool, if_still_held: bool) -> str:
    q, p, _ = _parts(mysql)
    ignore = "INSERT IGNORE" if mysql else "INSERT OR IGNORE"  # a retried hold's own row
    sql = (
        f"{ignore} INTO {_table(Hold, q)} (token, show_id, terminal, operator_id, seat_count, "
        f"created_at, expires_at, extensions, state) "
        f"SELECT {p}, show_id, {p}, {p}, {p}, updated_at, held_until, 0, '{HoldState.ACTIVE}' "
        f"FROM {_table(ShowSeat, q)} WHERE id = {p}"
    )
    if if_still_held:
        sql += f" AND hold_token = {p}"
    return sql + " RETURNING created_at, expires_at" if returning else sql


def hold_times(*, mysql: bool, token: str) -> Statement:
    """(created, expires) of a hold, for servers without INSERT ... RETURNING (MySQL 8)."""
    return _hold_times_text(mysql), [token]


@lru_cache(maxsize=4)
def _hold_times_text(mysql: bool) -> str:
    q, p, _ = _parts(mysql)
    return f"SELECT created_at, expires_at FROM {_table(Hold, q)} WHERE token = {p}"


def lock_rows(*, mysql: bool, ids: Sequence[int],
              mode: Literal["NOWAIT", "SKIP LOCKED"]) -> Statement:
    """SELECT ... FOR UPDATE NOWAIT / SKIP LOCKED of the show seats ``ids``, in id order."""
    return _lock_rows_text(mysql, len(ids), mode), list(ids)


@lru_cache(maxsize=64)
def _lock_rows_text(mysql: bool, n: int, mode: str) -> str:
    q, p, _ = _parts(mysql)
    ids = ", ".join([p] * n)
    return f"SELECT id FROM {_table(ShowSeat, q)} WHERE id IN ({ids}) ORDER BY id FOR UPDATE {mode}"


def held_ids(*, mysql: bool, token: str) -> Statement:
    """Show seat ids held by a token, in lock order."""
    return _held_ids_text(mysql), [token]


@lru_cache(maxsize=4)
def _held_ids_text(mysql: bool) -> str:
    q, p, _ = _parts(mysql)
    return (f"SELECT id FROM {_table(ShowSeat, q)} WHERE hold_token = {p} "
            f"AND status = '{SeatStatus.HELD}' ORDER BY id")


def release_update(*, mysql: bool, ids: Sequence[int], token: str) -> Statement:
    """Free the seats ``ids`` of a token (those still held by it)."""
    return _release_update_text(mysql, len(ids)), [*ids, token]


@lru_cache(maxsize=64)
def _release_update_text(mysql: bool, n: int) -> str:
    q, p, now = _parts(mysql)
    ids = ", ".join([p] * n)
    return (
        f"UPDATE {_table(ShowSeat, q)} SET status = '{SeatStatus.AVAILABLE}', hold_token = NULL, "
        f"held_until = NULL, updated_at = {now} "
        f"WHERE id IN ({ids}) AND hold_token = {p} AND status = '{SeatStatus.HELD}'"
    )


def mark_released(*, mysql: bool, token: str) -> Statement:
    """A released hold's row says so: a channel's count of live holds skips it."""
    return _mark_released_text(mysql), [token]


@lru_cache(maxsize=4)
def _mark_released_text(mysql: bool) -> str:
    q, p, _ = _parts(mysql)
    return (f"UPDATE {_table(Hold, q)} SET state = '{HoldState.RELEASED}' "
            f"WHERE token = {p} AND state = '{HoldState.ACTIVE}'")


def release_batch(*, ids: Sequence[int], token: str) -> Statement:
    """MySQL: a whole release in one round trip: START TRANSACTION, the seats' UPDATE (its
    count is the second result), the hold row's, COMMIT."""
    statements = (release_update(mysql=True, ids=ids, token=token),
                  mark_released(mysql=True, token=token))
    texts, params = zip(*statements)
    return _batch_text((*texts, "COMMIT"), False), list(chain.from_iterable(params))


def hold_batch(*, ids: Sequence[int], token: str, ttl: float, show_id: int, terminal: str,
               operator_id: int | None, pessimistic: bool,
               autocommit: bool = False) -> Statement:
    """MySQL: a whole hold in one round trip (multi-statement), then COMMIT or ROLLBACK.

    Its result sets, in order: [START TRANSACTION unless ``autocommit``], [the row locks if
    ``pessimistic``], the UPDATE, the hold row, the hold's (created, expires), the show's
    (status, on sale). The hold row is only written if the first seat is really ours; the
    caller still checks the UPDATE's count and rolls back a partial hold. ``autocommit`` (one
    seat only): each statement commits alone, so a refused UPDATE lets go of the row at once
    instead of after the client's ROLLBACK.
    """
    statements = [lock_rows(mysql=True, ids=ids, mode="NOWAIT")] if pessimistic else []
    statements += [
        hold_update(mysql=True, ids=ids, token=token, ttl=ttl, show_id=show_id),
        insert_hold(mysql=True, ids=ids, token=token, terminal=terminal,
                    operator_id=operator_id, if_still_held=True),
        hold_times(mysql=True, token=token),
        show_state(mysql=True, show_id=show_id),
    ]
    texts, params = zip(*statements)
    return _batch_text(texts, autocommit), list(chain.from_iterable(params))


@lru_cache(maxsize=128)
def _batch_text(statements: tuple[str, ...], autocommit: bool) -> str:
    return ";\n".join(statements if autocommit else ("START TRANSACTION", *statements))


def show_state(*, mysql: bool, show_id: int) -> Statement:
    """(status, on sale now) of a show. Explains a refused hold."""
    return _show_state_text(mysql), [show_id]


@lru_cache(maxsize=4)
def _show_state_text(mysql: bool) -> str:
    q, p, now = _parts(mysql)
    return f"SELECT status, starts_at > {now} FROM {_table(Show, q)} WHERE id = {p}"


def changes_since(*, mysql: bool, show_id: int, since: datetime,
                  token: str | None = None) -> Statement:
    """One row: the database's now, then the seats of a show changed after ``since``
    (database clock) as text, "id status mine held_until" joined by "|" (NULL for none).

    One round trip per poll: the (show, updated_at) index answers the range, and the row comes
    even when nothing changed, carrying the time. Tokens never leave the database; each entry
    only says whether it is ``token``'s. One row of text rather than a row per seat for the
    reason ``taken_seats`` gives: in a rush a poll brings back a thousand seats.
    """
    # SQLite keeps times as text; compare with the same spelling, not a driver adapter.
    moment = since if mysql else since.strftime("%Y-%m-%d %H:%M:%S.%f")
    return _changes_since_text(mysql), [token or "", show_id, moment]


@lru_cache(maxsize=4)
def _changes_since_text(mysql: bool) -> str:
    q, p, now = _parts(mysql)
    mine = f"CASE WHEN hold_token = {p} THEN 1 ELSE 0 END"
    until = "COALESCE(held_until, '')"
    if mysql:
        joined = f"GROUP_CONCAT(CONCAT(id, ' ', status, ' ', {mine}, ' ', {until}) SEPARATOR '|')"
    else:
        joined = f"group_concat(id || ' ' || status || ' ' || {mine} || ' ' || {until}, '|')"
    return (f"SELECT {now}, {joined} FROM {_table(ShowSeat, q)} "
            f"WHERE show_id = {p} AND updated_at > {p}")


def free_ids(*, mysql: bool, show_id: int) -> Statement:
    """Ids of the show's seats anyone may take now (a best-seat pick's choice), as one text
    of ids joined by "," (NULL for none): one row, for the reason ``taken_seats`` gives."""
    return _free_ids_text(mysql), [show_id]


def _free_text(mysql: bool) -> str:
    _, _, now = _parts(mysql)
    return (f"(status = '{SeatStatus.AVAILABLE}' OR "
            f"(status = '{SeatStatus.HELD}' AND held_until <= {now}))")


@lru_cache(maxsize=4)
def _free_ids_text(mysql: bool) -> str:
    q, p, _ = _parts(mysql)
    joined = "GROUP_CONCAT(id SEPARATOR ',')" if mysql else "group_concat(id, ',')"
    return (f"SELECT {joined} FROM {_table(ShowSeat, q)} "
            f"WHERE show_id = {p} AND {_free_text(mysql)}")


def taken_seats(*, mysql: bool, show_id: int, token: str | None) -> Statement:
    """One row: the number of the show's seats, the sum of their ids (which changes if its
    seats were ever made anew), and the seats nobody may take now (held, booked, blocked) as
    text, "id status mine held_until" joined by "|" (``mine``: 1 if ``token`` holds it; the
    end only for a hold). A seat map reads only this: free seats are the rest of the layout
    each process already has. One row of text because the pure-Python driver spends about
    4 µs on every row it parses: a sold-out 2,000-seat hall took 9 ms as rows, 1.5 ms so."""
    return _taken_seats_text(mysql), [token or "", show_id]


@lru_cache(maxsize=4)
def _taken_seats_text(mysql: bool) -> str:
    q, p, _ = _parts(mysql)
    mine = f"CASE WHEN hold_token = {p} THEN 1 ELSE 0 END"
    until = f"CASE WHEN status = '{SeatStatus.HELD}' THEN held_until ELSE '' END"
    if mysql:
        entry = f"CONCAT(id, ' ', status, ' ', {mine}, ' ', {until})"
    else:
        entry = f"id || ' ' || status || ' ' || {mine} || ' ' || {until}"
    taken = f"CASE WHEN NOT {_free_text(mysql)} THEN {entry} END"  # NULLs are left out
    joined = f"GROUP_CONCAT({taken} SEPARATOR '|')" if mysql else f"group_concat({taken}, '|')"
    return f"SELECT COUNT(*), SUM(id), {joined} FROM {_table(ShowSeat, q)} WHERE show_id = {p}"


def map_version(*, mysql: bool, show_id: int) -> Statement:
    """(newest write, seats held, holds run out, seats sold) of a show: what a reader's copy
    of the seat map depends on, each answered from an index ((show, updated_at), (show,
    status)) instead of reading all the show's rows (2.7 ms for a 2,000-seat hall, now 0.5)."""
    return _map_version_text(mysql), [show_id] * 4


@lru_cache(maxsize=4)
def _map_version_text(mysql: bool) -> str:
    q, p, now = _parts(mysql)
    table = _table(ShowSeat, q)
    held = f"show_id = {p} AND status = '{SeatStatus.HELD}'"
    return (f"SELECT (SELECT MAX(updated_at) FROM {table} WHERE show_id = {p}), "
            f"(SELECT COUNT(*) FROM {table} WHERE {held}), "
            f"(SELECT COUNT(*) FROM {table} WHERE {held} AND held_until <= {now}), "
            f"(SELECT COUNT(*) FROM {table} WHERE show_id = {p} "
            f"AND status = '{SeatStatus.BOOKED}')")


def free_seat_condition() -> pw.Expression:
    """A show seat anyone may take now: available, or held with the hold run out."""
    return (ShowSeat.status == SeatStatus.AVAILABLE) | (
        (ShowSeat.status == SeatStatus.HELD) & (ShowSeat.held_until <= now_sql())
    )
