"""The crash class of "a keystroke sequence ends the app": whatever lands in a money field of
the UI (huge, scientific, negative, letters, other scripts' digits, emoji, 500 characters) is
either an amount or refused in place, beside the field, and the app goes on.

Each field is driven in one app session through many hypothesis-made inputs (no shrinking: a
failure names the input that broke it). Inputs the parser accepts are only typed, never
submitted, so no test sells or refunds with them.
"""

from __future__ import annotations

import io

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rich.console import Console
from textual.widgets import Input

from bmstui.domain.errors import InvalidAmount
from bmstui.domain.money_input import parse_amount, parse_optional_amount
from bmstui.services import sales, seating
from screens.desk.coupons import coupon_fields
from screens.lookup.refund import RefundScreen
from screens.widgets.admin_form import FormScreen
from tests.ui_support import make_app, open_show, wait_for_checkout, wait_for_screen

PER_FIELD = 30

MONEY_TEXT = st.one_of(
    st.integers(min_value=10**6, max_value=10**40).map(str),  # huge
    st.builds(lambda m, e: f"{m}e{e}", st.integers(-99, 99), st.integers(-400, 400)),  # 1e26
    st.integers(min_value=-10**7, max_value=-1).map(str),  # negative
    st.decimals(allow_nan=True, allow_infinity=True).map(str),  # NaN, Infinity, 1E+999
    st.text(st.characters(categories=["Nd"]), min_size=1, max_size=8),  # ١٢, १००, １２
    st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=20),  # letters,
    st.text(st.sampled_from("💰🎟️₹,.-+e9"), min_size=1, max_size=12),  # emoji, signs
    st.integers(1, 500).map(lambda n: "9" * n),  # 27 nines ... 500 of them
    st.text(min_size=300, max_size=500),
    st.decimals(min_value=0, max_value=5000, places=2).map(str),  # real amounts too
)


def inputs(n: int = PER_FIELD) -> list[str]:
    """``n`` inputs as hypothesis makes them (its edge cases first), for one app session."""
    found: list[str] = []

    @settings(max_examples=n, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(MONEY_TEXT)
    def collect(text):
        found.append(text)

    collect()
    return ["9" * 27, "1e26", "9e99", *found]


def plain(widget) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None, record=True)
    console.print(widget.content)
    return " ".join(console.export_text().split())


async def enter(pilot, box: Input, text: str) -> None:
    """Type ``text`` as a clerk would when it is short plain ASCII; paste it otherwise."""
    box.focus()
    box.value = ""
    if len(text) <= 30 and text.isascii() and text.isprintable() and " " not in text:
        await pilot.press(*text)
    else:
        box.value = text
    await pilot.pause()


async def test_cash_tendered_takes_or_refuses_anything_in_place(new_show, tmp_path):
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_show(pilot, show_id)
        await pilot.press("2", "enter")
        checkout = await wait_for_checkout(pilot)
        box, change = checkout.query_one("#tendered", Input), checkout.query_one("#change")
        for text in inputs():
            await enter(pilot, box, text)
            shown = plain(change)
            try:
                amount = parse_optional_amount(text, "Cash tendered")
            except InvalidAmount:
                assert shown.startswith("✗ Cash tendered:"), (text, shown)
                await pilot.press("f10")  # refused in place: nothing is sold
                assert app.screen is checkout and not checkout._confirming, text
                assert plain(change).startswith("✗ Cash tendered:"), text
            else:
                words = ("Exact amount",) if amount is None else ("Change to give", "Short by")
                assert any(shown.startswith(w) for w in words), (text, shown)
            assert app.is_running and app.screen is checkout, text
        held = seating.get_hold(checkout.hold.token)
        assert len(held.labels) == 2  # still held, nothing sold


async def test_refund_amount_takes_or_refuses_anything_in_place(new_show, tmp_path):
    show_id = new_show()
    booking = sales.confirm(seating.hold(show_id, ["A1"]).token, method="cash")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = RefundScreen(sales.find_booking(booking.code))
        await app.push_screen(screen)
        await wait_for_screen(pilot, RefundScreen)
        box, status = screen.query_one("#refund-amount", Input), screen.query_one(
            "#refund-amount-status")
        screen.query_one("#refund-reason", Input).value = "sound failed"
        for text in inputs():
            await enter(pilot, box, text)
            try:
                parse_amount(text, "Refund amount", zero=False)
            except InvalidAmount:
                if text.strip():
                    assert plain(status).startswith("✗ Refund amount:"), (text, plain(status))
                await pilot.press("f10")
                assert plain(status).startswith("✗ Refund amount:"), (text, plain(status))
            else:
                assert plain(status).startswith("Refund ₹"), (text, plain(status))
            assert app.is_running and app.screen is screen, text
    assert sales.refundable(booking.code) == booking.total  # nothing was refunded


async def test_coupon_money_fields_take_or_refuse_anything_in_place(demo_db, tmp_path):
    saved = []
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = FormScreen("New coupon", coupon_fields(), saved.append)
        await app.push_screen(form)
        await wait_for_screen(pilot, FormScreen)
        form.query_one("#field-code", Input).value = "HYPO1"
        for name, label in (("value", "Value"), ("max_discount", "At most"),
                            ("min_amount", "Sale of at least")):
            box = form.query_one(f"#field-{name}", Input)
            line = form.query_one(f"#field-{name}-refusal")
            for text in inputs(PER_FIELD // 3 + 1):
                await enter(pilot, box, text)
                try:
                    parse_optional_amount(text, label)
                except InvalidAmount:
                    assert line.display and plain(line).startswith(f"✗ {label}:"), (text,)
                    await pilot.press("f10")
                    assert app.screen is form and not form.busy, text
                    assert "-refused" in form.query_one("#form-status").classes, text
                else:
                    assert not line.display, (text, plain(line))
                assert app.is_running, text
            box.value = ""
    assert saved == []  # nothing refused was ever handed to the service
