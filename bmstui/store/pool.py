"""A connection pool that neither loses wake-ups nor makes everyone wait for one slow connect.

Two faults of playhouse's pool, both seen under load:

- A caller that finds the pool full lets go of its lock, then waits up to a second for a
  notification; a connection given back in between wakes nobody, and the caller sleeps the
  whole second with a connection free. Under a ticket rush (an API server's threads sharing a
  few connections) that was most of every request's time. Here a waiter looks at the pool under
  the lock the check-in notifies under, so it wakes as soon as one comes back.
- peewee opens a new connection while holding the database's lock, so when the server stops
  answering (a host gone silent, not refusing), every thread of the process queues behind one
  connect: thirty requests took thirty connect timeouts in turn. Here a new connection is made
  with no lock held; the pool only counts it as being opened.
"""

from __future__ import annotations

import heapq
import time

import peewee
from playhouse.pool import MaxConnectionsExceeded, PoolConnection, PooledDatabase

# peewee's translation of driver errors into its own (named here: inside a class body the name
# peewee.__exception_wrapper__ would be mangled; at module level it is not)
_DRIVER_ERRORS = peewee.__exception_wrapper__


class FairPool:
    """Mixed in before playhouse's pooled databases (``class X(FairPool, PooledMySQLDatabase)``).

    ``_open`` makes one new driver connection; subclasses may wrap its errors."""

    _opening = 0  # connections being made right now, counted against max_connections

    def connect(self, reuse_if_open=False):
        deadline = time.monotonic() + (self._wait_timeout or 0)
        while True:
            if not self._state.closed:
                if reuse_if_open:
                    return False
                raise peewee.OperationalError("Connection already opened.")
            try:
                with _DRIVER_ERRORS:
                    conn = self._connect()
            except MaxConnectionsExceeded:
                self._wait_for_room(deadline)
                continue
            self._state.reset()
            with _DRIVER_ERRORS:
                self._state.set_connection(conn)
                if self.server_version is None:
                    self._set_server_version(conn)
                self._initialize_connection(conn)
            return True

    def _full(self) -> bool:
        return bool(self._max_connections) and not self._connections and (
            len(self._in_use) + self._opening >= self._max_connections)

    def _wait_for_room(self, deadline: float) -> None:
        with self._pool_available:
            while self._full():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise MaxConnectionsExceeded(
                        "Every database connection of this process is busy; timed out "
                        "waiting for one") from None
                self._pool_available.wait(remaining)

    def _connect(self):
        """Check a connection out: a pooled one, or a new one made outside the lock."""
        with self._pool_lock:
            while self._connections:
                stamp, _, conn = heapq.heappop(self._connections)
                if self._is_closed(conn):
                    continue
                if self._stale_timeout and self._is_stale(stamp):
                    self._close_raw(conn)
                    continue
                self._in_use[self.conn_key(conn)] = PoolConnection(stamp, conn, time.time())
                return conn
            if self._full():
                raise MaxConnectionsExceeded("Exceeded maximum connections.")
            self._opening += 1
        try:
            conn = self._open()
        except BaseException:
            with self._pool_lock:
                self._opening -= 1
                self._pool_available.notify()
            raise
        with self._pool_lock:
            self._opening -= 1
            now = time.time()
            self._in_use[self.conn_key(conn)] = PoolConnection(now, conn, now)
        return conn

    def _open(self):
        return super(PooledDatabase, self)._connect()  # the driver's connect, not the pool's
