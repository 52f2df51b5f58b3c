"""The database connection: one proxy every model binds to, opened from a URL.

SQLite (the embedded default) runs in WAL mode with ``BEGIN IMMEDIATE`` transactions and a busy
timeout, so concurrent writers queue instead of failing with "database is locked". MariaDB/MySQL
sessions run READ COMMITTED (an UPDATE's WHERE always sees the newest committed row and takes no
gap locks), UTC, and a short lock wait timeout so no counter freezes behind another's lock.

Times that decide anything come from the database clock (``now_sql``), never from this machine.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee
import pymysql
from playhouse.pool import PooledMySQLDatabase, PooledSqliteDatabase
from pymysql.constants.CLIENT import MULTI_STATEMENTS

from bmstui.config import mask_url
from bmstui.domain.errors import ConnectionLost, DatabaseUnavailable, OutcomeUnknown, TryAgain
from bmstui.paths import default_sqlite_path
from bmstui.store.pool import FairPool

database = peewee.DatabaseProxy()

LOCK_WAIT_SECONDS = 5  # one row-lock wait on MariaDB, one write-lock wait on SQLite
# All attempts of one transaction together: a counter gets an answer within about this long.
RETRY_BUDGET_SECONDS = 2 * LOCK_WAIT_SECONDS
NOT_IN_CLUSTER_MESSAGE = ("This database server has lost contact with the rest of the "
                          "cluster; nothing was changed. Try again in a moment, or point this "
                          "counter at another server")
READ_TIMEOUT_SECONDS = 30  # longest a statement may go unanswered (a report takes < 1 s)
LOCKED_MESSAGE = ("Another counter's transaction has kept these seats locked for too long; "
                  "nothing was changed. Try again in a moment")
# MariaDB/MySQL errors that mean "try the whole transaction again": deadlock, lock wait timeout,
# record changed (snapshot isolation). Galera refusing work is retried too (_outside_cluster).
RETRYABLE_MYSQL_ERRORS = {1213, 1205, 1020}  # and Galera's 1047/1180: _outside_cluster
# Connection lost / server gone: the transaction did not commit (or we cannot know: callers that
# must be idempotent, like confirm, make the retry safe by their own key).
CONNECTION_ERRORS = {2003, 2006, 2013, 2055, 1927, 4031}

T = TypeVar("T")
SERVER_STATUS_IN_TRANS = 1


class MariaDBDatabase(FairPool, PooledMySQLDatabase):
    """MySQL/MariaDB with the session settings the seat protocol relies on."""

    def _is_closed(self, conn):
        # The stock pool pings the server on every checkout: a round trip per service call.
        # A connection the server dropped fails on its first statement instead, and
        # transaction() discards it and retries on a fresh one.
        return not conn.open

    def execute_sql(self, sql, params=None):
        """A read outside a transaction survives one dropped connection (a restarted server, a
        killed session, a network blip): the dead connection is thrown away and the statement
        runs again on a fresh one, so an open seat grid recovers by itself; if the server is
        still away the caller gets ``ConnectionLost``. Writes never re-run here: only
        ``transaction()`` knows whether that is safe."""
        try:
            return super().execute_sql(sql, params)
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            if self.in_transaction():
                raise  # transaction() decides: retry, or explain when it gives up
            if _outside_cluster(exc):
                raise TryAgain(NOT_IN_CLUSTER_MESSAGE) from exc
            if not _is_read(sql) or not _connection_lost(exc):
                raise
            _discard_connection(self)
        outer = self._state.ctx  # connect() starts a new context stack; keep the caller's
        try:
            try:
                self.connect()
            finally:
                self._state.ctx = outer
            return super().execute_sql(sql, params)
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            if not _connection_lost(exc):
                raise
            _discard_connection(self)
            raise ConnectionLost() from exc

    def _open(self):
        """A server that cannot be reached is ``ConnectionLost``, a refusal a clerk can read
        (``transaction()`` retries it for a while first); bad credentials stay as they are."""
        try:
            return super()._open()
        except pymysql.err.OperationalError as exc:
            if mysql_error_code(exc) in CONNECTION_ERRORS:
                raise ConnectionLost() from exc
            raise

    def _can_reuse(self, conn):
        # The stock check rolls back on every check-in (pymysql has no in_transaction flag).
        try:
            if conn.server_status & SERVER_STATUS_IN_TRANS:
                conn.rollback()
        except Exception:
            return False
        return True

    def _set_server_version(self, conn):
        super()._set_server_version(conn)
        self.is_mariadb = "maria" in str(conn.get_server_info()).lower()

    def _initialize_connection(self, conn):
        # peewee calls this on every checkout from the pool; the session settings stick to the
        # connection, so set them once per physical connection.
        if getattr(conn, "_bmstui_ready", False):
            return
        conn._bmstui_ready = True
        _answer_within(conn, getattr(self, "statement_timeout", None))
        with conn.cursor() as cursor:
            cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
            # Both lock waits bounded: row locks, and metadata locks (a counter must not hang
            # behind someone's ALTER TABLE either).
            cursor.execute(
                "SET SESSION time_zone = '+00:00', "
                f"SESSION innodb_lock_wait_timeout = {LOCK_WAIT_SECONDS}, "
                f"SESSION lock_wait_timeout = {2 * LOCK_WAIT_SECONDS}, "
                # a seat map's taken seats come as one GROUP_CONCAT (seat_sql.taken_seats):
                # 1 KB by default, a sold-out hall needs about 20 bytes a seat
                "SESSION group_concat_max_len = 16777216"
            )


def _answer_within(conn, seconds: float | None) -> None:
    """A new connection waits for the server's greeting only the connect timeout (a host gone
    silent must not hold a connect for the 30 s a statement may take); from here on each
    statement may take ``seconds``. PyMySQL has one read timeout for both, so it is moved on
    here (its ``_read_timeout``/``_current_timeout``; left alone if a release renames them)."""
    sock = getattr(conn, "_sock", None)
    if not seconds or sock is None or not hasattr(conn, "_read_timeout"):
        return
    conn._read_timeout = seconds
    sock.settimeout(seconds)
    if hasattr(conn, "_current_timeout"):
        conn._current_timeout = seconds


class EmbeddedDatabase(FairPool, PooledSqliteDatabase):
    """SQLite for a single machine (several terminals on one PC share the file safely)."""


def is_mysql(db: peewee.Database | None = None) -> bool:
    db = db or database.obj
    return isinstance(db, peewee.MySQLDatabase)


def supports_returning() -> bool:
    """INSERT ... RETURNING: MariaDB 10.5+ and SQLite 3.35+, not MySQL 8."""
    db = database.obj
    if is_mysql(db):
        return bool(getattr(db, "is_mariadb", False)) and (db.server_version or (0,)) >= (10, 5)
    return sqlite3.sqlite_version_info >= (3, 35)


def make_database(url: str, *, pool_size: int = 8) -> peewee.Database:
    """A peewee database for ``url`` (not yet connected). Raises DatabaseUnavailable on bad URLs."""
    db = _make_database(url, pool_size)
    db.bmstui_url = url  # identifies the database in per-process caches
    return db


def _make_database(url: str, pool_size: int) -> peewee.Database:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        path = sqlite_file(url)
        if path is None:
            raise DatabaseUnavailable(
                mask_url(url), "an in-memory database cannot be shared", "give a file path"
            )
        _ensure_folder(url, path.parent)
        return EmbeddedDatabase(
            str(path),
            max_connections=max(pool_size, 32),
            stale_timeout=300,
            timeout=LOCK_WAIT_SECONDS,
            lock_type="IMMEDIATE",
            check_same_thread=False,
            pragmas={
                "journal_mode": "wal",
                "synchronous": "normal",
                "foreign_keys": 1,
                "busy_timeout": LOCK_WAIT_SECONDS * 1000,
            },
        )
    if scheme == "mysql":
        name = parts.path.lstrip("/")
        if not name:
            raise DatabaseUnavailable(
                mask_url(url), "no database name in the url", "mysql://user:pass@host:3306/bmstui"
            )
        options = dict(parse_qsl(parts.query))
        connect_timeout = float(options.pop("connect_timeout", 5))
        # A server that stops answering (a network black hole, a frozen host) must not
        # freeze a counter: a statement fails as a lost connection after this long.
        statement_timeout = float(options.pop("read_timeout", READ_TIMEOUT_SECONDS))
        # Multi-statements let a hold travel in one round trip (bmstui.store.seat_sql.hold_batch);
        # every value still goes through the driver's escaping, never into the SQL text.
        db = MariaDBDatabase(
            name,
            client_flag=MULTI_STATEMENTS,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 3306,
            user=unquote(parts.username or "root"),
            password=unquote(parts.password or ""),
            max_connections=int(options.pop("pool_size", pool_size)),
            stale_timeout=300,
            timeout=10,
            connect_timeout=connect_timeout,
            read_timeout=connect_timeout,  # the greeting; then statement_timeout (_answer_within)
            write_timeout=float(options.pop("write_timeout", READ_TIMEOUT_SECONDS)),
            **options,
        )
        db.statement_timeout = statement_timeout
        return db
    raise DatabaseUnavailable(
        mask_url(url), f"unsupported scheme {parts.scheme!r}", "use sqlite:/// or mysql://"
    )


def sqlite_file(url: str) -> Path | None:
    """The absolute file behind a SQLite URL (None for a MySQL URL or an in-memory one), so
    every message can name the file itself rather than a path relative to some folder.

    ``sqlite:///relative/x.db`` is relative to the current folder, ``sqlite:////abs/x.db``
    absolute; ``~`` is expanded."""
    if urlsplit(url).scheme.split("+")[0] != "sqlite":
        return None
    raw = unquote(url.split("://", 1)[1])
    path = raw[1:] if raw.startswith("/") else raw  # sqlite:///rel.db, sqlite:////abs.db
    if path in ("", ":memory:"):
        return None
    return Path(os.path.abspath(Path(path).expanduser()))


def _ensure_folder(url: str, folder: Path) -> None:
    """Only the default data folder is made on demand: any other missing folder is most likely
    a mistyped path (one slash too few makes an absolute path relative), and quietly creating
    it would give this counter a fresh, empty database nobody else sees."""
    if folder.is_dir():
        return
    if folder == Path(os.path.abspath(default_sqlite_path().parent)):
        folder.mkdir(parents=True, exist_ok=True)
        return
    raise DatabaseUnavailable(
        mask_url(url), f"folder {folder} does not exist",
        "create it, or use an absolute path: sqlite:////absolute/path/bmstui.db",
    )


def mysql_error_code(exc: BaseException | None) -> int | None:
    """The MySQL error number behind a (possibly peewee-wrapped) exception, or None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        args = getattr(exc, "args", ())
        if args and isinstance(args[0], int):
            return args[0]
        if args and isinstance(args[0], BaseException):
            code = mysql_error_code(args[0])
            if code is not None:
                return code
        exc = exc.__cause__ or exc.__context__
    return None


