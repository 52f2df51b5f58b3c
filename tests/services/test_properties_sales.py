"""Bad input to holds, tokens, payment and show ids, on SQLite and MariaDB.

What every call must do with it, and what is checked after each example: property_support.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import strategies as S
from hypothesis import given
from hypothesis import strategies as st
from invariants import assert_invariants
from property_support import (
    METHODS,
    attempt,
    examples,
    expected_labels,
    expire,
    held_labels,
    money_value,
    own_coupons,
    seat_labels,
    seconds_value,
)

from bmstui.domain.errors import (
    HoldExpired,
    HoldNotFound,
    InvalidPhone,
    PaymentDeclined,
)
from bmstui.domain.text import plain_text
from bmstui.services import catalog, coupons, prices, sales, seating
from bmstui.services.live import LiveSeats
from bmstui.store.db import database
from bmstui.store.models import Show


def garbage_phone(customer) -> bool:
    """True when the customer carries, as a phone, something that is no phone number: 7 to 15
    ASCII digits with spaces, one leading +, dashes and balanced parentheses."""
    if isinstance(customer, dict):
        text = plain_text(customer.get("phone") or "")
    elif customer is None:
        return False
    else:  # a string of digits and separators is meant as a phone; anything else is a name
        text = plain_text(customer)
        if not (any(ch.isdigit() for ch in text)
                and all(ch.isdigit() or ch in " +-()" for ch in text)):
            return False
    if not text:
        return False
    digits = sum(ch in "0123456789" for ch in text)
    return not (re.fullmatch(r"\+?[0-9 ()-]+", text) and text.count("(") == text.count(")")
                and 7 <= digits <= 15)


# --- holds --------------------------------------------------------------------------------

@examples(80)
@given(data=st.data())
def test_hold_takes_exactly_the_seats_asked_for_or_refuses_cleanly(new_show, settings, data):
    settings(locking=data.draw(st.sampled_from(["conditional", "pessimistic"]), label="locking"))
    show = new_show()
    valid = seat_labels(show)
    labels = data.draw(S.label_lists(valid), label="labels")
    ttl = data.draw(S.seconds(), label="ttl")
    terminal = data.draw(st.one_of(st.none(), S.anything(80)), label="terminal")
    operator = data.draw(S.operators(), label="operator")
    expected = expected_labels(labels, valid)
    ttl_ok = seconds_value(ttl, 120, 24 * 3600) is not None

    held, refusal = attempt(seating.hold, show, labels, ttl=ttl, terminal=terminal,
                            operator=operator)
    if held is None:
        assert expected is None or not ttl_ok, f"a valid hold was refused: {refusal}"
    else:
        assert expected is not None and ttl_ok
        assert held.labels == expected and held.show_id == show
        assert len(held.prices) == len(expected) and all(p > 0 for p in held.prices)
        assert held_labels(held.token) == sorted(expected)
    # A quote of the same labels checks them the same way, and changes nothing.
    quoted, _ = attempt(sales.quote, (show, labels))
    assert (quoted is not None) == (expected is not None)
    if quoted is not None:
        assert sorted(line.label for line in quoted.lines) == sorted(expected)
        assert quoted.total == quoted.subtotal == sum(line.price for line in quoted.lines)
    assert_invariants(show)


TOKEN_CALLS = ("release", "confirm", "quote", "get_hold", "extend")


def made_up_tokens(real: list[str]) -> st.SearchStrategy:
    def changed(token: str) -> str:
        last = "0" if token[-1] != "0" else "1"
        return token[:-1] + last

    return st.one_of(
        S.anything(40),
        st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
        st.sampled_from(real).flatmap(lambda t: st.sampled_from(
            [t[:-1], t + "0", changed(t), f"{t[:8]}%", "%" * 32, f" {t[:31]}"])),
    )


@examples(40)
@given(data=st.data())
def test_tokens_live_expired_released_confirmed_foreign_or_made_up(new_show, data):
    show, other = new_show(), new_show()
    holds = {
        "live": seating.hold(show, ["A1", "A2"], terminal="counter-1"),
        "expired": seating.hold(show, ["B1"]),
        "released": seating.hold(show, ["C1"]),
        "confirmed": seating.hold(show, ["D1"]),
        "foreign": seating.hold(other, ["E1"], terminal="counter-9"),  # another counter's
    }
    expire(holds["expired"].token)
    seating.release(holds["released"].token)
    sold = {"confirmed": sales.confirm(holds["confirmed"].token, method="cash")}
    state = {name: "live" if name == "foreign" else name for name in holds}
    still_held = {name: name in ("live", "expired", "foreign") for name in holds}
    extensions = dict.fromkeys(holds, 0)

    for _ in range(data.draw(st.integers(1, 4), label="calls")):
        name = data.draw(st.sampled_from([*holds, "made-up"]), label="which")
        if name == "made-up":
            token, now = data.draw(made_up_tokens([h.token for h in holds.values()])), "unknown"
        else:
            token, now = holds[name].token, state[name]
        call = data.draw(st.sampled_from(TOKEN_CALLS), label="call")
        if call == "release":
            freed, refusal = attempt(seating.release, token)
            if now == "unknown":
                assert freed in (None, 0)
            else:
                assert freed == (len(holds[name].labels) if still_held[name] else 0)
                if now == "live":
                    state[name] = "released"
                still_held[name] = False
        elif call == "confirm":
            method = data.draw(st.sampled_from(["cash", "upi"]), label="method")
            booking, refusal = attempt(sales.confirm, token, method=method)
            if now == "live":
                assert booking is not None, refusal
                assert sorted(booking.labels) == sorted(holds[name].labels)
                assert booking.show_id == holds[name].show_id
                state[name], still_held[name], sold[name] = "confirmed", False, booking
            elif now == "confirmed":
                assert booking is not None and booking.code == sold[name].code
            else:
                expected = HoldExpired if now == "expired" else HoldNotFound
                assert isinstance(refusal, expected), refusal
        elif call in ("quote", "get_hold"):
            fn = sales.quote if call == "quote" else seating.get_hold
            result, refusal = attempt(fn, token)
            if now == "live":
                assert result is not None, refusal
                got = ([line.label for line in result.lines] if call == "quote"
                       else list(result.labels))
                assert sorted(got) == sorted(holds[name].labels)
            elif now != "unknown":  # (a made-up non-text "token" may be refused otherwise)
                expected = HoldExpired if now == "expired" else HoldNotFound
                assert isinstance(refusal, expected), refusal
            else:
                assert refusal is not None
        else:
            more = data.draw(S.seconds(), label="seconds")
            longer, refusal = attempt(seating.extend, token, more)
            if now == "live" and seconds_value(more, 240, 3600) is not None:
                if extensions[name] < 1:
                    assert longer is not None, refusal
                    assert sorted(longer.labels) == sorted(holds[name].labels)
                    extensions[name] += 1
                else:
                    assert isinstance(refusal, HoldExpired), refusal
            else:
                assert longer is None
    assert_invariants(show)
    assert_invariants(other)


# --- payment ------------------------------------------------------------------------------

@examples(70)
@given(data=st.data())
def test_confirm_with_any_payment_input_sells_exactly_or_keeps_the_hold(new_show, demo_db,
                                                                        data):
    mine = own_coupons(demo_db)
    show = new_show()
    labels = data.draw(st.lists(st.sampled_from(["A1", "A5", "D1", "D9", "H3"]), min_size=1,
                                max_size=3, unique=True), label="labels")
    held = seating.hold(show, labels)
    method = data.draw(S.methods(), label="method")
    tendered = data.draw(st.one_of(st.none(), S.amounts()), label="tendered")
    coupon = data.draw(S.coupon_codes(list(mine.values())), label="coupon")
    customer = data.draw(S.customers(), label="customer")

    booking, refusal = attempt(sales.confirm, held.token, method=method, tendered=tendered,
                               coupon=coupon, customer=customer)
    subtotal = held.total
    method_ok = str(method).strip().lower() in METHODS
    cash = str(method).strip().lower() == "cash"
    code = coupons.normalise_code(coupon) if coupon else ""
    kind = next((k for k, c in mine.items() if c == code), None)
    discount = {"percent": min((subtotal / 10).quantize(Decimal("0.01")), Decimal(150)),
                "flat": min(Decimal(50), subtotal), None: None}.get(kind, "maybe")
    if not coupon:
        discount = Decimal(0)
    paid = money_value(tendered) if tendered is not None else None

    if booking is None:
        assert not isinstance(refusal, HoldNotFound | HoldExpired), refusal
        foreseeable = (not method_ok or (coupon and discount in (None, "maybe"))
                       or kind in ("minimum", "off") or garbage_phone(customer)
                       or (cash and tendered is not None
                           and (paid is None or paid < subtotal - (discount or 0))))
        assert foreseeable, f"refused for no reason: {refusal}"
        if not method_ok:
            assert isinstance(refusal, PaymentDeclined)
        if isinstance(refusal, InvalidPhone):
            assert garbage_phone(customer), refusal
        # Nothing was sold: the seats are still held, and a plain sale of them goes through.
        assert sorted(seating.get_hold(held.token).labels) == sorted(labels)
        booking = sales.confirm(held.token, method="cash")
        discount, paid, cash = Decimal(0), None, True
    else:
        assert method_ok and kind not in ("minimum", "off") and not garbage_phone(customer)
        if discount != "maybe":
            assert booking.discount == discount
    assert sorted(booking.labels) == sorted(labels) and booking.show_id == show
    assert booking.subtotal == subtotal
    assert booking.total == booking.subtotal - booking.discount >= 0
    assert booking.payment.amount == booking.total
    if cash:
        given_cash = booking.total if paid is None else paid
        assert booking.payment.tendered == given_cash
        assert booking.payment.change == given_cash - booking.total
    again = sales.find_booking(booking.code)  # stored as returned: emoji, RTL, quotes alike
    assert (again.customer_name, again.customer_phone) == (booking.customer_name,
                                                           booking.customer_phone)
    assert len(again.customer_name) <= 80 and len(again.customer_phone) <= 20
    assert again.customer_phone == "" or re.fullmatch(r"[0-9]{7,15}", again.customer_phone)
    assert not any(unicodedata.category(ch) in ("Cc", "Cs")
                   for ch in again.customer_name + again.customer_phone)
    assert_invariants(show)



# --- show ids -----------------------------------------------------------------------------

@examples(50)
@given(data=st.data())
def test_any_show_id_names_a_show_or_none(new_show, data):
    real = new_show()
    show_id = data.draw(st.one_of(
        st.sampled_from([real, str(real), f" {real} ", float(real), real + 10**6, -real, 0]),
        st.integers(min_value=-(2**70), max_value=2**70), S.anything(30)), label="show_id")
    label = data.draw(st.one_of(st.just("A1"), S.texts(12)), label="label")
    named = show_id
    if (isinstance(show_id, str) and show_id.strip().isascii() and show_id.strip().isdigit()
            and len(show_id.strip()) < 20):
        named = int(show_id.strip())
    if (isinstance(show_id, Decimal) and show_id.is_finite() and show_id.adjusted() < 20
            and show_id == show_id.to_integral_value()):
        named = int(show_id)  # Decimal(12) is show 12; Decimal("12.5") names none
    if isinstance(named, bool) or not isinstance(named, int) or not 0 < named < 2**63:
        named = None
    with database.connection_context():
        exists = named is not None and Show.select().where(Show.id == named).exists()
    for call in (seating.seat_map, catalog.show, LiveSeats.open, seating.sweep,
                 lambda s: prices.explain(s, label), lambda s: sales.quote((s, [label]))):
        result, refusal = attempt(call, show_id)
        if call in (seating.seat_map, catalog.show, LiveSeats.open):
            assert (result is not None) == exists, refusal
        if not exists and not (call is seating.sweep and show_id is None):  # None: all
            assert result in (None, 0), result
    assert_invariants(real)
