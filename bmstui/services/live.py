"""Keeping a counter's view of a show true while other counters sell.

A grid polls one cheap statement (``poll``): the seats whose ``updated_at`` moved, read through
the (show, updated_at) index. A row's ``updated_at`` is the time its statement ran, but other
counters only see it once the transaction commits, which can be a lock wait later; so every poll
re-reads a trailing window (``CHANGE_WINDOW``) instead of starting exactly where the last one
ended, and ``LiveSeats`` ignores rows that did not change. Holds that ran out are shown free by
the database clock without waiting for anyone to sweep them; a terminal that sees one sweeps the
show (at most every ``SWEEP_EVERY`` seconds) so reports and other readers agree.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bmstui.domain.errors import ShowNotFound
from bmstui.domain.ids import parse_moment
from bmstui.domain.requests import check_show_id, check_token
from bmstui.domain.vocabulary import SeatStatus
from bmstui.services.seating import SeatState, seat_map, sweep
from bmstui.store import seat_sql
from bmstui.store.db import database, db_clock, is_mysql, parse_db_datetime
from bmstui.store.schema import schema_missing

# Longer than a write of the seat protocol can sit between its statement and its COMMIT: on
# MariaDB a lock wait is bounded at 5 s and every transaction is a few statements; on SQLite a
# writer has the lock from BEGIN IMMEDIATE, so its statements run just before it commits.
CHANGE_WINDOW = timedelta(seconds=15)
SWEEP_EVERY = 5.0  # seconds between sweeps of one show by one terminal
# A terminal waits a random part of this after a hold ran out before it sweeps: the first to
# wake sweeps, and the others see the seat come back in their next poll instead of all twenty
# grids sweeping the same seat at once (which would cost an idle counter more than its poll).
SWEEP_GRACE = 3.0
# A grid that has seen nothing change for IDLE_AFTER seconds polls on every IDLE_EVERY-th tick
# of its timer: an idle counter costs the database half as much, and the first change after a
# quiet spell still shows within two poll intervals; any change puts it back on every tick.
IDLE_AFTER = 5.0
IDLE_EVERY = 2


@dataclass(frozen=True)
class SeatChange:
    id: int
    status: str  # as stored: an expired hold still reads "held" until swept
    mine: bool  # held by the token the poller asked about
    held_until: datetime | None


@dataclass(frozen=True)
class Poll:
    db_now: datetime
    changes: tuple[SeatChange, ...]
    token: str | None = None  # the hold ``mine`` was judged against (None: no hold of ours)


def poll(show_id: int, since: datetime, token: str | None = None) -> Poll:
    """Seats of a show written after ``since`` (database clock), and the database's now."""
    show_id = check_show_id(show_id)
    since = parse_moment(since, "poll's starting time")
    token = check_token(token) if token else None
    with database.connection_context():
        now, joined = database.execute_sql(*seat_sql.changes_since(
            mysql=is_mysql(), show_id=show_id, since=since, token=token)).fetchone()
    changes = []
    for entry in joined.split("|") if joined else ():
        seat_id, status, mine, held_until = entry.split(" ", 3)
        changes.append(SeatChange(int(seat_id), status, mine == "1",
                                  parse_db_datetime(held_until) if held_until else None))
    return Poll(parse_db_datetime(now), tuple(changes), token or None)


def seat_map_version(show_id: int) -> str:
    """A short text that changes whenever any seat of the show changes for a reader: a write
    moves the newest ``updated_at`` and, whatever order writes commit in, a hold, a release or
    a sale changes the number held or sold; a hold running out (no write) changes the number
    run out. Cheap (index lookups only) so a website polling a seat map pays only this while
    nothing changes. Raises ShowNotFound for a show without seats."""
    show_id = check_show_id(show_id)
    with database.connection_context():
        newest, held, ran_out, sold = database.execute_sql(
            *seat_sql.map_version(mysql=is_mysql(), show_id=show_id)).fetchone()
    if newest is None:
        raise ShowNotFound(show_id)
    return f"{show_id}-{newest}-{held}-{ran_out}-{sold}"


_SCHEMA_SEEN: set[str] = set()


def schema_ready() -> bool:
    """Whether the database has bmstui's tables (a load balancer must not send sales to a
    server on an empty database). Once seen, taken as so for this process's database."""
    url = getattr(database.obj, "bmstui_url", "")
    if url in _SCHEMA_SEEN:
        return True
    if schema_missing():
        return False
    _SCHEMA_SEEN.add(url)
    return True


def ping() -> datetime:
    """The database's now: the cheapest question that proves it answers (a checkout's probe)."""
    with database.connection_context():
        now, _ = db_clock(0)
    return now


def snapshot(show_id: int, token: str | None = None) -> tuple[list[SeatState], datetime]:
    """Every seat of the show and the database's now, read together at open."""
    seats = seat_map(show_id, token=token)
    with database.connection_context():
        now, _ = db_clock(0)
    return seats, now


