"""best_available: the seat picker behind the digit keys of the seat grid (no database needed)."""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmstui.domain.best_seats import best_available
from bmstui.domain.layouts import parse_layout

LAYOUTS_TOML = Path(__file__).resolve().parents[2] / "data" / "layouts.toml"
DEMO_MAPS = {
    layout["name"]: layout["map"]
    for layout in tomllib.loads(LAYOUTS_TOML.read_text(encoding="utf-8"))["layout"]
}


@dataclass(frozen=True)
class Seat:
    id: int
    row: str
    number: int
    label: str
    x: int
    y: int
    accessible: bool


def hall(text: str) -> list[Seat]:
    return [
        Seat(index, spec.row, spec.number, spec.label, spec.x, spec.y, spec.accessible)
        for index, spec in enumerate(parse_layout(text))
    ]


DEMO_HALLS = {name: hall(text) for name, text in DEMO_MAPS.items()}


def ids_of(seats: list[Seat], *labels: str) -> set[int]:
    by_label = {seat.label: seat.id for seat in seats}
    return {by_label[label] for label in labels}


def free_except(seats: list[Seat], *taken: str) -> set[int]:
    return {seat.id for seat in seats} - ids_of(seats, *taken)


def labels(seats: list[Seat], picked: list[int]) -> list[str]:
    by_id = {seat.id: seat for seat in seats}
    return [by_id[sid].label for sid in picked]


def is_one_contiguous_block(seats: list[Seat], picked: list[int]) -> bool:
    by_id = {seat.id: seat for seat in seats}
    chosen = [by_id[sid] for sid in picked]
    xs = [seat.x for seat in chosen]
    return len({seat.y for seat in chosen}) == 1 and xs == list(range(xs[0], xs[0] + len(xs)))


SMALL = """
A  SSS__SSSSSS__SSS
B  SSS__SSSSSS__SSS
C  SSS__SSSSSS__SSS
D  SSS__SSSSSS__SSS
"""


def test_empty_hall_pair_sits_centred_two_thirds_back():
    """The focal point is what makes the key useful: a couple gets the seats a clerk would sell."""
    seats = hall(SMALL)
    picked = best_available(seats, 2, {seat.id for seat in seats})
    # rows A-D are y 0-3, so two thirds back is row C; seats span x 0-15, centre 7.5
    assert labels(seats, picked) == ["C6", "C7"]


@pytest.mark.parametrize("name", sorted(DEMO_HALLS))
def test_empty_demo_hall_pair_is_centred_in_the_focal_row(name):
    """Real halls have tapered rows and walkways; the focal point must still land mid-hall."""
    seats = DEMO_HALLS[name]
    picked = best_available(seats, 2, {seat.id for seat in seats})
    assert is_one_contiguous_block(seats, picked)
    chosen = [seat for seat in seats if seat.id in picked]
    ys = sorted({seat.y for seat in seats})
    fy = ys[0] + 2 / 3 * (ys[-1] - ys[0])
    assert chosen[0].y == min(ys, key=lambda y: (abs(y - fy), y))
    fx = (min(s.x for s in seats) + max(s.x for s in seats)) / 2
    assert abs(sum(seat.x for seat in chosen) / 2 - fx) <= 0.5


def test_never_picks_a_taken_seat():
    """A sold seat offered again would be a double booking at the counter."""
    seats = hall(SMALL)
    rng = random.Random(7)
    for _ in range(50):
        free = {seat.id for seat in seats if rng.random() < 0.4}
        for n in range(1, 6):
            picked = best_available(seats, n, free)
            assert len(picked) == n and set(picked) <= free


def test_too_few_free_seats_or_no_seats_asked_gives_nothing():
    """A partial pick would look like success to a clerk who asked for more seats."""
    seats = hall(SMALL)
    three = ids_of(seats, "A1", "B5", "D9")
    assert best_available(seats, 4, three) == []
    assert sorted(best_available(seats, 3, three)) == sorted(three)
    assert best_available(seats, 0, {seat.id for seat in seats}) == []
    assert best_available(seats, -1, {seat.id for seat in seats}) == []
    assert best_available([], 1, set()) == []


