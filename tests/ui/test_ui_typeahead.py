"""Keys typed faster than the screens come: a password manager, a scanner, a clerk who does not
look. Every key is sent before the app handled the first (``burst``); none may be lost or land
in the wrong place."""

from __future__ import annotations

import secrets

from actor_support import ADMIN

from bmstui.services import operators
from bmstui.store.models import Booking, Hold
from screens.login import LoginScreen
from screens.sale.checkout import CheckoutScreen
from screens.sale.city import CityScreen
from screens.sale.ticket import TicketScreen
from tests.ui_support import burst, make_app, open_show, wait_for, wait_for_screen

PASSWORD = "typed-ahead-7"


async def test_name_tab_password_enter_in_one_burst_signs_in(demo_db, tmp_path):
    """Tab moves the focus as it arrives, so the password after it is the password."""
    cashier = operators.add(f"ui{secrets.token_hex(3)}", PASSWORD, by=ADMIN)
    app = make_app(tmp_path, login=True)
    async with app.run_test(size=(80, 24)) as pilot:
        login = await wait_for_screen(pilot, LoginScreen)
        name = login.query_one("#login-name")
        name.value = ""
        name.focus()
        await pilot.pause()
        burst(app, *cashier.name, "tab", *PASSWORD, "enter")
        await wait_for_screen(pilot, CityScreen)
        assert app.operator == cashier
        await wait_for(pilot, lambda: cashier.name in app.title, what="the name in the title")


async def test_seats_enter_and_the_amount_typed_ahead_reach_the_checkout(new_show, tmp_path):
    """"3, Enter, 2000": the digits typed while the seats are being held are the cash
    tendered, not another seat count on the grid."""
    app = make_app(tmp_path, as_="cashier1")
    async with app.run_test(size=(120, 40)) as pilot:
        show_id = new_show()
        await open_show(pilot, show_id)
        burst(app, "3", "enter", "2", "0", "0", "0")
        checkout = await wait_for_screen(pilot, CheckoutScreen)
        await wait_for(pilot, lambda: checkout.query_one("#tendered").value == "2000",
                       what="2000 in the amount field")
        assert len(checkout.hold.labels) == 3
        assert Hold.select().where(Hold.show == show_id).count() == 1


async def test_a_whole_cash_sale_typed_ahead_sells_once(new_show, tmp_path):
    """"2, Enter, 5000, Enter" sells two seats for cash with ₹5000 tendered."""
    app = make_app(tmp_path, as_="cashier1")
    async with app.run_test(size=(120, 40)) as pilot:
        show_id = new_show()
        await open_show(pilot, show_id)
        burst(app, "2", "enter", *"5000", "enter")
        ticket = await wait_for_screen(pilot, TicketScreen)
        await wait_for(pilot, lambda: ticket.is_mounted, what="the ticket")
        await pilot.pause()
        booking = ticket.booking
        assert len(booking.labels) == 2
        assert booking.payment.tendered == 5000
        assert Booking.select().where(Booking.show == show_id).count() == 1


async def test_a_scan_from_anywhere_in_find_booking_finds_that_booking(new_show, tmp_path):
    """A USB scanner types the code and Enter in one burst, wherever the focus is: on the
    results, on the ticket, or in the field holding the last code."""
    from bmstui.services import sales, seating
    from screens.lookup.find import LookupScreen

    show_id = new_show()
    first, second, third = (
        sales.confirm(seating.hold(show_id, [label]).token, method="card")
        for label in ("B1", "B2", "B3"))
    app = make_app(tmp_path, as_="cashier1")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+f")
        lookup = await wait_for_screen(pilot, LookupScreen)
        await pilot.pause()
        burst(app, *first.code, "enter")
        await wait_for(pilot, lambda: lookup.found and lookup.found[0][0].code == first.code,
                       what="the first booking")
        lookup.query_one("#lookup-results").focus()  # the clerk looked at the result
        await pilot.pause()
        await pilot.press(*second.code, "enter")  # a slower scanner: the app keeps up
        await wait_for(pilot, lambda: lookup.found and lookup.found[0][0].code == second.code,
                       what="the second booking, scanned with the focus on the results")
        assert lookup.query_one("#lookup-query").value == second.code
        # The focus stayed in the field that shows the second code: a scan replaces it.
        assert lookup.focused is lookup.query_one("#lookup-query")
        burst(app, *third.code, "enter")
        await wait_for(pilot, lambda: lookup.found and lookup.found[0][0].code == third.code,
                       what="the third booking, scanned into the field")
        assert lookup.query_one("#lookup-query").value == third.code


async def test_cancel_typed_right_after_a_scan_acts_on_the_scanned_booking(new_show, tmp_path):
    from bmstui.services import sales, seating
    from screens.lookup.cancel import CancelScreen
    from screens.lookup.find import LookupScreen

    booking = sales.confirm(seating.hold(new_show(), ["C4"]).token, method="upi")
    app = make_app(tmp_path, as_="cashier1")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+f")
        await wait_for_screen(pilot, LookupScreen)
        await pilot.pause()
        burst(app, *booking.code, "enter", "f8")
        cancel = await wait_for_screen(pilot, CancelScreen)
        assert cancel.booking.code == booking.code


async def test_slash_and_a_title_in_one_burst_search_and_clear_no_filter(demo_db, tmp_path):
    from textual.widgets import Input, Select

    from bmstui.services import catalog
    from screens.sale.movies import MoviesScreen
    from tests.ui_support import choose

    city = catalog.cities()[0]
    theater = catalog.theaters(city.id)[0]
    app = make_app(tmp_path, as_="cashier1")
    async with app.run_test(size=(120, 40)) as pilot:
        await choose(pilot, "city-list", city.id)
        movies = await wait_for_screen(pilot, MoviesScreen)
        await wait_for(pilot, lambda: movies.query_one("#movie-list").option_count > 0)
        movies.query_one("#theater", Select).value = theater.id
        movies.query_one("#movie-list").focus()
        await pilot.pause()
        burst(app, "slash", "x", "o")
        search = movies.query_one("#search", Input)
        await wait_for(pilot, lambda: search.value == "xo", what="xo in the search")
        assert movies.query_one("#theater", Select).value == theater.id  # x cleared nothing
