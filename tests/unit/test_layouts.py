"""parse_layout: the seat-map format of bmstui.domain.layouts, and the demo halls in data/layouts.toml."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from bmstui.domain.layouts import LayoutError, SeatSpec, parse_layout

LAYOUTS_TOML = Path(__file__).resolve().parents[2] / "data" / "layouts.toml"
ALL_TYPES = {"SILVER", "GOLD", "PLATINUM", "DIAMOND"}


def by_label(seats: list[SeatSpec]) -> dict[str, SeatSpec]:
    return {seat.label: seat for seat in seats}


def test_labels_and_numbering_skip_gaps():
    seats = parse_layout("A  SS_S.S S\n")
    assert [s.label for s in seats] == ["A1", "A2", "A3", "A4", "A5"]
    assert [s.number for s in seats] == [1, 2, 3, 4, 5]
    assert [s.x for s in seats] == [0, 1, 3, 5, 7]  # _, . and a space each take a column
    assert {s.row for s in seats} == {"A"}


def test_order_is_front_row_first_then_left_to_right():
    seats = parse_layout("A SSS\nB SS\n")
    assert [s.label for s in seats] == ["A1", "A2", "A3", "B1", "B2"]


def test_x_and_y_use_common_origin_and_author_alignment():
    text = "A    SS\nB  SSSSSS\nAA  SSSS\n"
    seats = by_label(parse_layout(text))
    # the leftmost start of cells (row B, index 3) is x = 0; the other rows keep their offset,
    # so a two-letter label lines up with one-letter ones by taking one space less
    assert (seats["B1"].x, seats["B1"].y) == (0, 1)
    assert (seats["AA1"].x, seats["AA1"].y) == (1, 2)
    assert (seats["A1"].x, seats["A1"].y) == (2, 0)
    assert seats["A2"].x == 3 and seats["AA4"].x == 4 and seats["B6"].x == 5


def test_leading_indentation_of_the_whole_map_does_not_shift_x():
    plain = parse_layout("A SS_S\nB SSSS\n")
    indented = parse_layout("    A SS_S\n    B SSSS\n")
    assert plain == indented


def test_types_and_accessible_seats():
    seats = parse_layout("A  SsGgPpDd\n")
    assert [(s.type, s.accessible) for s in seats] == [
        ("SILVER", False),
        ("SILVER", True),
        ("GOLD", False),
        ("GOLD", True),
        ("PLATINUM", False),
        ("PLATINUM", True),
        ("DIAMOND", False),
        ("DIAMOND", True),
    ]
    assert [s.label for s in seats] == [f"A{n}" for n in range(1, 9)]


def test_walkway_takes_a_y_but_no_seats_and_blank_lines_take_none():
    text = "\nA SS\n\n---------\nB GG\n  \nC PP   \n"
    seats = parse_layout(text)
    assert {s.row: s.y for s in seats} == {"A": 0, "B": 2, "C": 3}
    assert len(seats) == 6  # trailing spaces on row C add nothing


def test_seatspec_is_frozen():
    seat = parse_layout("A S\n")[0]
    assert seat == SeatSpec("A", 1, "A1", "SILVER", False, 0, 0)
    with pytest.raises(AttributeError):
        seat.number = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("A SS\nB SX\n", 2, "unknown cell 'X'"),
        ("A SS\n\nB S-S\n", 3, "unknown cell '-'"),
        ("a SS\n", 1, "bad row label 'a'"),
        ("A SS\nABCD SS\n", 2, "bad row label 'ABCD'"),
        ("A1 SS\n", 1, "bad row label 'A1'"),
        ("A SS\nB SS\nA GG\n", 3, "duplicate row label 'A'"),
        ("A SS\nB __..\n", 2, "row B has no seats"),
        ("A SS\nB\n", 2, "row B has no seats"),
        ("A SS\nB\tSS\n", 2, "tab"),
    ],
)
def test_errors_name_the_line_and_the_problem(text, line, fragment):
    with pytest.raises(LayoutError) as info:
        parse_layout(text)
    assert info.value.line == line
    assert str(info.value).startswith(f"line {line}:")
    assert fragment in str(info.value)


@pytest.mark.parametrize("text", ["", "\n  \n", "-----\n\n---\n"])
def test_empty_layout_is_an_error(text):
    with pytest.raises(LayoutError, match="empty"):
        parse_layout(text)


def test_layout_error_is_a_value_error():
    assert issubclass(LayoutError, ValueError)


# --- the demo halls ------------------------------------------------------------------------


def demo_layouts() -> list[dict]:
    with LAYOUTS_TOML.open("rb") as fh:
        return tomllib.load(fh)["layout"]


def test_demo_layouts_parse_and_are_realistic():
    layouts = demo_layouts()
    assert 4 <= len(layouts) <= 5
    names = [layout["name"] for layout in layouts]
    assert len(set(names)) == len(names)
    catalog_types: set[str] = set()
    for layout in layouts:
        name = layout["name"]
        assert layout["description"].strip(), name
        seats = parse_layout(layout["map"])
        assert 60 <= len(seats) <= 600, name
        assert len({s.label for s in seats}) == len(seats), name
        assert len({(s.x, s.y) for s in seats}) == len(seats), name
        assert any(s.accessible for s in seats), name
        types = Counter(s.type for s in seats)
        assert len(types) >= 3, (name, types)
        catalog_types |= set(types)
        # the number in a name such as "plex-220" is the hall's capacity
        assert int(name.rsplit("-", 1)[1]) == len(seats), name
        # rows are lettered from the screen back, and price rises away from the screen
        rows = sorted({(s.y, s.row) for s in seats})
        labels = [row for _, row in rows]
        assert labels == sorted(labels, key=lambda r: (len(r), r)), name
        rank = {"SILVER": 1, "GOLD": 2, "PLATINUM": 3, "DIAMOND": 4}
        row_rank = [max(rank[s.type] for s in seats if s.row == row) for _, row in rows]
        assert row_rank == sorted(row_rank), name
        # a cross-walkway leaves a y with no seats
        assert set(range(max(s.y for s in seats) + 1)) - {s.y for s in seats}, name
    assert catalog_types == ALL_TYPES
