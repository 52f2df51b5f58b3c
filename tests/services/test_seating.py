"""The seat protocol through the published API, on SQLite and MariaDB."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from bmstui.domain.errors import (
    BookingClosed,
    BookingError,
    HoldExpired,
    HoldNotFound,
    InvalidSeats,
    PaymentDeclined,
    SeatsUnavailable,
    TooManySeats,
)
from bmstui.services import catalog, sales, seating
from bmstui.store.db import database, db_now
from bmstui.store.models import Booking as BookingRow
from bmstui.store.models import Payment, ShowSeat


def status_of(show_id: int) -> dict[str, str]:
    return {s.label: s.status for s in seating.seat_map(show_id)}


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@pytest.fixture(autouse=True, params=["conditional", "pessimistic"])
def locking(request, settings):
    """Every test here runs under both locking strategies."""
    settings(locking=request.param)
    return request.param


def test_seat_map_is_in_row_order_with_labels_and_prices(new_show):
    show = new_show()
    seats = seating.seat_map(show)
    assert len(seats) == 150
    assert [(s.y, s.x) for s in seats] == sorted((s.y, s.x) for s in seats)
    first = seats[0]
    assert first.label == f"{first.row}{first.number}" and first.status == "available"
    assert {s.type for s in seats} >= {"SILVER", "GOLD"}
    assert all(s.price > 0 for s in seats)
    assert any(s.accessible for s in seats)


def test_hold_confirm_release_cycle(new_show, locking):
    show = new_show()
    held = seating.hold(show, ["a1", " A2 "], terminal="c1")
    assert held.labels == ("A1", "A2") and held.show_id == show
    assert 110 < held.seconds_left <= 120
    assert abs((held.expires_at - db_now()).total_seconds() - 120) < 5
    states = status_of(show)
    assert states["A1"] == states["A2"] == "held" and states["A3"] == "available"
    mine = {s.label for s in seating.seat_map(show, token=held.token) if s.mine}
    assert mine == {"A1", "A2"}

    booking = sales.confirm(held.token, method="cash", tendered=1000)
    assert booking.code.startswith("BMS-") and len(booking.code) == 10
    assert booking.labels == ("A1", "A2")
    assert booking.total == sum(held.prices) == held.total
    assert booking.payment.change == Decimal(1000) - booking.total
    assert status_of(show)["A1"] == "booked"
    assert seating.release(held.token) == 0  # sold seats are not released by their old token


def test_all_or_nothing(new_show, locking):
    show = new_show()
    first = seating.hold(show, ["B3"])
    with pytest.raises(SeatsUnavailable) as refused:
        seating.hold(show, ["B2", "B3", "B4"])
    assert refused.value.labels == ("B3",)
    assert "B3" in str(refused.value)
    states = status_of(show)
    assert states["B2"] == states["B4"] == "available"  # nothing of the refused hold stuck
    assert seating.release(first.token) == 1
    assert status_of(show)["B3"] == "available"


def test_expired_hold_is_free_to_the_next_counter_without_a_sweep(new_show, locking):
    show = new_show()
    slow = seating.hold(show, ["C1"], ttl=0.3)
    wait_until(lambda: status_of(show)["C1"] == "available")
    fast = seating.hold(show, ["C1"])
    with pytest.raises(HoldExpired):
        sales.confirm(slow.token, method="cash")
    booking = sales.confirm(fast.token, method="upi")
    assert booking.labels == ("C1",) and booking.payment.reference


def test_sweep_frees_only_expired_holds(new_show):
    show = new_show()
    seating.hold(show, ["D1", "D2"], ttl=0.2)
    alive = seating.hold(show, ["D3"], ttl=60)
    wait_until(lambda: status_of(show)["D1"] == "available")
    with database.connection_context():
        assert ShowSeat.select().where(
            (ShowSeat.show == show) & (ShowSeat.status == "held")).count() == 3
    assert seating.sweep() >= 2
    with database.connection_context():
        held = ShowSeat.select().where((ShowSeat.show == show) & (ShowSeat.status == "held"))
        assert [r.hold_token for r in held] == [alive.token]


def test_extend_once_then_refused(new_show, settings):
    settings(max_extensions=1)
    show = new_show()
    held = seating.hold(show, ["E1"], ttl=30)
    longer = seating.extend(held.token, 60)
    assert (longer.expires_at - held.expires_at).total_seconds() == pytest.approx(60, abs=0.01)
    assert longer.seconds_left > 80
    with pytest.raises(HoldExpired, match="extended"):
        seating.extend(held.token)
    short = seating.hold(show, ["E2"], ttl=0.2)
    wait_until(lambda: status_of(show)["E2"] == "available")
    with pytest.raises(HoldExpired):
        seating.extend(short.token)


@pytest.mark.parametrize(
    "labels, error",
    [
        ([], InvalidSeats),
        (["Z99"], InvalidSeats),
        (["A1", "a1"], InvalidSeats),
        ([None], InvalidSeats),
        ([1, 2], InvalidSeats),
        (["A1'; DROP TABLE show_seat; --"], InvalidSeats),
        ([f"A{n}" for n in range(1, 12)], TooManySeats),
    ],
)
def test_bad_labels_are_refused_clearly(new_show, labels, error):
    show = new_show()
    with pytest.raises(error) as refused:
        seating.hold(show, labels)
    assert str(refused.value) and "Traceback" not in str(refused.value)
    assert all(s.status == "available" for s in seating.seat_map(show))


def test_bad_tokens(new_show):
    show = new_show()
    for token in (None, 42, "", "x" * 100):
        with pytest.raises(HoldNotFound):
            sales.confirm(token, method="cash")
    with pytest.raises(HoldNotFound):
        sales.confirm("0" * 32, method="cash")
    with pytest.raises(HoldNotFound):
        seating.extend("0" * 32)
    assert seating.release("0" * 32) == 0
    held = seating.hold(show, ["F1"])
    seating.release(held.token)
    with pytest.raises(HoldNotFound):
        sales.confirm(held.token, method="cash")


def test_started_show_refuses_holds(new_show):
    show = new_show(starts_in=timedelta(seconds=-60))
    with pytest.raises(BookingClosed):
        seating.hold(show, ["A1"])


def test_confirm_is_idempotent_and_writes_one_booking(new_show):
    show = new_show()
    held = seating.hold(show, ["G1", "G2"])
    first = sales.confirm(held.token, method="card")
    second = sales.confirm(held.token, method="cash", tendered=5000)
    assert second.code == first.code and second.payment.method == "card"
    with database.connection_context():
        assert BookingRow.select().where(BookingRow.hold_token == held.token).count() == 1
        assert Payment.select().where(Payment.booking == first.id).count() == 1
    assert sales.find_booking(first.code.lower()).labels == ("G1", "G2")


def test_payment_refusals_keep_the_hold(new_show, settings):
    show = new_show()
    held = seating.hold(show, ["H1"])
    with pytest.raises(PaymentDeclined, match="less than"):
        sales.confirm(held.token, method="cash", tendered=1)
    for bad in (-5, "lots", float("nan"), 10**12):
        with pytest.raises(PaymentDeclined):
            sales.confirm(held.token, method="cash", tendered=bad)
    with pytest.raises(PaymentDeclined):
        sales.confirm(held.token, method="cheque")
    settings(gateway_decline_rate=1.0)
    with pytest.raises(PaymentDeclined, match="declined"):
        sales.confirm(held.token, method="card")
    assert status_of(show)["H1"] == "held"
    settings(gateway_decline_rate=0.0)
    assert sales.confirm(held.token, method="netbanking").labels == ("H1",)


def test_wrong_terminal_clock_changes_nothing(new_show, monkeypatch):
    """A counter PC whose clock is hours off: holds still last exactly their TTL by the DB."""

    class SkewedDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(hours=5)

        @classmethod
        def utcnow(cls):
            return datetime.utcnow() + timedelta(hours=5)

        @classmethod
        def fromisoformat(cls, text):
            return datetime.fromisoformat(text)

    show = new_show()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 4 * 3600)
    import bmstui.services.sales
    import bmstui.services.seating
    import bmstui.store.db

    for module in (bmstui.store.db, bmstui.services.seating, bmstui.services.sales):
        if hasattr(module, "datetime"):
            monkeypatch.setattr(module, "datetime", SkewedDatetime)
    held = seating.hold(show, ["I1"], ttl=30)
    assert 25 < held.seconds_left <= 30
    with pytest.raises(SeatsUnavailable):
        seating.hold(show, ["I1"])
    short = seating.hold(show, ["I2"], ttl=0.2)
    wait_until(lambda: status_of(show)["I2"] == "available")
    with pytest.raises(HoldExpired):
        sales.confirm(short.token, method="cash")
    assert sales.confirm(held.token, method="cash").labels == ("I1",)


def test_catalog_lists_upcoming_shows_with_seats_left(demo_db):
    cities = catalog.cities()
    assert len(cities) >= 3 and all(c.id and c.name for c in cities)
    city = cities[0]
    movies = catalog.movies(city.id)
    assert movies and all(m.title for m in movies)
    shows = catalog.shows(movie_id=movies[0].id, city_id=city.id)
    assert shows and [s.starts_at for s in shows] == sorted(s.starts_at for s in shows)
    assert all(s.starts_at > db_now() for s in shows)
    assert all(0 <= s.seats_left <= s.capacity for s in shows)
    assert catalog.movies(city.id, query="%") == []  # LIKE wildcards are literal
    some = movies[0]
    assert [m.id for m in catalog.movies(city.id, query=some.title[:4].lower())].count(some.id) == 1
    assert all(m.language == some.language
               for m in catalog.movies(city.id, language=some.language))
    assert {t.city_id for t in catalog.theaters(city.id)} == {city.id}


def test_every_refusal_is_a_booking_error():
    for cls in (SeatsUnavailable, InvalidSeats, TooManySeats, HoldExpired, HoldNotFound,
                BookingClosed, PaymentDeclined):
        assert issubclass(cls, BookingError)


def test_hold_without_insert_returning(new_show, monkeypatch):
    """MySQL 8 has no INSERT ... RETURNING: the hold reads its times back instead."""
    monkeypatch.setattr(seating, "supports_returning", lambda: False)
    show = new_show()
    held = seating.hold(show, ["A3"], ttl=45)
    assert 40 < held.seconds_left <= 45
    assert abs((held.expires_at - db_now()).total_seconds() - 45) < 5
    assert seating.get_hold(held.token).labels == ("A3",)


def test_release_from_another_process_needs_no_cache(new_show):
    show = new_show()
    held = seating.hold(show, ["B7", "B8"])
    seating._HELD.clear()  # as if another terminal (process) releases it
    assert seating.release(held.token) == 2
    assert status_of(show)["B7"] == "available"
    with pytest.raises(HoldNotFound, match="released"):
        seating.get_hold(held.token)


def test_pessimistic_refuses_at_once_a_seat_another_counter_is_locking(
        backend, new_show, settings):
    if backend != "mysql":
        pytest.skip("SQLite has no row locks: its IMMEDIATE transaction serialises writers")
    import pymysql
    from conftest import MYSQL_URL, _server_kwargs

    settings(locking="pessimistic")
    show = new_show()
    seat_id = next(s.id for s in seating.seat_map(show) if s.label == "C5")
    name = database.obj.database
    other = pymysql.connect(database=name, autocommit=False, **_server_kwargs(MYSQL_URL))
    try:
        with other.cursor() as cur:
            cur.execute("SELECT id FROM show_seat WHERE id = %s FOR UPDATE", (seat_id,))
            started = time.monotonic()
            with pytest.raises(SeatsUnavailable) as refused:
                seating.hold(show, ["C4", "C5"])
            assert time.monotonic() - started < 2  # not the 5 s lock wait timeout
            assert refused.value.labels == ("C5",)
    finally:
        other.rollback()
        other.close()
    assert seating.hold(show, ["C4", "C5"]).labels == ("C4", "C5")


def test_a_retried_hold_takes_its_own_seats_again(new_show, monkeypatch):
    """A hold whose connection died after COMMIT is retried with the same token: it must get
    its own seats back, not be refused them, and leave one hold row."""
    from bmstui.store.models import Hold as HoldRow

    monkeypatch.setattr(seating.secrets, "token_hex", lambda n: "f" * 32)
    show = new_show()
    first = seating.hold(show, ["A5", "A6"], ttl=60)
    again = seating.hold(show, ["A5", "A6"], ttl=60)
    assert again.token == first.token and again.labels == ("A5", "A6")
    with database.connection_context():
        assert HoldRow.select().where(HoldRow.token == first.token).count() == 1
    monkeypatch.setattr(seating.secrets, "token_hex", lambda n: "e" * 32)
    other = seating.hold(show, ["A8"], ttl=60)
    with pytest.raises(SeatsUnavailable):
        seating.hold(show, ["A5"])  # a different token is still refused
    assert sales.confirm(first.token, method="cash").labels == ("A5", "A6")
    assert seating.release(other.token) == 1
