"""Seat maps from the per-process layout and one row of taken seats (both backends).

``seat_maps.seat_map`` no longer joins and sorts the show's seats on every call: it keeps the
fixed part (labels, rows, types, prices, positions) per process and reads only the seats nobody
may take now, as one row of text. These tests hold it to what a plain peewee query of the same
rows says (the map as it used to be built), through holds, a sale, a release, a hold that ran
out and a blocked seat; and to the layout being read again when a show's seats are made anew
(a catalog import rebuilding a screen), which a cache keyed on the show alone would miss.
"""

from __future__ import annotations

import secrets
import time

import peewee as pw
import pytest
from actor_support import ADMIN

from bmstui.domain.errors import ShowNotFound
from bmstui.domain.pricing import money
from bmstui.domain.vocabulary import SeatStatus
from bmstui.services import channels, online, sales, seat_maps, seating
from bmstui.store import seat_sql
from bmstui.store.db import database, db_now, parse_db_datetime
from bmstui.store.models import Seat, Show, ShowSeat
from bmstui.store.seeding import create_show_seats


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def expected_map(show_id: int, token: str | None = None) -> list[seat_maps.SeatState]:
    """The seat map as a direct query of the show's seats says it: an expired hold reads
    available, ``held_until`` only while held, ``mine`` only for ``token``'s live holds."""
    status = pw.Case(None, [(seat_sql.free_seat_condition(), SeatStatus.AVAILABLE)],
                     ShowSeat.status)
    query = (ShowSeat.select(ShowSeat.id, ShowSeat.price, ShowSeat.hold_token,
                             ShowSeat.held_until, status.alias("state"), Seat.label, Seat.row,
                             Seat.number, Seat.type, Seat.accessible, Seat.x, Seat.y)
             .join(Seat).where(ShowSeat.show == show_id).order_by(Seat.y, Seat.x).dicts())
    with database.connection_context():
        rows = list(query)
    return [
        seat_maps.SeatState(
            id=r["id"], label=r["label"], row=r["row"], number=r["number"], type=r["type"],
            price=money(r["price"]), accessible=bool(r["accessible"]), status=r["state"],
            x=r["x"], y=r["y"],
            mine=bool(token) and r["state"] == SeatStatus.HELD and r["hold_token"] == token,
            held_until=(parse_db_datetime(r["held_until"]) if r["state"] == SeatStatus.HELD
                        else None))
        for r in rows]


def block(show_id: int, label: str) -> None:
    """A seat taken off sale (as a cancelled show's are)."""
    with database.connection_context():
        seat_id = (ShowSeat.select(ShowSeat.id).join(Seat)
                   .where((ShowSeat.show == show_id) & (Seat.label == label)).scalar())
        ShowSeat.update(status=SeatStatus.BLOCKED).where(ShowSeat.id == seat_id).execute()


def remake_seats(show_id: int) -> None:
    """What a catalog import does to a rebuilt screen's shows: their free show seats deleted
    and made again (new ids), here in this very process."""
    with database.connection_context(), database.atomic():
        ShowSeat.delete().where(ShowSeat.show == show_id).execute()
        create_show_seats([show_id])


def test_the_map_is_what_the_rows_say_through_holds_a_sale_a_release_and_an_expiry(new_show):
    show = new_show()
    assert seating.seat_map(show) == expected_map(show)  # every seat free; layout now cached
    mine = seating.hold(show, ["E5", "E6"], ttl=600)
    other = seating.hold(show, ["A1"], ttl=600)
    sold = seating.hold(show, ["F3", "F4"])
    sales.confirm(sold.token, method="card")
    released = seating.hold(show, ["G7"])
    seating.release(released.token)
    expired = seating.hold(show, ["H2", "H3"], ttl=0.3)
    block(show, "I9")
    wait_until(lambda: db_now() > expired.expires_at)

    for token in (None, mine.token, other.token, sold.token, expired.token, "f" * 32):
        assert seating.seat_map(show, token=token) == expected_map(show, token)
    seats = {s.label: s for s in seating.seat_map(show, token=mine.token)}
    assert [seats[label].status for label in ("E5", "A1", "F3", "G7", "H2", "I9")] == [
        "held", "held", "booked", "available", "available", "blocked"]
    assert seats["E5"].mine and seats["E6"].mine and not seats["A1"].mine
    assert seats["E5"].held_until == mine.expires_at and seats["H2"].held_until is None
    assert not any(s.mine for s in seating.seat_map(show, token=sold.token))  # sold, not held
    assert not any(s.mine for s in seating.seat_map(show, token=expired.token))  # ran out


