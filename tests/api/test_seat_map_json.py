"""The seat map's JSON written from per-show fragments is the document json.dumps would write.

``shapes.SeatMapWriter`` encodes each seat's fixed part once per show and splices only the
status in per answer, cutting its own ``json.dumps`` output at fixed offsets. That is only safe
if the cut never lands inside an escaped label and a fragment never outlives the seats it was
made for: hypothesis draws labels, rows, types and statuses of any unicode (quotes,
backslashes, control characters, lone surrogates) and checks the bytes against the plain
``json.dumps`` of ``shapes.show`` and ``shapes.seat``, the answer the route used to build.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bmstui.api import shapes
from bmstui.services import catalog, seating
from bmstui.services.seat_maps import SeatState

TRICKY = st.text(alphabet=st.sampled_from('"\\/\x00\x1f\x7f\n\t\u2028\ud800 :,{}[]A1é🎬'))
TEXT = st.one_of(st.text(max_size=12), TRICKY)
STATUSES = st.one_of(st.sampled_from(["available", "held", "booked", "blocked"]), TEXT)
PRICES = st.decimals(min_value=Decimal(-1000), max_value=Decimal(100000), places=2,
                     allow_nan=False, allow_infinity=False)


ANY_ID = st.integers(1, 10**9)


def seat_states(ids=ANY_ID) -> st.SearchStrategy[list[SeatState]]:
    one = st.builds(SeatState, id=ids, label=TEXT, row=TEXT, number=st.integers(-5, 10**4),
                    type=TEXT, price=PRICES, accessible=st.booleans(), status=STATUSES,
                    x=st.integers(0, 99), y=st.integers(0, 99))
    return st.lists(one, max_size=25, unique_by=lambda s: s.id)  # a show seat is one id


SHOWS = st.builds(
    catalog.ShowInfo, id=st.integers(1, 10**6), movie_id=st.integers(1, 10**6), title=TEXT,
    language=TEXT, certificate=TEXT, theater_id=st.integers(1, 999), theater=TEXT,
    city_id=st.integers(1, 999), screen_id=st.integers(1, 999), screen=TEXT,
    starts_at=st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)),
    ends_at=st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)), format=TEXT,
    capacity=st.integers(0, 5000), seats_left=st.integers(0, 5000),
    timezone=st.sampled_from(["", "Asia/Kolkata", "UTC", "America/St_Johns"]))


def plain(info: catalog.ShowInfo, seats: list[SeatState]) -> bytes:
    return json.dumps({**shapes.show(info), "seats": [shapes.seat(s) for s in seats]},
                      separators=(",", ":")).encode()


@settings(deadline=None)
@given(info=SHOWS, seats=seat_states(), data=st.data())
def test_the_written_map_is_byte_for_byte_json_dumps(info, seats, data):
    writer = shapes.SeatMapWriter()
    assert writer.body(info, seats) == plain(info, seats)
    # The same seats with other statuses: the kept fragments, the new statuses.
    moved = [replace(s, status=data.draw(STATUSES)) for s in seats]
    assert writer.body(info, moved) == plain(info, moved)
    json.loads(writer.body(info, moved))  # and a document a client can read


@settings(deadline=None)
@given(info=SHOWS, first=seat_states(st.integers(1, 1000)),
       second=seat_states(st.integers(1001, 2000)))
def test_other_seats_of_the_same_show_are_not_written_with_old_fragments(info, first, second):
    """A show's seats made anew (new ids, maybe new labels and prices), or the same number of
    seats in another order: never the fragments of the seats before."""
    writer = shapes.SeatMapWriter(most=2)
    assert writer.body(info, first) == plain(info, first)
    assert writer.body(info, second) == plain(info, second)
    assert writer.body(info, first[::-1]) == plain(info, first[::-1])
    other = replace(info, id=info.id + 1)  # other shows in between, past the writer's room
    for n in range(3):
        shifted = replace(other, id=other.id + n)
        assert writer.body(shifted, second) == plain(shifted, second)
    assert writer.body(info, first) == plain(info, first)


def test_a_real_show_and_its_seat_map(new_show):
    show_id = new_show()
    seating.hold(show_id, ["A1", "A2"])
    info, seats = catalog.show(show_id), seating.seat_map(show_id)
    writer = shapes.SeatMapWriter()
    assert writer.body(info, seats) == plain(info, seats)
    assert writer.body(info, seating.seat_map(show_id)) == plain(info, seats)
    document = json.loads(writer.body(info, seats))
    assert [s["status"] for s in document["seats"][:3]] == [s.status for s in seats[:3]]
