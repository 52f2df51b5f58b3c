"""Coupons at checkout and cancellations from Find booking, driven as a clerk drives them."""

from __future__ import annotations

import io
import secrets
from datetime import timedelta
from decimal import Decimal

from actor_support import ADMIN
from rich.console import Console

from bmstui.services import coupons, sales, seating
from bmstui.store.models import AuditEvent, Refund
from screens.lookup.cancel import CancelScreen
from screens.lookup.find import LookupScreen
from screens.sale.checkout import CheckoutScreen
from screens.sale.ticket import TicketScreen
from tests.ui_support import (
    make_app,
    noticed,
    open_show,
    wait_for,
    wait_for_checkout,
    wait_for_screen,
)


def new_code() -> str:
    return "ui" + secrets.token_hex(3)  # typed in lower case: the code is case-blind


def text_of(screen, selector: str) -> str:
    """What a Static shows, as plain text (tables and groups included)."""
    console = Console(file=io.StringIO(), width=100, color_system=None, record=True)
    console.print(screen.query_one(selector).content)
    return console.export_text()


async def apply_coupon(pilot, checkout: CheckoutScreen, code: str) -> None:
    box = checkout.query_one("#coupon")
    box.focus()
    box.value = ""
    await pilot.press(*code, "enter")


async def test_coupon_at_checkout_refusal_then_discount_on_the_ticket(new_show, tmp_path):
    show_id = new_show()
    code = new_code()
    coupons.create(code, "percent", 10, max_discount=25, by=ADMIN)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_show(pilot, show_id)
        await pilot.press("2", "enter")
        checkout = await wait_for_checkout(pilot)
        await wait_for(pilot, lambda: checkout.quote is not None, what="the quote")
        assert "How the price was formed" in text_of(checkout, "#breakdown")
        subtotal = checkout.total

        await apply_coupon(pilot, checkout, "nosuch1")
        await wait_for(pilot, lambda: "Unknown coupon" in text_of(checkout, "#coupon-status"),
                       what="the refusal")
        assert checkout.total == subtotal

        await apply_coupon(pilot, checkout, code)
        discount = min(Decimal(25), (subtotal / 10).quantize(Decimal("0.01")))
        await wait_for(pilot, lambda: checkout.total == subtotal - discount, what="the discount")
        assert "✓" in text_of(checkout, "#coupon-status")
        assert f"-₹{discount:,.2f}" in text_of(checkout, "#breakdown")

        await pilot.press("f10")
        ticket = await wait_for_screen(pilot, TicketScreen)
        booking = sales.find_booking(ticket.booking.code)
        assert (booking.discount, booking.total) == (discount, subtotal - discount)
        assert booking.coupon == code.upper() and booking.payment.amount == booking.total
        assert coupons.get(code).used_count == 1


async def test_coupon_used_up_meanwhile_sells_nothing_then_sells_without_it(new_show, tmp_path):
    show_id = new_show()
    code = new_code()
    coupons.create(code, "flat", 50, usage_limit=1, by=ADMIN)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_show(pilot, show_id)
        await pilot.press("2", "enter")
        checkout = await wait_for_checkout(pilot)
        await apply_coupon(pilot, checkout, code)
        await wait_for(pilot, lambda: checkout.coupon == code, what="the coupon accepted")

        # Another counter sells with the coupon's only use while this customer pays.
        other = seating.hold(show_id, ["A1"], terminal="counter-2")
        sales.confirm(other.token, method="cash", coupon=code)

        await pilot.press("f10")
        await wait_for(pilot, lambda: "used up" in text_of(checkout, "#coupon-status"),
                       what="the used-up refusal")
        assert isinstance(app.screen, CheckoutScreen) and noticed(app, "nothing was sold")
        held = {s.label for s in seating.seat_map(show_id) if s.status == "held"}
        assert set(checkout.hold.labels) <= held

        await wait_for(pilot, lambda: checkout.coupon is None and checkout.quote is not None
                       and checkout.quote.discount == 0, what="the bill without the coupon")
        await pilot.press("f10")
        ticket = await wait_for_screen(pilot, TicketScreen)
        assert ticket.booking.discount == 0


