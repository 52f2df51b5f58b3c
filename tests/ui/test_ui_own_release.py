"""A counter's own release is never another counter's take (screens/seats.py, services/live.py).

Leaving checkout releases the hold on a worker while the grid polls again at once: whichever
comes first, the seats chosen stay chosen and no notice blames another counter. Each order is
forced for real: a gate holds back either the release or the poll until the other is done.
"""

from __future__ import annotations

import threading

import pytest

from bmstui.services import live, seating
from screens.sale.seats import SeatScreen
from screens.widgets.seat_grid import SeatGrid
from tests.ui_support import (
    make_app,
    noticed,
    open_show,
    wait_for,
    wait_for_checkout,
    wait_for_screen,
)

GATE_SECONDS = 60  # a gate never holds a thread forever, even when a test fails


def statuses(show_id: int, labels) -> list[str]:
    by_label = {seat.label: seat.status for seat in seating.seat_map(show_id)}
    return [by_label[label] for label in labels]


class Gate:
    """Wraps a function: calls wait until ``open()``; counts the calls that returned."""

    def __init__(self, fn, closed: bool):
        self.fn = fn
        self.opened = threading.Event()
        if not closed:
            self.opened.set()
        self.returned = 0

    def __call__(self, *args, **kwargs):
        self.opened.wait(GATE_SECONDS)
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.returned += 1

    def open(self) -> None:
        self.opened.set()


@pytest.mark.parametrize("first", ["poll", "release"])
async def test_leaving_checkout_keeps_the_seats_chosen_whichever_comes_first(
        new_show, tmp_path, monkeypatch, first):
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_show(pilot, show_id)
        grid = screen.query_one(SeatGrid)
        await pilot.press("2")
        chosen = sorted(screen.live.seat(i).label for i in grid.selected)
        await pilot.press("enter")
        await wait_for_checkout(pilot)
        assert statuses(show_id, chosen) == ["held", "held"]

        release = Gate(seating.release, closed=first == "poll")
        poll = Gate(live.poll, closed=first == "release")
        monkeypatch.setattr(seating, "release", release)
        monkeypatch.setattr(live, "poll", poll)
        await pilot.press("escape")
        await wait_for_screen(pilot, SeatScreen)

        if first == "poll":
            # Polls run while the release waits: they read the seats still held (by us).
            await wait_for(pilot, lambda: poll.returned >= 3 and not screen._polling,
                           what="polls while the release waits")
            assert statuses(show_id, chosen) == ["held", "held"]
            assert sorted(screen.live.seat(i).label for i in grid.selected) == chosen
            assert all(screen.live.is_ours(i) for i in grid.selected)
            release.open()
        else:
            await wait_for(pilot, lambda: release.returned == 1, what="the release")
            assert statuses(show_id, chosen) == ["available", "available"]
            poll.open()
        await wait_for(pilot, lambda: statuses(show_id, chosen) == ["available", "available"]
                       and all(screen.live.is_free(i)
                               for i in grid.selected)
                       and poll.returned >= 3, what="the grid to show the seats free")
        assert sorted(screen.live.seat(i).label for i in grid.selected) == chosen
        assert not noticed(app, "another counter")

        # And a real take by another counter is still said, and dropped from the choice.
        other = seating.hold(show_id, chosen[:1], terminal="counter-2")
        await wait_for(pilot, lambda: noticed(app, "another counter"), what="the notice")
        assert [screen.live.seat(i).label for i in grid.selected] == chosen[1:]
        seating.release(other.token)


async def test_quitting_during_checkout_gives_the_seats_back(new_show, tmp_path):
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_show(pilot, show_id)
        await pilot.press("2", "enter")
        checkout = await wait_for_checkout(pilot)
        labels = sorted(checkout.hold.labels)
        assert statuses(show_id, labels) == ["held", "held"]
        await pilot.press("ctrl+q")
    assert statuses(show_id, labels) == ["available", "available"]
    assert not app.open_holds
