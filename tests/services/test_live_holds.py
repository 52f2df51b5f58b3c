"""A channel's live holds, counted from the hold rows' (terminal, state, expires_at) index.

``online.open_holds`` is the anti-hoarding count every online hold pays for. It no longer reads
the seats of every hold the channel ever made: it trusts the hold row's state and expiry, so
each way a hold stops holding must leave the row saying so (a release marks it released, a
sale confirmed, a cancelled show released; an expiry is read from ``expires_at``), and a hold
whose seats were freed behind its row's back must still not count. The index comes to an
existing database by migration step 7. Both backends.
"""

from __future__ import annotations

import secrets
import time

import pytest
from actor_support import ADMIN

import bmstui
from bmstui.domain.vocabulary import HoldState, SeatStatus
from bmstui.services import channels, online, scheduling, seating
from bmstui.store.db import database, db_now
from bmstui.store.migrations import MIGRATIONS, current_version, latest_version, pending, upgrade
from bmstui.store.models import Hold as HoldRow
from bmstui.store.models import SchemaVersion, ShowSeat

INDEX = ["terminal", "state", "expires_at"]
LATEST = latest_version()


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def new_channel():
    _, key = channels.add(f"live{secrets.token_hex(3)}", by=ADMIN)
    return channels.authenticate(key)


def state_of(token: str) -> str:
    with database.connection_context():
        return HoldRow.get(HoldRow.token == token).state


def test_only_the_channels_live_holds_count(new_show, settings):
    show = new_show()
    web, other = new_channel(), new_channel()
    assert online.open_holds(web) == 0
    kept = online.hold(web, show, seats=["A1", "A2"])
    online.hold(other, show, seats=["B1"])
    online.hold(other, show, best=2)
    assert (online.open_holds(web), online.open_holds(other)) == (1, 2)

    released = online.hold(web, show, seats=["C1"])
    assert online.open_holds(web) == 2
    assert online.release(web, released.token) == 1
    assert online.open_holds(web) == 1 and state_of(released.token) == HoldState.RELEASED

    sold = online.hold(web, show, best=3)
    online.confirm(web, sold.token, method="card")
    assert online.open_holds(web) == 1 and state_of(sold.token) == HoldState.CONFIRMED

    settings(api_hold_seconds=0.5)
    ran_out = online.hold(web, show, seats=["D1"])
    extended = online.hold(web, show, seats=["D2"])
    seating.extend(extended.token, 60)
    assert online.open_holds(web) == 3
    wait_until(lambda: db_now() > max(ran_out.expires_at, extended.expires_at))
    assert online.open_holds(web) == 2  # the one run out no more; the one extended still
    assert state_of(kept.token) == HoldState.ACTIVE
    assert online.open_holds(other) == 2


def test_a_cancelled_shows_holds_no_longer_count(new_show):
    show, elsewhere = new_show(), new_show()
    web = new_channel()
    on_cancelled = online.hold(web, show, seats=["E4", "E5"])
    online.hold(web, elsewhere, seats=["E4"])
    assert online.open_holds(web) == 2
    scheduling.cancel_show(show, reason="projector failed", operator=ADMIN)
    assert online.open_holds(web) == 1
    assert state_of(on_cancelled.token) == HoldState.RELEASED


def test_a_hold_whose_seats_were_freed_behind_its_row_does_not_count(new_show):
    """The row still says active and unexpired, but no seat is held under its token (an
    older release's cancellation freed seats without touching hold rows)."""
    show = new_show()
    web = new_channel()
    freed = online.hold(web, show, seats=["F6", "F7"])
    online.hold(web, show, seats=["F9"])
    with database.connection_context():
        ShowSeat.update(status=SeatStatus.BLOCKED, hold_token=None, held_until=None).where(
            ShowSeat.hold_token == freed.token).execute()
    assert state_of(freed.token) == HoldState.ACTIVE
    assert online.open_holds(web) == 1


def _index_columns() -> list[list[str]]:
    with database.connection_context():
        return [index.columns for index in database.get_indexes("hold")]


def _as_version_6(backend: str) -> None:
    """What the release before the index made: the same tables, no such index, version 6."""
    with database.connection_context():
        (index,) = [i.name for i in database.get_indexes("hold") if i.columns == INDEX]
        on = " ON `hold`" if backend == "mysql" else ""
        database.execute_sql(f"DROP INDEX {index}{on}")
        SchemaVersion.delete().where(SchemaVersion.version > 6).execute()


@pytest.mark.parametrize("how", ["create_schema", "upgrade"])
def test_the_index_comes_to_a_version_6_database(backend, backends, how):
    bmstui.open_database(backends.new_url(backend))
    bmstui.create_schema()
    assert INDEX in _index_columns()
    _as_version_6(backend)
    assert INDEX not in _index_columns() and current_version() == 6
    assert pending() == ["index hold (terminal, state, expires_at)"]
    if how == "create_schema":
        report = bmstui.create_schema()
        assert report.summary() == (f"Schema upgraded from version 6 to {LATEST}: "
                                    + ", ".join(m.name for m in MIGRATIONS[6:]))
        assert report.applied[0] == "live holds index"
        assert report.changes == ("indexed hold (terminal, state, expires_at)",)
    else:
        assert upgrade() == ["indexed hold (terminal, state, expires_at)"]
    assert _index_columns().count(INDEX) == 1
    assert current_version() == LATEST and pending() == []
    with database.connection_context():
        assert SchemaVersion.get(SchemaVersion.version == 7).name == "live holds index"
    assert upgrade() == [] and _index_columns().count(INDEX) == 1  # never made twice