def _is_read(sql: str) -> bool:
    return sql.lstrip(" (\n").upper().startswith(("SELECT", "SHOW", "WITH"))


def _outside_cluster(exc: BaseException) -> bool:
    """Galera refusing work: 1047 (this node is not in the primary component, or not synced
    yet) or a COMMIT it could not replicate (1180 "... Not connected to Primary Component").
    Either way nothing was written anywhere, so the whole transaction may run again."""
    code = mysql_error_code(exc)
    return code == 1047 or (code == 1180 and "Primary Component" in str(exc))


def _retryable(exc: BaseException) -> bool:
    code = mysql_error_code(exc)
    if code == 1305:  # savepoint lost: a deadlock inside a nested atomic(); look further down
        code = mysql_error_code(exc.__context__)
    if code in RETRYABLE_MYSQL_ERRORS or _outside_cluster(exc):
        return True
    return "database is locked" in str(exc)


def transaction(fn: Callable[[], T], *, attempts: int = 8, atomic: bool = True) -> T:
    """Run ``fn`` in one transaction, retrying the whole of it on deadlocks and lock timeouts.

    Retries happen outside the outermost transaction (a deadlock rolls the whole transaction back
    on the server, so only a fresh start is safe). Business refusals (BookingError) pass through
    untouched. Called inside an open transaction, it just runs ``fn`` there. With
    ``atomic=False`` ``fn`` runs in autocommit mode: for work that is one statement anyway.

    Waiting is bounded twice: each lock wait by the session's timeout, and all attempts together
    by ``RETRY_BUDGET_SECONDS``, so a lock someone sits on ends in a refusal (``TryAgain``), not a
    frozen counter. A connection that cannot be had ends in ``ConnectionLost`` (nothing changed);
    one lost while COMMIT was under way in ``OutcomeUnknown``, which only the caller can settle.
    """
    if database.in_transaction():
        return fn()
    deadline = time.monotonic() + RETRY_BUDGET_SECONDS
    for attempt in range(attempts):
        body_done = False
        try:
            with database.connection_context():
                if not atomic:
                    return fn()
                with database.atomic():
                    result = fn()
                    body_done = True
                return result
        except (peewee.OperationalError, peewee.InternalError, peewee.InterfaceError,
                ConnectionLost) as exc:
            if isinstance(exc, OutcomeUnknown):
                raise
            code = mysql_error_code(exc)
            lost = isinstance(exc, ConnectionLost) or _connection_lost(exc)
            if lost:
                _discard_connection()
                if body_done:
                    # COMMIT was sent (or about to be): the server may have saved the work.
                    raise OutcomeUnknown() from exc
            elif not _retryable(exc):
                raise
            out_of_time = time.monotonic() >= deadline
            if attempt == attempts - 1 or out_of_time:
                if lost:
                    raise ConnectionLost() from exc
                if code == 1205 or "database is locked" in str(exc):
                    raise TryAgain(LOCKED_MESSAGE) from exc
                if _outside_cluster(exc):
                    raise TryAgain(NOT_IN_CLUSTER_MESSAGE) from exc
                raise TryAgain() from exc
            time.sleep(random.uniform(0.0, min(0.5, 0.004 * 2**attempt)) if not lost
                       else min(1.0, 0.05 * 2**attempt))
    raise AssertionError("unreachable")


