"""The change feed behind every open grid, the lookup by phone, and ticket export (both backends)."""

from __future__ import annotations

import time
from datetime import timedelta

from bmstui.export.tickets import export_ticket, ticket_text
from bmstui.services import catalog, sales, seating
from bmstui.services.live import CHANGE_WINDOW, IDLE_AFTER, LiveSeats
from bmstui.store.db import database
from bmstui.store.models import ShowSeat


def test_a_poll_reports_each_change_once_and_knows_its_own_hold(new_show):
    show_id = new_show()
    watcher = LiveSeats.open(show_id)
    first = watcher.seats[0]
    assert watcher.apply(watcher.fetch()) == set()  # nothing happened yet

    hold = seating.hold(show_id, [first.label], terminal="counter-2")
    assert watcher.apply(watcher.fetch()) == {first.id}
    assert watcher.status(first.id) == "held" and not watcher.seat(first.id).mine
    # The same row comes back while it is inside the window, but it is not news again.
    assert watcher.apply(watcher.fetch()) == set()

    watcher.token = hold.token  # the counter that made the hold sees it as its own
    assert watcher.apply(watcher.fetch()) == {first.id}
    assert watcher.seat(first.id).mine

    seating.release(hold.token)
    assert watcher.apply(watcher.fetch()) == {first.id}
    assert watcher.status(first.id) == "available"


def test_a_change_stamped_before_the_last_poll_is_still_seen(new_show):
    """A write whose statement ran before a poll but committed after it carries an older
    updated_at than that poll's clock: the trailing window must still catch it."""
    show_id = new_show()
    watcher = LiveSeats.open(show_id)
    watcher.apply(watcher.fetch())
    seat = watcher.seats[5]
    late = watcher.db_now - CHANGE_WINDOW / 2
    with database.connection_context():
        ShowSeat.update(status="booked", updated_at=late).where(ShowSeat.id == seat.id).execute()
    assert watcher.apply(watcher.fetch()) == {seat.id}
    assert watcher.status(seat.id) == "booked"


def test_an_expired_hold_is_shown_free_and_the_watcher_sweeps_it(new_show):
    show_id = new_show()
    watcher = LiveSeats.open(show_id, sweep_grace=0)
    seat = watcher.seats[3]
    seating.hold(show_id, [seat.label], ttl=0.2)
    watcher.apply(watcher.fetch())
    assert watcher.status(seat.id) == "held"
    time.sleep(0.3)  # the database clock passes the expiry
    assert seat.id in watcher.refresh()  # one poll shows it free, and sweeps it
    assert watcher.status(seat.id) == "available"
    with database.connection_context():
        stored = ShowSeat.get_by_id(seat.id)
    assert stored.status == "available" and stored.hold_token is None
    assert not watcher.wants_sweep()  # nothing left to sweep, and not again so soon


def test_only_the_first_grid_to_wake_sweeps_an_expired_hold(new_show):
    """Twenty grids on one show must not all sweep the same expired seat: each waits its own
    grace, and one that sees the seat come back meanwhile has nothing left to sweep."""
    show_id = new_show()
    early, late = LiveSeats.open(show_id, sweep_grace=0), LiveSeats.open(show_id, sweep_grace=2)
    seat = early.seats[4]
    seating.hold(show_id, [seat.label], ttl=0.2)
    for grid in (early, late):
        grid.apply(grid.fetch())
    time.sleep(0.3)
    late.apply(late.fetch())
    assert late.status(seat.id) == "available"  # shown free at once, grace or not
    assert not late.wants_sweep()  # but not swept by this grid yet
    early.refresh()  # sweeps
    late.apply(late.fetch())
    time.sleep(2)
    late.apply(late.fetch())
    assert not late.wants_sweep()  # the seat came back as available: nothing to sweep


def test_polls_use_the_database_clock_not_this_machine(new_show):
    show_id = new_show()
    watcher = LiveSeats.open(show_id)
    with database.connection_context():
        from bmstui.store.db import db_now

        now = db_now()
    assert abs((watcher.fetch().db_now - now).total_seconds()) < 5
    assert watcher.cursor == watcher.db_now - CHANGE_WINDOW


def test_find_bookings_by_code_or_phone(new_show, tmp_path):
    show_id = new_show()
    hold = seating.hold(show_id, ["B3"])
    booking = sales.confirm(hold.token, method="cash", customer="+91 99000-11223")
    assert booking.customer_phone == "919900011223"
    assert [b.code for b in sales.find_bookings(booking.code.lower())] == [booking.code]
    assert booking.code in [b.code for b in sales.find_bookings("99000 11223")]
    assert sales.find_bookings("BMS-NOPE99") == []
    assert sales.find_bookings("   ") == []
    assert sales.find_bookings("'; DROP TABLE booking; --") == []

    show = catalog.show(show_id)
    text = ticket_text(booking, show)
    assert booking.code in text and "B3" in text and show.title in text
    svg = export_ticket(booking, show, tmp_path / "t" / f"{booking.code}.svg")
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<svg")
    plain = export_ticket(booking, show, tmp_path / "t" / f"{booking.code}.txt")
    assert plain.read_text(encoding="utf-8") == text


def test_catalog_show_finds_a_show_that_is_no_longer_on_sale(new_show):
    show_id = new_show(starts_in=timedelta(seconds=1))
    time.sleep(1.2)
    assert show_id not in [s.id for s in catalog.shows()]
    assert catalog.show(show_id).id == show_id


def test_a_quiet_grid_polls_half_as_often_and_wakes_on_a_change(new_show):
    now = [100.0]
    show_id = new_show()
    grid = LiveSeats.open(show_id, clock=lambda: now[0])
    assert all(grid.poll_due() for _ in range(8))  # just opened: every tick
    now[0] += IDLE_AFTER + 0.1
    assert [grid.poll_due() for _ in range(6)].count(True) == 3  # quiet: every other tick
    seating.hold(show_id, [grid.seats[7].label])
    while not grid.poll_due():
        pass
    assert grid.apply(grid.fetch()) == {grid.seats[7].id}
    assert all(grid.poll_due() for _ in range(8))  # a change: every tick again
