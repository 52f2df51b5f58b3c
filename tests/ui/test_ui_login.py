"""Signing in at the counter: refusals shown, the operator recorded on what they sell."""

from __future__ import annotations

import secrets

from actor_support import ADMIN

from bmstui.services import operators
from bmstui.store.models import Booking, Hold
from screens.login import LoginScreen
from screens.sale.city import CityScreen
from screens.sale.ticket import TicketScreen
from tests.ui_support import make_app, open_show, wait_for, wait_for_checkout, wait_for_screen

PASSWORD = "till-open-42"


async def test_sign_in_then_sell_records_the_operator_and_sign_out(new_show, tmp_path):
    show_id = new_show()
    cashier = operators.add(f"ui{secrets.token_hex(3)}", PASSWORD, by=ADMIN)
    app = make_app(tmp_path, login=True)
    async with app.run_test(size=(120, 40)) as pilot:
        login = await wait_for_screen(pilot, LoginScreen)
        await pilot.press(*cashier.name, "enter", *"not-the-one", "enter")
        status = login.query_one("#login-status")
        await wait_for(pilot, lambda: "4 tries left" in str(status.render()),
                       what="the refusal")
        assert login.query_one("#login-password").value == ""  # typed again, never kept
        await pilot.press(*PASSWORD, "enter")
        await wait_for_screen(pilot, CityScreen)
        assert app.operator == cashier
        await wait_for(pilot, lambda: cashier.name in app.title, what="the name in the title")
        await wait_for(pilot, lambda: cashier.name in app.title, what="the name in the title")

        await open_show(pilot, show_id)
        await pilot.press("1", "enter")
        await wait_for_checkout(pilot)
        await pilot.press("enter")
        ticket = await wait_for_screen(pilot, TicketScreen)
        row = Booking.get(Booking.code == ticket.booking.code)
        assert row.operator_id == cashier.id
        assert Hold.get(Hold.token == row.hold_token).operator_id == cashier.id

        await pilot.press("enter")
        await app.run_action("sign_out")
        await wait_for_screen(pilot, LoginScreen)
        assert app.operator is None
        # The next start offers the last operator's name, selected: Enter keeps it.
    again = make_app(tmp_path, login=True)
    async with again.run_test(size=(120, 40)) as pilot:
        login = await wait_for_screen(pilot, LoginScreen)
        name = login.query_one("#login-name")
        await wait_for(pilot, lambda: name.value == cashier.name and login.focused is name)
        await pilot.press("enter")
        await wait_for(pilot, lambda: login.focused is login.query_one("#login-password"))
        assert name.value == cashier.name


async def test_a_password_managers_burst_over_a_remembered_name_signs_in(demo_db, tmp_path):
    """"name<Tab>password<Enter>" in one burst while another operator's name is remembered:
    the typed name replaces the remembered one, the password goes where it belongs."""
    from tests.ui_support import burst

    cashier = operators.add(f"ui{secrets.token_hex(3)}", PASSWORD, by=ADMIN)
    app = make_app(tmp_path, login=True)
    app.memory.set("operator", "someone-else")
    async with app.run_test(size=(80, 24)) as pilot:
        login = await wait_for_screen(pilot, LoginScreen)
        await wait_for(pilot, lambda: login.focused is login.query_one("#login-name"))
        burst(app, *cashier.name, "tab", *PASSWORD, "enter")
        await wait_for_screen(pilot, CityScreen)
        assert app.operator == cashier
        await wait_for(pilot, lambda: cashier.name in app.title, what="the name in the title")


async def test_name_and_password_typed_in_one_burst_land_in_their_fields(demo_db, tmp_path):
    """A password manager (or a scanner) sends everything at once: the keys after the name's
    Enter are queued before the focus moves, and must still reach the password."""
    from textual import events

    cashier = operators.add(f"ui{secrets.token_hex(3)}", PASSWORD, by=ADMIN)
    app = make_app(tmp_path, login=True)
    async with app.run_test(size=(80, 24)) as pilot:
        login = await wait_for_screen(pilot, LoginScreen)
        login.query_one("#login-name").value = ""
        login.query_one("#login-name").focus()
        await pilot.pause()
        burst = [*cashier.name, "enter", *PASSWORD, "enter"]
        for key in burst:  # all posted before the app handles any: no pause between keys
            app.post_message(events.Key(key, None if key == "enter" else key))
        await wait_for_screen(pilot, CityScreen)
        assert app.operator == cashier
        await wait_for(pilot, lambda: cashier.name in app.title, what="the name in the title")
