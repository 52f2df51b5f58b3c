"""Two counters on one MariaDB: what one holds, the other sees within a second and cannot sell;
when the hold runs out, the other sees the seats free and sells them."""

from __future__ import annotations

import time

import pytest

from bmstui.services import seating
from screens.sale.seats import SeatScreen
from screens.sale.ticket import TicketScreen
from screens.widgets.seat_grid import SeatGrid
from tests.ui_support import (
    make_app,
    noticed,
    open_show,
    wait_for,
    wait_for_checkout,
    wait_for_screen,
)

pytestmark = pytest.mark.mysql


@pytest.mark.parametrize("backend", ["mysql"], indirect=True)
async def test_two_counters_see_each_other_and_never_sell_the_same_seat(
    new_show, tmp_path, settings
):
    settings(hold_seconds=4)
    show_id = new_show()
    counter_a = make_app(tmp_path / "a")  # its clock never moves: only the database expires it
    counter_b = make_app(tmp_path / "b")
    async with counter_a.run_test(size=(120, 40)) as a, counter_b.run_test(size=(120, 40)) as b:
        grid_a = await open_show(a, show_id)
        grid_b = await open_show(b, show_id)
        await b.press("2")  # the same two best seats the other counter is about to take
        wanted = list(grid_b.query_one(SeatGrid).selected)

        await a.press("2")
        assert grid_a.query_one(SeatGrid).selected == wanted
        await a.press("enter")
        checkout = await wait_for_checkout(a)
        held_at = time.monotonic()
        await wait_for(b, lambda: all(grid_b.live.status(i) == "held" for i in wanted),
                       timeout=1.0, what="counter B to see A's hold within 1 s")
        seen_after = time.monotonic() - held_at
        assert seen_after < 1.0
        await wait_for(b, lambda: noticed(counter_b, "went to another counter"))
        assert grid_b.query_one(SeatGrid).selected == []

        # A stale choice on B (chosen before it heard of A's hold) is refused at checkout.
        grid_b.query_one(SeatGrid).set_selection(wanted)
        grid_b._timer.pause()
        await b.press("enter")
        await wait_for(b, lambda: noticed(counter_b, "just taken"))
        assert isinstance(counter_b.screen, SeatScreen)
        assert {s.label: s.status for s in seating.seat_map(show_id)
                if s.id in wanted} == {label: "held" for label in checkout.hold.labels}
        grid_b._timer.resume()

        # A's counter goes quiet (its countdown never ticks down); the database lets the hold
        # run out and B sees the seats free again without anyone releasing them.
        await wait_for(b, lambda: all(grid_b.live.status(i) == "available" for i in wanted),
                       timeout=8, what="the expired hold to show free on B")
        await b.press("2")
        assert grid_b.query_one(SeatGrid).selected == wanted
        await b.press("enter")
        await wait_for_checkout(b)
        await b.press("enter")
        ticket = await wait_for_screen(b, TicketScreen)
        assert sorted(ticket.booking.labels) == sorted(checkout.hold.labels)

        # A's clerk comes back too late: the sale is refused and A is sent back to the grid.
        await a.press("enter")
        await wait_for_screen(a, SeatScreen)
        await wait_for(a, lambda: all(grid_a.live.status(i) == "booked" for i in wanted))
