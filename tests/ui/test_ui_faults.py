"""A clerk's sale while the database goes away and comes back, driven through the real app."""

from __future__ import annotations

from bmstui.store.db import database
from bmstui.store.models import Booking, Payment
from screens.sale.checkout import CheckoutScreen
from screens.sale.ticket import TicketScreen
from tests.ui_support import make_app, noticed, open_show, wait_for, wait_for_checkout


async def test_confirm_during_an_outage_is_refused_clearly_and_works_when_pressed_again(
        via_proxy, new_show, tmp_path):
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_show(pilot, show_id)
        await pilot.press("2", "enter")
        checkout = await wait_for_checkout(pilot)
        token = checkout.hold.token
        await pilot.press(*"1000")
        via_proxy.go_down()
        await pilot.press("enter")
        await wait_for(pilot, lambda: noticed(app, "cannot be reached"), what="the refusal")
        assert isinstance(app.screen, CheckoutScreen) and app.is_running
        via_proxy.come_back()
        await pilot.press("enter")
        ticket = await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen)
                                and app.screen, what="the ticket")
    with database.connection_context():
        booking = Booking.get(Booking.hold_token == token)
        assert booking.code == ticket.booking.code
        assert Payment.select().where(Payment.booking == booking.id).count() == 1
