"""Bad input to cancelling, refunding, searching, signing in and the manager's forms, on SQLite and MariaDB.

What every call must do with it, and what is checked after each example: property_support.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import timedelta
from decimal import Decimal

import pytest
import strategies as S
from actor_support import ADMIN
from hypothesis import given
from hypothesis import strategies as st
from invariants import assert_invariants
from property_support import (
    attempt,
    examples,
    expected_labels,
    folded,
    refund_value,
)

import bmstui
from bmstui.domain.errors import (
    BookingNotFound,
    LoginFailed,
    NotAuthorized,
)
from bmstui.services import audit, catalog, coupons, movies, operators, sales, seating
from bmstui.services.bookings import normalise_code

# --- cancelling and refunding -------------------------------------------------------------

def code_variants(code: str) -> st.SearchStrategy:
    bare = code.removeprefix("BMS-")
    near = code[:-1] + ("2" if code[-1] != "2" else "3")
    same = st.sampled_from([code, code.lower(), f"  {code} ", bare, bare.lower(),
                            f"bms {bare.lower()}", f"BMS{bare}"])
    return st.one_of(same, same, same,
                     st.sampled_from([near, f"{code}%", f"{code[:-1]}_", "BMS-%", "%",
                                      f"{code}' OR '1'='1"]),
                     S.anything(30))


def cancel_labels(sold: list[str]) -> st.SearchStrategy:
    return st.one_of(
        st.none(),
        st.lists(st.sampled_from(sold), min_size=1, max_size=len(sold), unique=True),
        st.lists(st.sampled_from(sold), min_size=1, max_size=len(sold), unique=True).map(
            lambda labels: [f" {label.lower()} " for label in labels]),
        st.lists(st.sampled_from([*sold, "A9", "Z1"]), min_size=1, max_size=3),
        st.sampled_from([[], ["A1"] * 10_000, [f"Q{i}" for i in range(10_000)], None, 5,
                         [None], "A1", b"A1"]),
        st.lists(S.texts(12), max_size=3),
    )


@examples(55)
@given(data=st.data())
def test_cancel_and_refund_with_any_code_seats_and_amount_keep_the_money_right(
        new_show, settings, data):
    settings(allow_cancel_override=data.draw(st.booleans(), label="allow_override"))
    starts = data.draw(st.sampled_from([timedelta(hours=3), timedelta(minutes=90),
                                        timedelta(minutes=30)]), label="starts_in")
    show = new_show(starts_in=starts)
    labels = data.draw(st.lists(st.sampled_from(["A1", "A2", "D1", "D2", "H1"]), min_size=1,
                                max_size=4, unique=True), label="labels")
    booking = sales.confirm(seating.hold(show, labels).token,
                            method=data.draw(st.sampled_from(["cash", "card"])))
    for _ in range(data.draw(st.integers(1, 3), label="actions")):
        before = sales.find_booking(booking.code)
        left = before.total - before.refunded
        code = data.draw(code_variants(booking.code), label="code")
        ours = normalise_code(code) == booking.code
        action = data.draw(st.sampled_from(["cancel", "refund", "refund_quote", "refundable"]),
                           label="action")
        if action == "cancel":
            chosen = data.draw(cancel_labels(labels), label="seats")
            reason = data.draw(st.one_of(st.none(), S.anything(300)), label="reason")
            operator = data.draw(S.operators(), label="operator")
            refund, refusal = attempt(sales.cancel, code, labels=chosen, operator=operator,
                                      reason=reason)
            if refund is not None:
                assert ours
                wanted = (set(before.labels) if chosen is None
                          else set(expected_labels(chosen, labels) or ()))
                assert set(refund.labels) == wanted and wanted <= set(before.labels)
                assert Decimal(0) <= refund.amount <= min(refund.paid_for_seats, left)
                after = sales.find_booking(booking.code)
                assert set(after.labels) == set(before.labels) - wanted
                assert after.refunded == before.refunded + refund.amount
                assert len(refund.reason) <= 255
                assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in refund.reason)
            elif not ours:  # an unknown code, or nobody to do it
                assert isinstance(refusal, BookingNotFound | NotAuthorized), refusal
        elif action == "refund":
            amount = data.draw(S.amounts(), label="amount")
            reason = data.draw(S.anything(40), label="reason")
            operator = data.draw(st.one_of(st.just(ADMIN), S.operators()), label="operator")
            refund, refusal = attempt(sales.refund, code, amount, reason=reason,
                                      operator=operator)
            value = refund_value(amount)
            if refund is not None:
                assert ours and value is not None and refund.amount == value <= left
                assert sales.refundable(booking.code) == left - value
            elif (ours and operator is ADMIN and value is not None and value <= left
                  and "".join(ch for ch in str(reason or "") if ch.isprintable()).strip()):
                pytest.fail(f"a valid refund was refused: {refusal}")
        elif action == "refund_quote":
            chosen = data.draw(cancel_labels(labels), label="seats")
            offer, refusal = attempt(sales.refund_quote, code, chosen)
            if offer is not None:
                assert ours and set(offer.labels) <= set(before.labels)
                assert Decimal(0) <= offer.amount <= min(offer.paid_for_seats, left)
        else:
            rest, refusal = attempt(sales.refundable, code)
            assert (rest == left) if ours else isinstance(refusal, BookingNotFound)
        assert_invariants(show)


# --- searching ----------------------------------------------------------------------------

@pytest.fixture
def searchable(new_show):
    """Three bookings on one show, two customers with fresh phone numbers (made once per test:
    the searches only read them)."""
    show = new_show()
    phones = [f"7{secrets.randbelow(10**9):09d}" for _ in range(2)]
    made = []
    for seats, phone in ((["A1"], phones[0]), (["A2"], phones[0]), (["A3"], phones[1])):
        made.append(sales.confirm(seating.hold(show, seats).token, method="cash",
                                  customer={"name": "Prop 🎬 ' OR 1=1", "phone": phone}))
    return made, phones


def search_texts(bookings, phones) -> st.SearchStrategy:
    codes = [b.code for b in bookings]
    formatted = st.sampled_from(phones).flatmap(lambda p: st.sampled_from(
        [p, f"{p[:5]} {p[5:]}", f"+91 {p}", f"+91-{p[:5]}-{p[5:]}", f" {p} "]))
    return st.one_of(
        formatted,
        st.sampled_from(codes).flatmap(lambda c: st.sampled_from(
            [c, c.lower(), c.removeprefix("BMS-"), f"{c}%", f"{c[:-1]}_"])),
        st.sampled_from(phones).flatmap(lambda p: st.sampled_from(
            [f"{p}%", f"%{p}", f"{p[:4]}%{p[5:]}", f"{p[:4]}_{p[5:]}", p[-6:], p[:6]])),
        st.sampled_from(S.SQL_META),
        S.anything(60),
    )


@examples(100)
@given(data=st.data())
def test_booking_search_is_literal_and_never_fails(searchable, data):
    bookings, phones = searchable
    text = data.draw(search_texts(bookings, phones), label="text")
    limit = data.draw(st.one_of(st.just(20), st.integers(-5, 50),
                                st.sampled_from([10**30, 1.5, "5", None])), label="limit")
    found, refusal = attempt(sales.find_bookings, text, limit)
    if found is None:
        assert not isinstance(limit, int) or isinstance(limit, bool), refusal
        return
    assert len(found) <= max(limit, 0)
    compact = str(text).strip().replace("+", "").replace(" ", "").replace("-", "")
    by_phone = compact.isdigit() and len(compact) >= 6
    for booking in found:  # the code itself, or a phone ending in the digits: never more
        assert (booking.code == normalise_code(text)
                or (by_phone and booking.customer_phone.endswith(compact[-10:])))
    if by_phone and compact.isascii() and limit >= 3:  # and every booking of that phone
        assert {b.code for b in bookings if b.customer_phone.endswith(compact[-10:])} <= {
            b.code for b in found}
    one, refusal = attempt(sales.find_booking, text)
    assert (one.code == normalise_code(text)) if one else isinstance(refusal, BookingNotFound)


@examples(60)
@given(data=st.data())
def test_movie_and_audit_search_match_literally(demo_db, data):
    playing = catalog.movies()
    titles = [movie.title for movie in playing]
    needle_of_title = st.sampled_from(titles).flatmap(
        lambda t: st.tuples(st.integers(0, len(t)), st.integers(0, len(t))).map(
            lambda ij: t[min(ij):max(ij)]))
    query = data.draw(st.one_of(needle_of_title, st.sampled_from(S.SQL_META),
                                needle_of_title.map(lambda n: n + "%"),
                                needle_of_title.map(lambda n: "_" + n), S.texts(40)),
                      label="query")
    found, _ = attempt(catalog.movies, query=query)
    assert found is not None
    needle = str(query).replace("\x00", "").strip()
    if needle.isascii():
        assert all(folded(needle) in folded(movie.title) for movie in found), (needle, found)
        if needle:
            assert {t for t in titles if needle.casefold() in t.casefold()} <= {
                movie.title for movie in found}
    assert {movie.title for movie in found} <= set(titles)
    if query in ("%", "_", "%_%"):
        assert not found

    events, _ = attempt(audit.events, text=query, limit=50)
    assert events is not None
    if needle.isascii():
        assert all(folded(needle) in folded(event.detail) for event in events)
    kinds, _ = attempt(audit.events, kind=f"{query}*", limit=50)
    assert kinds is not None
    if needle.isascii():
        assert all(folded(event.kind).startswith(folded(needle)) for event in kinds)


# --- operators ----------------------------------------------------------------------------

@pytest.fixture
def own_operator(demo_db):
    name = f"prop{secrets.token_hex(3)}"
    password = "correct horse ' OR 1=1 🎬"
    operators.add(name, password, by=ADMIN)
    return name, password


@examples(30)
@given(data=st.data())
def test_login_with_any_name_and_password(own_operator, data):
    name, password = own_operator
    tried_name = data.draw(st.one_of(
        st.sampled_from([name, name.upper(), f"  {name} ", f"{name}%", f"{name[:-1]}_", "%"]),
        S.anything(80)), label="name")
    tried_password = data.draw(st.one_of(
        st.sampled_from([password, password.upper(), password + " ", "", "%"]),
        S.anything(80)), label="password")
    who, refusal = attempt(operators.login, tried_name, tried_password)
    if who is not None:
        assert who.name == name and tried_password == password
    else:
        assert isinstance(refusal, LoginFailed), refusal
        if tried_name == name and tried_password == password:
            assert "locked" in str(refusal)


@pytest.fixture
def admin_db(empty_db):
    bmstui.create_schema()
    return empty_db


@examples(40)
@given(data=st.data())
def test_managers_forms_accept_or_refuse_any_input(admin_db, data):
    def mostly(good, bad=None):  # mostly sensible, so the acceptance path is exercised too
        return S.mostly(good, S.anything(20) if bad is None else bad, 3)

    code = data.draw(mostly(st.text(alphabet="ABC123-_", min_size=1, max_size=8),
                            S.anything(40)), label="code")
    kind = data.draw(mostly(st.sampled_from(["percent", "flat"])), label="kind")
    made, _ = attempt(coupons.create, code, kind,
                      data.draw(mostly(st.integers(1, 100), S.amounts()), label="value"),
                      max_discount=data.draw(mostly(st.none() | st.integers(1, 500), S.amounts()),
                                             label="max_discount"),
                      min_amount=data.draw(mostly(st.just(0), S.amounts()), label="min_amount"),
                      usage_limit=data.draw(mostly(st.none() | st.integers(1, 5),
                                                   st.integers(-2, 0) | S.anything(10)),
                                            label="usage_limit"))
    if made is not None:
        assert made.code == coupons.normalise_code(code) and made.kind in ("percent", "flat")
        assert 0 < made.value <= (100 if made.kind == "percent" else 9_999_999)
        assert coupons.get(code).code == made.code

    name = data.draw(mostly(st.text(alphabet="abc.-_19", min_size=1, max_size=10),
                            S.anything(70)), label="name")
    role = data.draw(mostly(st.sampled_from(["cashier", "manager"])), label="role")
    password = data.draw(mostly(st.text(min_size=8, max_size=20), S.anything(30)),
                         label="password")
    added, _ = attempt(operators.add, name, password, role=role)
    if added is not None:
        assert added.name == str(name).strip() and added.role == role

    movie, _ = attempt(
        movies.add_movie,
        title=data.draw(mostly(st.text(min_size=1, max_size=40), S.anything(300)), label="title"),
        language=data.draw(mostly(st.sampled_from(["Hindi", "Tamil"])), label="language"),
        genre=data.draw(mostly(st.sampled_from(["Drama", "Sci-Fi"])), label="genre"),
        certificate=data.draw(mostly(st.sampled_from(["U", "UA", "A"])), label="certificate"),
        duration=data.draw(mostly(st.integers(1, 600), st.integers(-5, 700) | S.anything(5)),
                           label="duration"),
        rating=data.draw(mostly(st.none() | st.integers(0, 10), S.amounts()), label="rating"),
        synopsis=data.draw(mostly(st.just(""), S.anything(3000)), label="synopsis"))
    if movie is not None:
        assert 0 < movie.duration <= 600 and movie.title.strip() == movie.title
        assert movies.movie(movie.id) == movie
