"""What the clerk sees, screen by screen, compared with approved SVG snapshots.

The catalog is the demo one with its shows on a fixed day in 2099 and a frozen countdown clock,
so the pictures do not change with the date the tests run on. Rendering does not depend on the
backend, so these run on SQLite only; the flows themselves run on both (test_ui_sale.py).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from textual.widgets import Input

import bmstui
from bmstui.services import catalog, sales, seating
from bmstui.store.models import Movie, Show
from screens.sale.ticket import TicketScreen
from tests.ui_support import make_app, open_show, wait_for, wait_for_checkout, wait_for_screen

SIZE = (120, 36)
SHOW_DAY = date(2099, 1, 5)


@pytest.fixture(scope="module")
def frozen_catalog(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('snap') / 'bmstui.db'}"
    bmstui.open_database(url)
    bmstui.create_schema()
    bmstui.load_demo_data(days=1, start_day=SHOW_DAY)
    shows = [s for s in catalog.shows() if s.local_start.hour == 18]
    grid_show, checkout_show = shows[0], shows[1]
    # Another counter's hold and a sale, so the grid shows every status.
    seating.hold(grid_show.id, ["F7", "F8"], terminal="counter-2", ttl=86_400)
    sold = seating.hold(grid_show.id, ["A5", "A6", "A7"], terminal="counter-3")
    sales.confirm(sold.token, method="card")
    return url, grid_show, checkout_show


@pytest.fixture
def snap_db(frozen_catalog):
    url, grid_show, checkout_show = frozen_catalog
    bmstui.open_database(url)
    return grid_show, checkout_show


def test_city_screen(snap_compare, snap_db, tmp_path):
    async def ready(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query("#city-list Option") is not None
                       and pilot.app.screen.query_one("#city-list").option_count == 3)

    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, run_before=ready)


def test_movies_screen(snap_compare, snap_db, tmp_path):
    grid_show, _ = snap_db

    async def ready(pilot):
        from tests.ui_support import choose

        await choose(pilot, "city-list", grid_show.city_id)
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#show-list").option_count > 1)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, run_before=ready)


def test_seat_grid_screen(snap_compare, snap_db, tmp_path):
    grid_show, _ = snap_db

    async def ready(pilot):
        screen = await open_show(pilot, grid_show.id)
        screen._timer.pause()
        await pilot.press("4")
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, run_before=ready)


def test_checkout_screen(snap_compare, snap_db, tmp_path):
    _, checkout_show = snap_db

    async def ready(pilot):
        await open_show(pilot, checkout_show.id)
        await pilot.press("3", "enter")
        screen = await wait_for_checkout(pilot)
        for field in screen.query(Input):
            field.cursor_blink = False
        await pilot.press(*"2000")
        await wait_for(pilot, lambda: screen.quote is not None, what="the quote")
        screen.query_one("#coupon").focus()
        await pilot.press(*"welcome10", "enter")
        await wait_for(pilot, lambda: screen.coupon == "welcome10", what="the coupon")
        await pilot.pause()

    try:
        assert snap_compare(make_app(tmp_path), terminal_size=SIZE, run_before=ready)
    finally:
        for token in [h.token for h in _holds_of(checkout_show.id)]:
            seating.release(token)


def _holds_of(show_id: int):
    from bmstui.store.models import Hold

    return list(Hold.select().where(Hold.show == show_id))


def test_ticket_screen(snap_compare, snap_db, tmp_path):
    grid_show, _ = snap_db
    booking = sales.Booking(
        id=1, code="BMS-7KQ2XW", show_id=grid_show.id, status="confirmed",
        labels=("H9", "H10"), subtotal=Decimal("606.00"), discount=Decimal("0.00"),
        total=Decimal("606.00"),
        payment=sales.PaymentInfo("cash", Decimal("606.00"), Decimal("1000.00"),
                                  Decimal("394.00"), ""),
        customer_name="", customer_phone="9845012345", terminal="counter-1",
        created_at=datetime(2099, 1, 5, 10, 30),
    )

    async def ready(pilot):
        pilot.app.push_screen(TicketScreen(booking, grid_show))
        await wait_for_screen(pilot, TicketScreen)
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, run_before=ready)


def test_frozen_catalog_is_really_in_2099(snap_db):
    """The snapshots rely on it: a show 'today' would make them change every day."""
    grid_show, checkout_show = snap_db
    assert grid_show.local_start.date() == SHOW_DAY == checkout_show.local_start.date()
    assert Show.select().count() > 0 and Movie.select().count() == 10