def _connection_lost(exc: BaseException) -> bool:
    if mysql_error_code(exc) in CONNECTION_ERRORS:
        return True
    return isinstance(exc, peewee.InterfaceError) and is_mysql()  # pymysql: socket gone


def _discard_connection(db: peewee.Database | None = None) -> None:
    """Throw away this thread's dead connection, and the pool's idle ones too: a server that
    dropped one (a restart, a network cut) has usually dropped them all. Peewee's connection
    context stays as it is, so a caller's ``with connection_context()`` still unwinds."""
    db = db or database.obj
    state = db._state
    dead, state.conn, state.closed = state.conn, None, True
    if dead is not None:
        try:
            db._close(dead, close_conn=True)
        except Exception:
            pass
    close_idle = getattr(db, "close_idle", None)
    if close_idle is not None:
        close_idle()


def clock_text(mysql: bool, offset: str = "") -> str:
    """The database's clock as SQL text, UTC with sub-second precision: the one spelling of
    "now" per backend, for peewee expressions (``now_sql``) and the seat protocol's raw SQL
    (``bmstui.store.seat_sql``) alike. With ``offset`` (SQL text, usually a parameter mark
    bound to ``clock_offset(seconds)``) it is that much later."""
    if mysql:
        now = "UTC_TIMESTAMP(6)"
        return f"DATE_ADD({now}, INTERVAL {offset} MICROSECOND)" if offset else now
    modifier = f", {offset}" if offset else ""
    return f"strftime('%Y-%m-%d %H:%M:%f', 'now'{modifier})"