def test_the_map_is_in_row_order_with_each_seats_own_label_type_and_price(new_show):
    show = new_show()
    seating.hold(show, ["C4"])
    seats = seating.seat_map(show)
    assert [(s.y, s.x) for s in seats] == sorted((s.y, s.x) for s in seats)
    with database.connection_context():
        rows = {r.id: r for r in ShowSeat.select(ShowSeat, Seat).join(Seat)
                .where(ShowSeat.show == show)}
    assert {s.id for s in seats} == set(rows) and len(seats) == len(rows)
    for s in seats:
        row = rows[s.id]
        assert (s.label, s.row, s.number, s.type, s.x, s.y, s.accessible) == (
            row.seat.label, row.seat.row, row.seat.number, row.seat.type, row.seat.x,
            row.seat.y, bool(row.seat.accessible))
        assert s.price == money(row.price) and s.price.as_tuple().exponent == -2


def test_seats_made_anew_are_read_again_by_the_map(new_show):
    show = new_show()
    before = seating.seat_map(show)
    assert seat_maps.seat_layout(show)  # both cached in this process
    remake_seats(show)
    after = seating.seat_map(show)
    assert after == expected_map(show)
    assert {s.id for s in after}.isdisjoint(s.id for s in before)
    assert [s.label for s in after] == [s.label for s in before]
    assert [s.id for s in seat_maps.seat_layout(show)] == [s.id for s in after]
    held = seating.hold(show, [after[0].label])  # the new ids are the ones held and shown
    assert seating.seat_map(show, token=held.token)[0].mine


def test_seats_made_anew_are_read_again_by_a_best_pick_that_read_no_map(new_show):
    """A best pick reads the layout and the free ids, never a map: it must not pick from the
    old seats (it found none of them free and refused a hall with every seat free)."""
    show = new_show()
    _, key = channels.add(f"maps{secrets.token_hex(3)}", by=ADMIN)
    channel = channels.authenticate(key)
    online.release(channel, online.hold(channel, show, best=2).token)  # layout kept
    old = {s.id for s in seat_maps.seat_layout(show)}
    remake_seats(show)
    held = online.hold(channel, show, best=2)
    seats = {s.label: s for s in seating.seat_map(show, token=held.token)}
    assert all(seats[label].mine for label in held.labels) and len(held.labels) == 2
    new = [s.id for s in seat_maps.seat_layout(show, covering=seat_maps.free_seat_ids(show))]
    assert new == [s.id for s in expected_map(show)] and old.isdisjoint(new)


def test_free_seat_ids_are_the_seats_the_map_calls_available(new_show):
    show = new_show()
    assert seat_maps.free_seat_ids(show) == {s.id for s in seating.seat_map(show)}
    seating.hold(show, ["B1", "B2"], ttl=600)
    sales.confirm(seating.hold(show, ["D8"]).token, method="card")
    seating.release(seating.hold(show, ["I1"]).token)
    expired = seating.hold(show, ["C4"], ttl=0.3)
    wait_until(lambda: db_now() > expired.expires_at)
    free = {s.id for s in seating.seat_map(show) if s.status == SeatStatus.AVAILABLE}
    assert seat_maps.free_seat_ids(show) == free
    labels = {s.id: s.label for s in seating.seat_map(show)}
    assert {labels[i] for i in set(labels) - free} == {"B1", "B2", "D8"}


def test_an_unknown_show_is_not_found_and_a_show_without_seats_has_an_empty_map(new_show):
    with database.connection_context():
        unknown = (Show.select(pw.fn.MAX(Show.id)).scalar() or 0) + 1000
    for call in (seating.seat_map, seat_maps.seat_layout):
        with pytest.raises(ShowNotFound):
            call(unknown)
        with pytest.raises(ShowNotFound):
            call("not a show")
    assert seat_maps.free_seat_ids(unknown) == set()  # nothing free: no show is asked for
    show = new_show()
    with database.connection_context():
        ShowSeat.delete().where(ShowSeat.show == show).execute()
    assert seating.seat_map(show) == [] and seating.seat_map(show, token="a" * 32) == []
    assert seat_maps.seat_layout(show) == () and seat_maps.free_seat_ids(show) == set()