async def open_cancel(pilot, code: str) -> CancelScreen:
    await pilot.press("ctrl+f")
    lookup = await wait_for_screen(pilot, LookupScreen)
    await pilot.press(*code, "enter")
    await wait_for(pilot, lambda: lookup.found, what="the booking")
    await pilot.press("f8")
    return await wait_for_screen(pilot, CancelScreen)


def sell(show_id: int, labels: list[str]) -> sales.Booking:
    held = seating.hold(show_id, labels, terminal="counter-9")
    return sales.confirm(held.token, method="upi")


async def test_cancel_some_seats_from_find_booking(new_show, tmp_path):
    show_id = new_show()
    booking = sell(show_id, ["C1", "C2"])
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        cancel = await open_cancel(pilot, booking.code)
        await wait_for(pilot, lambda: cancel.offer is not None, what="the refund offer")
        assert "100% refund" in text_of(cancel, "#refund-offer")
        await pilot.press("down", "space")  # keep C2
        await wait_for(pilot, lambda: cancel.offer is not None and cancel.offer.labels == ("C1",),
                       what="the offer for C1 only")
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, LookupScreen), what="back to lookup")
        await wait_for(pilot, lambda: noticed(app, "C1 cancelled and free again"))

    after = sales.find_booking(booking.code)
    assert (after.status, after.labels, after.cancelled) == ("partially_cancelled", ("C2",),
                                                            ("C1",))
    seats = {s.label: s.status for s in seating.seat_map(show_id)}
    assert (seats["C1"], seats["C2"]) == ("available", "booked")
    refund = Refund.get(Refund.booking == booking.id)
    assert (refund.method, refund.labels, refund.amount) == ("upi", "C1", booking.total / 2)


async def test_past_the_cutoff_a_cashier_is_refused_and_a_manager_overrides(new_show, tmp_path):
    show_id = new_show(starts_in=timedelta(minutes=30))
    booking = sell(show_id, ["D4"])
    app = make_app(tmp_path / "cashier", as_="cashier1")
    async with app.run_test(size=(120, 40)) as pilot:
        cancel = await open_cancel(pilot, booking.code)
        await wait_for(pilot, lambda: cancel.offer is not None, what="the verdict")
        assert "Cancellation closed" in text_of(cancel, "#refund-offer")
        assert "Cannot be cancelled" in text_of(cancel, "#refund-offer")
        cancel.query_one("#cancel-reason").value = "projector failed"
        await pilot.press("f10")  # the override is a manager's: not even asked of the service
        await wait_for(pilot, lambda: noticed(app, "a manager can override it"))
        assert sales.find_booking(booking.code).status == "confirmed"

    app = make_app(tmp_path / "manager")
    async with app.run_test(size=(120, 40)) as pilot:
        cancel = await open_cancel(pilot, booking.code)
        await wait_for(pilot, lambda: cancel.offer is not None, what="the verdict")
        assert "Override: type the reason" in text_of(cancel, "#refund-offer")
        await pilot.press("f10")
        await wait_for(pilot, lambda: noticed(app, "give the reason"))
        cancel.query_one("#cancel-reason").value = "projector failed"
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, LookupScreen), what="the override")

    refund = Refund.get(Refund.booking == booking.id)
    assert refund.override and refund.reason == "projector failed"
    assert refund.amount == booking.total * Decimal("0.75")  # the last tier's rate
    assert AuditEvent.select().where((AuditEvent.booking == booking.id)
                                     & (AuditEvent.kind == "cancel_override")).exists()


async def test_a_typed_but_unapplied_coupon_is_checked_before_anything_is_sold(new_show,
                                                                              tmp_path):
    show_id = new_show()
    code = new_code()
    coupons.create(code, "flat", 40, by=ADMIN)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_show(pilot, show_id)
        await pilot.press("1", "enter")
        checkout = await wait_for_checkout(pilot)
        checkout.query_one("#coupon").value = code  # typed, enter not pressed
        await pilot.press("f10")
        await wait_for(pilot, lambda: checkout.coupon == code, what="the coupon applied")
        assert isinstance(app.screen, CheckoutScreen)  # nothing sold at the old total
        await pilot.press("f10")
        ticket = await wait_for_screen(pilot, TicketScreen)
        assert ticket.booking.discount == 40
