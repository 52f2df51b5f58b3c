"""What the clerk sees while selling, screen by screen, compared with approved SVG snapshots.

Every screen at 80×24 (the smallest counter terminal) and 120×40, and the busiest ones also on a
monochrome terminal (NO_COLOR). The box office is frozen (tests/snapshot_support.py): shows on
a fixed day in 2099, fixed sale times and codes, a countdown clock nobody moves. Rendering does
not depend on the backend, so these run on SQLite only; the flows themselves run on both
(test_ui_sale.py). ``--snapshot-update`` writes new pictures; look at them before committing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from textual.widgets import Input, Select

from bmstui.services import catalog, seating
from bmstui.store.db import database
from bmstui.store.models import Hold, Movie, Show
from screens.help import HelpScreen
from screens.lock import LockScreen
from screens.login import LoginScreen
from screens.offline import OfflineSign
from screens.sale.movies import MoviesScreen
from screens.sale.ticket import TicketScreen
from tests import snapshot_support
from tests.snapshot_support import LOOKS, SHOW_DAY, SIZES, app_for, still
from tests.ui_support import choose, open_show, wait_for, wait_for_checkout, wait_for_screen

# The module's frozen box office (fixtures: each module builds its own).
frozen_box_office = snapshot_support.frozen_box_office
frozen = snapshot_support.frozen


@pytest.mark.parametrize(("size", "mono"), LOOKS)
def test_sign_in(snap_compare, frozen, tmp_path, monkeypatch, size, mono):
    async def ready(pilot):
        screen = await wait_for_screen(pilot, LoginScreen)
        await pilot.press(*"cashier1", "enter")  # the name typed; the password next
        await wait_for(pilot, lambda: screen.focused and screen.focused.id == "login-password",
                       what="the password field")
        still(screen)

    app = app_for(tmp_path, monkeypatch, mono, login=True)
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_city(snap_compare, frozen, tmp_path, monkeypatch, size):
    async def ready(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#city-list").option_count == 3,
                       what="the three cities")

    assert snap_compare(app_for(tmp_path, monkeypatch), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_movies_with_filters(snap_compare, frozen, tmp_path, monkeypatch, size):
    """Hindi movies on the show day, the first one's shows beside them."""
    city = frozen.grid.city_id
    expected = len(catalog.movies(city, language="Hindi", day=SHOW_DAY))
    assert 0 < expected < len(catalog.movies(city))  # the filter leaves some out

    async def ready(pilot):
        await choose(pilot, "city-list", city)
        screen = await wait_for_screen(pilot, MoviesScreen)
        language = await wait_for(pilot, lambda: screen.query_one("#language", Select)
                                  if screen.playing else None, what="the filters' choices")
        language.value = "Hindi"
        screen.query_one("#day", Select).value = SHOW_DAY.isoformat()
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await wait_for(pilot, lambda: screen.query_one("#movie-list").option_count == expected,
                       what="the filtered movies")
        await pilot.app.workers.wait_for_complete()
        await wait_for(pilot, lambda: screen.query_one("#show-list").option_count > 1,
                       what="the first movie's shows")
        still(screen)

    assert snap_compare(app_for(tmp_path, monkeypatch), terminal_size=size, run_before=ready)


@pytest.mark.parametrize(("size", "mono"), LOOKS)
def test_grid_of_the_largest_hall(snap_compare, frozen, tmp_path, monkeypatch, size, mono):
    """450 seats: sold, held by another counter, chosen here (4 seats asked for), free."""
    async def ready(pilot):
        screen = await open_show(pilot, frozen.grid.id)
        screen._timer.pause()
        await pilot.press("4")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = app_for(tmp_path, monkeypatch, mono)
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize(("size", "mono"), LOOKS)
def test_checkout_with_coupon_and_change(snap_compare, frozen, tmp_path, monkeypatch, size,
                                         mono):
    show = frozen.checkout

    async def ready(pilot):
        await open_show(pilot, show.id)
        await pilot.press("3", "enter")
        screen = await wait_for_checkout(pilot)
        still(screen)
        # Typed in one go (key by key is test_ui_checkout_keys.py's business, and slow here).
        screen.query_one("#tendered", Input).insert_text_at_cursor("2000")
        await wait_for(pilot, lambda: screen.quote is not None, what="the quote")
        coupon = screen.query_one("#coupon", Input)
        coupon.focus()
        await pilot.pause()
        coupon.insert_text_at_cursor("welcome10")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.coupon == "welcome10", what="the coupon")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    try:
        app = app_for(tmp_path, monkeypatch, mono)
        assert snap_compare(app, terminal_size=size, run_before=ready)
    finally:  # the app releases its hold as it closes; this is in case it could not
        with database.connection_context():
            tokens = [h.token for h in Hold.select().where(Hold.show == show.id)]
        for token in tokens:
            seating.release(token)


