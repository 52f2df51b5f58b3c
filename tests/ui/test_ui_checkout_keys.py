"""Checkout at a counter terminal: what enter does in each field, what the phone field takes,
and the chosen payment method seen without colour."""

from __future__ import annotations

import io
import secrets

import pytest
from actor_support import ADMIN
from rich.console import Console
from textual.widgets import RadioButton

from bmstui.services import coupons, sales, seating
from screens.sale.checkout import CheckoutScreen
from screens.sale.ticket import TicketScreen
from tests.ui_support import make_app, open_show, wait_for, wait_for_checkout, wait_for_screen


def text_of(screen, selector: str) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None, record=True)
    console.print(screen.query_one(selector).render())
    return console.export_text()


async def to_checkout(pilot, show_id: int, seats: str = "1") -> CheckoutScreen:
    await open_show(pilot, show_id)
    await pilot.press(seats, "enter")
    checkout = await wait_for_checkout(pilot)
    await wait_for(pilot, lambda: checkout.quote is not None, what="the quote")
    return checkout


async def test_enter_in_the_coupon_field_applies_a_new_code_then_confirms(new_show, tmp_path):
    show_id = new_show()
    code = "ui" + secrets.token_hex(3)
    coupons.create(code, "flat", 30, by=ADMIN)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        checkout = await to_checkout(pilot, show_id)
        assert "enter or F10: confirm the sale" in text_of(checkout, "#pay-status")
        checkout.query_one("#coupon").focus()
        await pilot.press(*code)
        await wait_for(pilot, lambda: f"apply coupon {code.upper()}"
                       in text_of(checkout, "#pay-status"), what="the help for a new code")
        await pilot.press("enter")
        await wait_for(pilot, lambda: checkout.coupon == code, what="the coupon applied")
        assert checkout.quote.discount == 30
        await wait_for(pilot, lambda: "enter or F10: confirm the sale"
                       in text_of(checkout, "#pay-status"), what="the help to confirm")
        assert checkout.focused is checkout.query_one("#coupon")

        await pilot.press("enter")  # the same code again: the sale, not a second check
        ticket = await wait_for_screen(pilot, TicketScreen)
        assert ticket.booking.discount == 30 and ticket.booking.coupon == code.upper()
    assert coupons.get(code).used_count == 1


async def test_enter_on_the_payment_methods_confirms_the_sale(new_show, tmp_path):
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        checkout = await to_checkout(pilot, show_id)
        await pilot.press("f3")  # card
        checkout.query_one("#method").focus()
        await pilot.press("enter")
        ticket = await wait_for_screen(pilot, TicketScreen)
        assert ticket.booking.payment.method == "card"


async def test_a_phone_that_is_no_phone_is_refused_beside_the_field(new_show, tmp_path):
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        checkout = await to_checkout(pilot, show_id)
        checkout.query_one("#phone").focus()
        await pilot.press(*"hello!!")
        await wait_for(pilot, lambda: "✗" in text_of(checkout, "#phone-status"),
                       what="the refusal beside the field")
        assert "digits" in text_of(checkout, "#phone-status")
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CheckoutScreen) and not checkout._confirming
        held = {s.label for s in seating.seat_map(show_id) if s.status == "held"}
        assert set(checkout.hold.labels) <= held  # nothing sold, nothing stored

        checkout.query_one("#phone").value = ""
        await pilot.press(*"123")
        await wait_for(pilot, lambda: "at least 7" in text_of(checkout, "#phone-status"),
                       what="too few digits")
        checkout.query_one("#phone").value = ""
        await pilot.press(*"+91 (98450) 12345")
        await wait_for(pilot, lambda: "✗" not in text_of(checkout, "#phone-status"),
                       what="the refusal gone")
        await pilot.press("enter")
        ticket = await wait_for_screen(pilot, TicketScreen)
    booking = sales.find_booking(ticket.booking.code)
    assert (booking.customer_name, booking.customer_phone) == ("", "919845012345")


async def test_a_phone_only_coupon_says_the_phone_is_wrong_not_missing(new_show, tmp_path):
    show_id = new_show()
    code = "ui" + secrets.token_hex(3)
    coupons.create(code, "flat", 30, per_customer_limit=1, by=ADMIN)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        checkout = await to_checkout(pilot, show_id)
        checkout.query_one("#phone").value = "hello!!"
        checkout.query_one("#coupon").focus()
        await pilot.press(*code, "enter")
        await wait_for(pilot, lambda: "✗" in text_of(checkout, "#coupon-status"),
                       what="the coupon refused")
        assert "Customer phone" in text_of(checkout, "#coupon-status")
        assert checkout.coupon is None


async def test_the_chosen_method_reads_differently_without_colour(new_show, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        checkout = await to_checkout(pilot, show_id)

        def shown() -> dict[str, str]:
            return {b.name: str(b.render()) for b in checkout.query(RadioButton)}

        cash = shown()
        assert "▶" in cash["cash"] and not any("▶" in t for m, t in cash.items() if m != "cash")
        await pilot.press("f4")  # upi
        await wait_for(pilot, lambda: "▶" in shown()["upi"], what="the marker on UPI")
        assert sum("▶" in t for t in shown().values()) == 1
        assert shown()["cash"] != cash["cash"]


@pytest.mark.slow  # a walk of every key from every focus: the system tier
async def test_every_payment_key_works_from_every_field_of_the_checkout(new_show, tmp_path):
    """F2–F5 are on the footer of the checkout: each chooses its method wherever the focus
    is (the amount, the coupon, the phone, the methods themselves)."""
    from bmstui.domain.vocabulary import PaymentMethod

    keys = {"f2": PaymentMethod.CASH, "f3": PaymentMethod.CARD, "f4": PaymentMethod.UPI,
            "f5": PaymentMethod.NETBANKING}
    app = make_app(tmp_path, as_="cashier1")
    async with app.run_test(size=(80, 24)) as pilot:
        checkout = await to_checkout(pilot, new_show())
        chain = list(checkout.focus_chain)
        assert {w.id for w in chain} >= {"tendered", "coupon", "phone", "method"}
        for widget in chain:
            for key, method in [*keys.items(), ("f2", PaymentMethod.CASH)]:
                widget.focus()
                await pilot.pause()
                await pilot.press(key)
                await wait_for(pilot, lambda method=method: checkout.method == method,
                               what=f"{key} from #{widget.id}")


async def test_arrowing_through_the_methods_chooses_what_enter_sells_by(new_show, tmp_path):
    """The bar and the ▶ never part: Down on the methods chooses Card, and Enter sells by card
    (before, the bar moved, the ▶ stayed on Cash and the card customer was sold for cash)."""
    app = make_app(tmp_path, as_="cashier1")
    async with app.run_test(size=(80, 24)) as pilot:
        checkout = await to_checkout(pilot, new_show())
        checkout.query_one("#method").focus()
        await pilot.pause()
        await pilot.press("down")
        await wait_for(pilot, lambda: checkout.method == "card", what="card chosen by Down")
        assert checkout.focused is checkout.query_one("#method")  # still on the methods
        await pilot.press("enter")
        ticket = await wait_for_screen(pilot, TicketScreen)
        assert ticket.booking.payment.method == "card"
