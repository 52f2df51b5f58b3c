"""The seat protocol's hot statements, written once per backend and cached.

Holds and releases are the statements every counter runs under load. Building them with
peewee's query builder cost more client CPU than the database spent executing them (measured
with ``bmstui bench holds``), so they are plain parametrised SQL text, generated from the models'
table names and cached by (backend, number of seats). Everything else uses peewee.
"""

from __future__ import annotations

from functools import lru_cache

import peewee as pw

from bmstui.domain.vocabulary import SeatStatus
from bmstui.store.db import now_sql
from bmstui.store.models import Hold, Show, ShowSeat

_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
_MYSQL_NOW = "UTC_TIMESTAMP(6)"


def _parts(mysql: bool) -> tuple[str, str, str]:
    """(quote char, param mark, now expression)."""
    return ("`", "%s", _MYSQL_NOW) if mysql else ('"', "?", _SQLITE_NOW)


def _table(model, quote: str) -> str:
    return f"{quote}{model._meta.table_name}{quote}"


def ttl_param(mysql: bool, seconds: float):
    return int(round(seconds * 1_000_000)) if mysql else f"{seconds:+.3f} seconds"


def _later(mysql: bool, p: str) -> str:
    if mysql:
        return f"DATE_ADD({_MYSQL_NOW}, INTERVAL {p} MICROSECOND)"
    return f"strftime('%Y-%m-%d %H:%M:%f', 'now', {p})"


@lru_cache(maxsize=64)
def hold_update(mysql: bool, n: int) -> str:
    """Hold n seats if every one is free and the show is on sale, by the DB clock.

    Params: (token, ttl, *ids, token, show id). The show check rides in the same statement, so
    a hold costs no extra round trip for it; a refusal is diagnosed afterwards. Seats already
    held by this very token count as free: a hold retried after a lost connection (whose first
    attempt may have committed) takes its own seats again instead of being refused them.
    """
    q, p, now = _parts(mysql)
    ids = ", ".join([p] * n)
    return (
        f"UPDATE {_table(ShowSeat, q)} SET status = 'held', hold_token = {p}, "
        f"held_until = {_later(mysql, p)}, updated_at = {now} "
        f"WHERE id IN ({ids}) AND (status = 'available' OR "
        f"(status = 'held' AND (held_until <= {now} OR hold_token = {p}))) "
        f"AND EXISTS (SELECT 1 FROM {_table(Show, q)} WHERE id = {p} "
        f"AND status = 'scheduled' AND starts_at > {now})"
    )


@lru_cache(maxsize=4)
def insert_hold(mysql: bool, returning: bool) -> str:
    """The hold row, its times copied from a seat it just held: params (token, terminal,
    operator, seat count, one held seat id). With RETURNING it also answers (now, expiry)."""
    q, p, _ = _parts(mysql)
    ignore = "INSERT IGNORE" if mysql else "INSERT OR IGNORE"  # a retried hold's own row
    sql = (
        f"{ignore} INTO {_table(Hold, q)} (token, show_id, terminal, operator_id, seat_count, "
        f"created_at, expires_at, extensions, state) "
        f"SELECT {p}, show_id, {p}, {p}, {p}, updated_at, held_until, 0, 'active' "
        f"FROM {_table(ShowSeat, q)} WHERE id = {p}"
    )
    return sql + " RETURNING created_at, expires_at" if returning else sql


@lru_cache(maxsize=4)
def hold_times(mysql: bool) -> str:
    """(created, expires) of a hold, for servers without INSERT ... RETURNING (MySQL 8)."""
    q, p, _ = _parts(mysql)
    return f"SELECT created_at, expires_at FROM {_table(Hold, q)} WHERE token = {p}"


@lru_cache(maxsize=64)
def lock_rows(mysql: bool, n: int, mode: str) -> str:
    """SELECT ... FOR UPDATE NOWAIT / SKIP LOCKED of show seats in id order: params (*ids)."""
    q, p, _ = _parts(mysql)
    ids = ", ".join([p] * n)
    return f"SELECT id FROM {_table(ShowSeat, q)} WHERE id IN ({ids}) ORDER BY id FOR UPDATE {mode}"


@lru_cache(maxsize=4)
def held_ids(mysql: bool) -> str:
    """Show seat ids held by a token, in lock order: params (token,)."""
    q, p, _ = _parts(mysql)
    return (f"SELECT id FROM {_table(ShowSeat, q)} WHERE hold_token = {p} "
            f"AND status = 'held' ORDER BY id")


@lru_cache(maxsize=64)
def release_update(mysql: bool, n: int) -> str:
    """Free the seats of a token: params (*ids, token)."""
    q, p, now = _parts(mysql)
    ids = ", ".join([p] * n)
    return (
        f"UPDATE {_table(ShowSeat, q)} SET status = 'available', hold_token = NULL, "
        f"held_until = NULL, updated_at = {now} "
        f"WHERE id IN ({ids}) AND hold_token = {p} AND status = 'held'"
    )


@lru_cache(maxsize=128)
def hold_batch(n: int, pessimistic: bool, autocommit: bool = False) -> str:
    """MySQL: a whole hold in one round trip (multi-statement), then COMMIT or ROLLBACK.

    Params: ([*ids if pessimistic], token, ttl, *ids, token, show id, token, terminal,
    operator, seat count, first id, token, token, show id). The hold row is only written if the first seat is
    really ours; the caller still checks the UPDATE's count and rolls back a partial hold.
    ``autocommit`` (one seat only): each statement commits alone, so a refused UPDATE lets go
    of the row at once instead of after the client's ROLLBACK.
    """
    q, p, _ = _parts(True)
    statements = [] if autocommit else ["START TRANSACTION"]
    if pessimistic:
        statements.append(lock_rows(True, n, "NOWAIT"))
    statements += [
        hold_update(True, n),
        insert_hold(True, False) + f" AND hold_token = {p}",
        hold_times(True),
        show_state(True),
    ]
    return ";\n".join(statements)


@lru_cache(maxsize=4)
def show_state(mysql: bool) -> str:
    """(status, on sale now) of a show: params (show id,). Explains a refused hold."""
    q, p, now = _parts(mysql)
    return f"SELECT status, starts_at > {now} FROM {_table(Show, q)} WHERE id = {p}"


@lru_cache(maxsize=4)
def changes_since(mysql: bool) -> str:
    """Seats of a show changed after a moment, plus one row carrying the database's now.

    Params: (own token, show id, since). One round trip per poll: the (show, updated_at) index
    answers the range, and the extra row (id -1) tells the poller the time even when nothing
    changed. Tokens never leave the database; each row only says whether it is the caller's.
    """
    q, p, now = _parts(mysql)
    return (
        f"SELECT id, status, CASE WHEN hold_token = {p} THEN 1 ELSE 0 END, held_until "
        f"FROM {_table(ShowSeat, q)} WHERE show_id = {p} AND updated_at > {p} "
        f"UNION ALL SELECT -1, 'now', 0, {now}"
    )


def free_seat_condition() -> pw.Expression:
    """A show seat anyone may take now: available, or held with the hold run out."""
    return (ShowSeat.status == SeatStatus.AVAILABLE) | (
        (ShowSeat.status == SeatStatus.HELD) & (ShowSeat.held_until <= now_sql())
    )