def clock_offset(mysql: bool, seconds: float) -> int | str:
    """The parameter ``clock_text(mysql, mark)`` adds: microseconds on MySQL, ms on SQLite."""
    return int(round(seconds * 1_000_000)) if mysql else f"{seconds:+.3f} seconds"


_NOW_TEXT = {mysql: clock_text(mysql) for mysql in (False, True)}


def now_sql() -> peewee.Node:
    """The database's clock, UTC, with sub-second precision."""
    return peewee.SQL(_NOW_TEXT[is_mysql()])


def later_sql(seconds: float) -> peewee.Node:
    """The database's clock plus ``seconds`` (a float; microseconds on MySQL, ms on SQLite)."""
    mysql = is_mysql()
    return peewee.SQL(clock_text(mysql, "%s" if mysql else "?"), (clock_offset(mysql, seconds),))


def db_now() -> datetime:
    """Read the database clock (UTC, naive)."""
    with database.connection_context():
        value = database.execute(peewee.Select(columns=[now_sql()])).fetchone()[0]
    return parse_db_datetime(value)


def parse_db_datetime(value: datetime | str) -> datetime:
    """MySQL hands back datetimes, SQLite the text of strftime()."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def db_clock(seconds: float) -> tuple[datetime, datetime]:
    """(now, now + seconds) read from the database clock in one statement."""
    row = database.execute(peewee.Select(columns=[now_sql(), later_sql(seconds)])).fetchone()
    return parse_db_datetime(row[0]), parse_db_datetime(row[1])