@pytest.mark.parametrize("size", SIZES)
def test_ticket(snap_compare, frozen, tmp_path, monkeypatch, size):
    from bmstui.services import sales

    booking = sales.Booking(
        id=1, code="BMS-7KQ2XW", show_id=frozen.grid.id, status="confirmed",
        labels=("H9", "H10"), subtotal=Decimal("606.00"), discount=Decimal("0.00"),
        total=Decimal("606.00"),
        payment=sales.PaymentInfo("cash", Decimal("606.00"), Decimal("1000.00"),
                                  Decimal("394.00"), ""),
        customer_name="", customer_phone="9845012345", terminal="counter-1",
        created_at=datetime(2099, 1, 5, 10, 30),
    )

    async def ready(pilot):
        pilot.app.push_screen(TicketScreen(booking, frozen.grid))
        await wait_for_screen(pilot, TicketScreen)
        await pilot.pause()

    assert snap_compare(app_for(tmp_path, monkeypatch), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_offline_grid(snap_compare, frozen, tmp_path, monkeypatch, size):
    """The grid while the database is away: the embedded database's file becomes a folder no
    connection can open (as in test_ui_offline.py); the last good answer was at 18:20."""
    db = database.obj
    path = db.database

    async def ready(pilot):
        screen = await open_show(pilot, frozen.grid.id)
        screen._timer.pause()
        await pilot.app.workers.wait_for_complete()
        pilot.app.last_contact = datetime(2099, 1, 5, 12, 50)  # UTC: 18:20 at the theater
        db.database = str(tmp_path)
        db.close_all()
        screen.poll_now()
        sign = screen.query_one(OfflineSign)
        await wait_for(pilot, lambda: sign.display and "18:20" in str(sign.render()),
                       what="the offline sign")
        await pilot.app.workers.wait_for_complete()
        # The notice that came with it names the configured database, which is where this
        # machine keeps it, not the test's; the sign is what lasts.
        pilot.app.clear_notifications()
        await pilot.pause()

    try:
        assert snap_compare(app_for(tmp_path, monkeypatch), terminal_size=size,
                            run_before=ready)
    finally:
        db.database = path


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, frozen, tmp_path, monkeypatch, size):
    async def ready(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#city-list").option_count)
        await pilot.press("f1")
        await wait_for_screen(pilot, HelpScreen)
        await pilot.pause()

    assert snap_compare(app_for(tmp_path, monkeypatch), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_lock_screen(snap_compare, frozen, tmp_path, monkeypatch, size):
    async def ready(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#city-list").option_count)
        pilot.app.lock_counter()
        screen = await wait_for_screen(pilot, LockScreen)
        await wait_for(pilot, lambda: screen.focused and screen.focused.id == "lock-password",
                       what="the password field")
        still(screen)
        await pilot.pause()

    assert snap_compare(app_for(tmp_path, monkeypatch), terminal_size=size, run_before=ready)


def test_frozen_catalog_is_really_in_2099(frozen):
    """The snapshots rely on it: a show 'today' would make them change every day."""
    assert frozen.grid.local_start.date() == SHOW_DAY == frozen.checkout.local_start.date()
    assert frozen.grid.capacity == max(s.capacity for s in catalog.shows())
    with database.connection_context():
        assert Show.select().count() > 0 and Movie.select().count() == 10