def test_block_that_strands_no_single_seat_beats_a_closer_one_that_does():
    """A lone seat between sold ones rarely sells, so it costs the show a ticket."""
    seats = hall("A  SSSSSSSSSS\n")  # x 0-9, centre 4.5
    free = ids_of(seats, "A3", "A4", "A5", "A6", "A7")  # x 2-6
    # x 4-5 is centred but strands x 6; x 3-4 strands x 2; x 5-6 strands nothing
    assert labels(seats, best_available(seats, 2, free)) == ["A6", "A7"]


def test_block_moves_a_row_back_rather_than_strand_a_seat():
    """The orphan rule outranks a row of distance: the whole ladder is about this order."""
    seats = hall("A  SSSSSSSSS\nB  SSSSSSSSS\nC  SSSSSSSSS\nD  SSSSSSSSS\n")
    # row C is the focal row; its only free seats are a trio, any pair of which strands one
    free = ids_of(seats, "C4", "C5", "C6", "D5", "D6")
    assert labels(seats, best_available(seats, 2, free)) == ["D5", "D6"]


def test_seats_stranded_before_the_pick_do_not_count_against_it():
    """Only the pick's own damage matters, or one old orphan would disable the rule for a row."""
    seats = hall("A  SSSSSSSSSS\n")  # x 0-9, centre 4.5
    free = ids_of(seats, "A1", "A4", "A5", "A6", "A7", "A10")  # A1 and A10 are alone already
    # A5-A6 would strand A4 and A7; A4-A5 and A6-A7 tie, the left one wins
    assert labels(seats, best_available(seats, 2, free)) == ["A4", "A5"]


def test_across_an_aisle_in_one_row_beats_splitting_rows():
    """Sitting together with an aisle between is still together; two rows are not."""
    seats = hall("A  SS_SS_SS\nB  SS_SS_SS\nC  SS_SS_SS\n")  # x 0 1, 3 4, 6 7
    # the focal row B has only a pair; row C has three free in seat order across an aisle
    free = ids_of(seats, "B3", "B4", "C4", "C5", "C6")
    assert labels(seats, best_available(seats, 3, free)) == ["C4", "C5", "C6"]


def test_across_an_aisle_the_block_has_no_taken_seat_inside():
    """A block 'together' with a stranger's seat in it is not together."""
    seats = hall("A  SS_SS_SS\n")  # x 0 1, 3 4, 6 7; centre 3.5
    free = free_except(seats, "A3")
    # A2 A4 A5 would be closest to the centre but skip the taken A3
    assert labels(seats, best_available(seats, 3, free)) == ["A4", "A5", "A6"]


def test_split_over_adjacent_rows_when_no_row_fits():
    """A party that cannot sit in one row should at least sit one behind the other."""
    seats = hall("\n".join(f"{row}  SS" for row in "ABCDEFG"))
    picked = best_available(seats, 4, {seat.id for seat in seats})
    # focal row E (y 4) first, then the nearer of D and F (tie: the front one)
    assert labels(seats, picked) == ["D1", "D2", "E1", "E2"]


def test_split_remainder_stays_near_the_largest_block_not_the_focal_row():
    """The party is split around its biggest block, not scattered towards the focal point."""
    seats = hall("\n".join(f"{row}  SSS" for row in "ABCDEFG"))  # focal row E
    # only row B has three free seats; every other row has a free pair at x 0-1
    free = ids_of(seats, "B3") | {seat.id for seat in seats if seat.number < 3}
    picked = best_available(seats, 5, free)
    assert labels(seats, picked) == ["B1", "B2", "B3", "C1", "C2"]


WHEELCHAIR = """
A  SSSSSS
B  SSssSS
C  SSSSSS
"""


def test_wheelchair_spaces_are_kept_while_other_seats_fit():
    """A wheelchair space sold to walk-ins is missing when a wheelchair user comes."""
    seats = hall(WHEELCHAIR)  # the focal row B has wheelchair spaces in its centre
    picked = best_available(seats, 2, {seat.id for seat in seats})
    assert labels(seats, picked) == ["C3", "C4"]


def test_wheelchair_spaces_are_sold_when_only_they_remain():
    """Refusing the last seats in the hall would turn a paying party away."""
    seats = hall(WHEELCHAIR)
    only_spaces = {seat.id for seat in seats if seat.accessible}
    assert labels(seats, best_available(seats, 2, only_spaces)) == ["B3", "B4"]
    one_plain = only_spaces | ids_of(seats, "A1")
    assert sorted(labels(seats, best_available(seats, 3, one_plain))) == ["A1", "B3", "B4"]


