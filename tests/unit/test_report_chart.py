"""The text bar chart of the reports: eighth-block bars, aligned columns, odd inputs."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from bmstui.domain.report_chart import EIGHTHS, FULL, bar, bar_eighths, bars

BLOCKS = set(EIGHTHS.strip() + FULL)


def drawn(line: str) -> str:
    """The bar characters of one chart line."""
    return "".join(ch for ch in line if ch in BLOCKS)


def eighths_of(text: str) -> int:
    return sum(8 if ch == FULL else EIGHTHS.index(ch) for ch in text)


def test_the_largest_value_fills_the_width_and_others_are_in_proportion():
    lines = bars([("Lower Parel", 80), ("Andheri", 20), ("Koramangala", 50)], width=8)
    assert lines == [
        "Lower Parel ████████ 80",
        "Andheri     ██       20",
        "Koramangala █████    50",
    ]


def test_eighth_blocks_draw_the_fraction_of_a_cell():
    assert bar(1, 8, 1) == "▏"
    assert bar(3, 8, 1) == "▍"
    assert bar(7, 8, 1) == "▉"
    assert bar(8, 8, 1) == "█"
    assert bar(61, 100, 10) == "██████▏"  # 6.1 cells = 6 full + 1 eighth (48.8 → 49 eighths)
    assert bar(64, 100, 10) == "██████▍"


def test_a_fixed_scale_keeps_percentages_comparable():
    lines = bars([("a", 50.0), ("b", 25.0)], width=4, scale=100, fmt=lambda v: f"{v:.1f}%")
    assert lines == ["a ██   50.0%", "b █    25.0%"]


def test_empty_all_zero_negative_and_nan_values_draw_no_bar_but_print_the_value():
    assert bars([]) == []
    assert bars([("x", 0), ("y", 0)], width=5) == ["x       0", "y       0"]
    lines = bars([("loss", -30), ("gain", 10), ("odd", math.nan)], width=4)
    assert drawn(lines[0]) == "" and lines[0].endswith("-30")
    assert drawn(lines[1]) == "████"  # negatives are clamped at 0, not used as the scale
    assert drawn(lines[2]) == ""


def test_a_tiny_positive_value_is_still_visible_and_overflow_is_clamped():
    assert bar(1, 10_000, 40) == "▏"
    assert bar(150, 100, 10) == "█" * 10
    assert bar(math.inf, 100, 10) == "█" * 10


def test_long_labels_are_cut_with_an_ellipsis_and_values_line_up():
    lines = bars([("Rangmahal Lower Parel Audi 1", 3), ("Short", 1)], width=3,
                 max_label_width=10)
    assert lines[0].startswith("Rangmahal… ") and lines[1].startswith("Short      ")
    assert len({line.rindex(" ") for line in lines}) == 1  # the values start in one column


@given(st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=2,
                max_size=20), st.integers(min_value=1, max_value=80))
def test_bar_length_is_monotonic_and_never_exceeds_the_width(values, width):
    scale = max(values)
    ordered = sorted(values)
    lengths = [bar_eighths(value, scale, width) for value in ordered]
    assert lengths == sorted(lengths)
    assert all(0 <= n <= width * 8 for n in lengths)
    for line, value in zip(bars([(str(i), v) for i, v in enumerate(ordered)], width),
                           ordered, strict=True):
        text = drawn(line)
        assert len(text) <= width
        assert eighths_of(text) == bar_eighths(value, scale, width)
        assert (eighths_of(text) > 0) == (value > 0 and scale > 0)
