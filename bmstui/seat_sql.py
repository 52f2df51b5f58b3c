"""The seat protocol's hot statements, written once per backend and cached.

Holds and releases are the statements every counter runs under load. Building them with
peewee's query builder cost more client CPU than the database spent executing them (measured
with ``bmstui bench holds``), so they are plain parametrised SQL text, generated from the models'
table names and cached by (backend, number of seats). Everything else uses peewee.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from bmstui.models import Hold, Show, ShowSeat

_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
_MYSQL_NOW = "UTC_TIMESTAMP(6)"


def _parts(mysql: bool) -> tuple[str, str, str]:
    """(quote char, param mark, now expression)."""
    return ("`", "%s", _MYSQL_NOW) if mysql else ('"', "?", _SQLITE_NOW)


def _table(model, quote: str) -> str:
    return f"{quote}{model._meta.table_name}{quote}"


def ttl_param(mysql: bool, seconds: float):
    return int(round(seconds * 1_000_000)) if mysql else f"{seconds:+.3f} seconds"


def datetime_param(mysql: bool, value: datetime):
    """SQLite stores peewee's text form; MySQL takes the datetime itself."""
    return value if mysql else str(value)


@lru_cache(maxsize=4)
def show_clock(mysql: bool) -> str:
    """(status, open for sale, now, now + ttl) of one show: params (ttl, show id)."""
    q, p, now = _parts(mysql)
    later = (f"DATE_ADD({now}, INTERVAL {p} MICROSECOND)" if mysql
             else f"strftime('%Y-%m-%d %H:%M:%f', 'now', {p})")
    return (f"SELECT status, starts_at > {now}, {now}, {later} "
            f"FROM {_table(Show, q)} WHERE id = {p}")


@lru_cache(maxsize=64)
def hold_update(mysql: bool, n: int) -> str:
    """Hold n seats if every one is free: params (token, held_until, now, *ids)."""
    q, p, now = _parts(mysql)
    ids = ", ".join([p] * n)
    return (
        f"UPDATE {_table(ShowSeat, q)} SET status = 'held', hold_token = {p}, "
        f"held_until = {p}, updated_at = {p} "
        f"WHERE id IN ({ids}) AND (status = 'available' OR "
        f"(status = 'held' AND held_until <= {now}))"
    )


@lru_cache(maxsize=4)
def insert_hold(mysql: bool) -> str:
    q, p, _ = _parts(mysql)
    return (
        f"INSERT INTO {_table(Hold, q)} (token, show_id, terminal, operator_id, seat_count, "
        f"created_at, expires_at, extensions, state) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, "
        f"0, 'active')"
    )


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


@lru_cache(maxsize=4)
def mark_hold(mysql: bool) -> str:
    """Move a hold from active to a final state: params (state, token)."""
    q, p, _ = _parts(mysql)
    return f"UPDATE {_table(Hold, q)} SET state = {p} WHERE token = {p} AND state = 'active'"