def test_equal_scores_go_to_the_front_row():
    """Rows the same distance from the focal point must not be chosen by float noise or order."""
    seats = hall("A  SSSSSSSSS\nB  SSSSSSSSS\nC  SSSSSSSSS\nD  SSSSSSSSS\n")  # focal: C, x 4
    # C3 is two seats off centre in the focal row, B5 and D5 are centred one row off: all score 4
    free = ids_of(seats, "C3", "B5", "D5")
    assert labels(seats, best_available(seats, 1, free)) == ["B5"]


def test_mirror_image_blocks_tie_exactly_and_the_left_one_wins():
    """Means of three x values are inexact floats; unrounded, the right block won this tie."""
    seats = hall("A  SS_SS\n-------\nB  SS_SS\n")  # A is y 0, B is y 2 (behind a walkway)
    free = {seat.id for seat in seats if seat.row == "B"}
    assert labels(seats, best_available(seats, 3, free)) == ["B1", "B2", "B3"]


def test_available_may_be_a_set_a_frozenset_or_a_predicate():
    """The grid has a predicate, the services have id sets; both must give the same seats."""
    seats = hall(SMALL)
    free = free_except(seats, "C6", "C7", "B4")
    as_set = best_available(seats, 3, free)
    assert as_set == best_available(seats, 3, frozenset(free))
    assert as_set == best_available(seats, 3, lambda sid: sid in free)
    assert set(as_set).isdisjoint(ids_of(seats, "C6", "C7", "B4"))


def test_same_input_same_seats_whatever_the_order_of_the_seats():
    """Two terminals showing the same hall must offer the same seats for the same key."""
    seats = DEMO_HALLS["plex-220"]
    rng = random.Random(3)
    free = {seat.id for seat in seats if rng.random() < 0.5}
    for n in range(1, 10):
        expected = best_available(seats, n, free)
        for _ in range(3):
            shuffled = seats[:]
            rng.shuffle(shuffled)
            assert best_available(shuffled, n, set(free)) == expected


def test_result_is_in_hall_order_whatever_the_ids():
    """Ids are database keys in no particular order; the grid lists picks front to back."""
    seats = DEMO_HALLS["classic-150"]
    rng = random.Random(5)
    new_ids = rng.sample(range(1000, 1000 + len(seats)), len(seats))
    renamed = [replace(seat, id=new_id) for seat, new_id in zip(seats, new_ids)]
    free = {seat.id for seat in seats if seat.number <= 3}  # seven seats split over rows
    picked = best_available(seats, 7, free)
    picked_renamed = best_available(renamed, 7, {new_ids[sid] for sid in free})
    assert picked_renamed == [new_ids[sid] for sid in picked]
    by_id = {seat.id: seat for seat in renamed}
    assert picked_renamed == sorted(picked_renamed, key=lambda sid: (by_id[sid].y, by_id[sid].x))


def has_contiguous_run(seats: list[Seat], free: set[int], n: int) -> bool:
    run, last = 0, None
    for seat in sorted(seats, key=lambda s: (s.y, s.x)):
        usable = seat.id in free and not seat.accessible
        follows = last is not None and (last.y, last.x + 1) == (seat.y, seat.x)
        run = (run + 1 if follows else 1) if usable else 0
        last = seat if usable else None
        if run >= n:
            return True
    return False


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(DEMO_HALLS)), n=st.integers(1, 10), data=st.data())
def test_property_random_availability_on_demo_halls(name, n, data):
    """Whatever is sold, the key gives n free seats or none, together whenever a row allows."""
    seats = DEMO_HALLS[name]
    density = data.draw(st.sampled_from([0.02, 0.1, 0.3, 0.6, 0.9, 1.0]))
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    free = {seat.id for seat in seats if rng.random() < density}
    picked = best_available(seats, n, free)
    if len(free) < n:
        assert picked == []
        return
    assert len(picked) == n == len(set(picked))
    assert set(picked) <= free
    plain_free = {seat.id for seat in seats if seat.id in free and not seat.accessible}
    if len(plain_free) >= n:
        assert set(picked) <= plain_free
    if has_contiguous_run(seats, free, n):
        assert is_one_contiguous_block(seats, picked)