class LiveSeats:
    """One counter's picture of a show's seats, kept current by ``poll`` results.

    ``status(id)`` is what the clerk should see: available, held, booked or blocked, with a hold
    that ran out by the database clock already shown available. ``apply`` answers which seats
    look different, so a grid repaints only those.
    """

    def __init__(self, show_id: int, seats: Iterable[SeatState], db_now: datetime,
                 clock: Callable[[], float] = time.monotonic, sweep_grace: float | None = None):
        self.show_id = show_id
        self.seats: list[SeatState] = list(seats)
        self.index = {seat.id: i for i, seat in enumerate(self.seats)}
        self._held = {seat.id for seat in self.seats if seat.status == SeatStatus.HELD}  # as stored
        self.db_now = db_now
        self.clock = clock
        self._last_sweep = float("-inf")
        self._last_change = clock()
        self._ticks = 0
        grace = random.uniform(0, SWEEP_GRACE) if sweep_grace is None else sweep_grace
        self._sweep_grace = timedelta(seconds=grace)
        self.token: str | None = None  # the hold this counter has, if any

    @classmethod
    def open(cls, show_id: int, clock: Callable[[], float] = time.monotonic,
             sweep_grace: float | None = None) -> LiveSeats:
        seats, now = snapshot(show_id)
        return cls(show_id, seats, now, clock, sweep_grace)

    def seat(self, seat_id: int) -> SeatState:
        return self.seats[self.index[seat_id]]

    def status(self, seat_id: int) -> str:
        return self._shown(self.seat(seat_id))

    def _shown(self, seat: SeatState) -> str:
        if (seat.status == SeatStatus.HELD and seat.held_until is not None
                and seat.held_until <= self.db_now):
            return SeatStatus.AVAILABLE
        return seat.status

    def is_free(self, seat_id: int) -> bool:
        return self.status(seat_id) == SeatStatus.AVAILABLE

    def is_ours(self, seat_id: int) -> bool:
        """Held (and not run out) by the hold this counter asked about: its own, not taken."""
        return self.status(seat_id) == SeatStatus.HELD and self.seat(seat_id).mine

    def taken(self, seat_id: int) -> bool:
        """Held, sold or blocked by anyone but this counter's hold."""
        return not self.is_free(seat_id) and not self.is_ours(seat_id)

    def free_ids(self) -> set[int]:
        return {seat.id for seat in self.seats if self._shown(seat) == SeatStatus.AVAILABLE}

    @property
    def cursor(self) -> datetime:
        """Where the next poll starts: a window before the last database time seen."""
        return self.db_now - CHANGE_WINDOW

    def fetch(self) -> Poll:
        return poll(self.show_id, self.cursor, self.token)

    def apply(self, result: Poll) -> set[int]:
        """Take a poll's rows and its clock; the ids of seats that now look different."""
        # Only a changed row or a running hold (which may just have run out) can look different;
        # rows the trailing window brings back unchanged are skipped without a copy.
        watched = {c.id for c in result.changes if c.id in self.index} | self._held
        before = {seat_id: (self.status(seat_id), self.seat(seat_id).mine) for seat_id in watched}
        for change in result.changes:
            i = self.index.get(change.id)
            if i is None:
                continue
            old = self.seats[i]
            held_until = change.held_until if change.status == SeatStatus.HELD else None
            if (old.status, old.mine, old.held_until) == (change.status, change.mine, held_until):
                continue
            self.seats[i] = replace(old, status=change.status, mine=change.mine,
                                    held_until=held_until)
            self._last_change = self.clock()
            if change.status == SeatStatus.HELD:
                self._held.add(change.id)
            else:
                self._held.discard(change.id)
        self.db_now = max(self.db_now, result.db_now)
        return {
            seat_id for seat_id, seen in before.items()
            if (self.status(seat_id), self.seat(seat_id).mine) != seen
        }

    def poll_due(self) -> bool:
        """Called on every tick of the grid's poll timer: whether to poll on this one."""
        self._ticks += 1
        if self.clock() - self._last_change < IDLE_AFTER:
            return True
        return self._ticks % IDLE_EVERY == 0

    def wants_sweep(self) -> bool:
        """A hold here ran out (this terminal's grace ago) but is still stored as held, and
        this terminal has not swept lately: worth one sweep of this show."""
        if self.clock() - self._last_sweep < SWEEP_EVERY:
            return False
        due = self.db_now - self._sweep_grace
        expired = any(seat.held_until is not None and seat.held_until <= due
                      for seat in map(self.seat, self._held))
        if expired:
            self._last_sweep = self.clock()
        return expired

    def refresh(self) -> set[int]:
        """One poll (and a sweep when due): the ids of seats that look different."""
        changed = self.apply(self.fetch())
        if self.wants_sweep():
            sweep(self.show_id)
        return changed
