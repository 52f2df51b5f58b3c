"""Horizontal bar charts as plain text lines, for reports in a terminal or a CLI pipe.

Pure string work (no textual, no rich): the TUI puts the lines in a Static, the command line
prints them. A bar is drawn in eighths of a character cell with the Unicode block elements
▏▎▍▌▋▊▉█, so a 40-cell bar tells 320 levels apart; that is what makes 61 % and 64 % occupancy
look different in a narrow report panel.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from bmstui.domain.ids import parse_count

EIGHTHS = " ▏▎▍▌▋▊▉"  # index n: a cell filled n/8 from the left; a full cell is FULL
FULL = "█"
MOST_CELLS = 1_000  # wider than any terminal; 2**63 cells would exhaust memory


def _cells(value, what: str) -> int:
    """A width in cells as a caller gave it (negative: nothing drawn, as before)."""
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return 0
    return parse_count(value, what, most=MOST_CELLS)


def _plain(value: float) -> str:
    """The default value text: whole numbers without decimals, others with two."""
    try:
        value = float(value)
    except (TypeError, ValueError):  # not a number: printed as it was given
        return str(value)[:20]
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _finite(value) -> float:
    """A drawable magnitude: NaN, None and negatives draw as nothing, infinity as full."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    if math.isnan(number) or number < 0:
        return 0.0
    return number


def bar_eighths(value: float, scale: float, width: int) -> int:
    """How many eighths of a cell ``value`` fills when ``scale`` fills ``width`` cells.

    Never more than ``width * 8``; a positive value always shows at least one eighth, so a
    theater that sold one seat is visibly not empty. Monotonic in ``value``."""
    value, scale, width = _finite(value), _finite(scale), _cells(width, "bar width")
    if width <= 0 or value <= 0 or scale <= 0:
        return 0
    most = width * 8
    if math.isinf(value) or value >= scale:
        return most
    return min(most, max(1, round(value / scale * most)))


def bar(value: float, scale: float, width: int) -> str:
    """One bar, not padded: full cells, then at most one partial cell."""
    full, rest = divmod(bar_eighths(value, scale, width), 8)
    return FULL * full + (EIGHTHS[rest] if rest else "")


def _fit(label: str, width: int) -> str:
    return label if len(label) <= width else label[: max(0, width - 1)] + "…"


def bars(
    items: Sequence[tuple[str, float]],
    width: int = 40,
    *,
    scale: float | None = None,
    label_width: int | None = None,
    max_label_width: int | None = None,
    fmt: Callable[[float], str] | None = None,
) -> list[str]:
    """A horizontal bar chart, one line per item: ``label  bar  value``.

    ``scale`` is the value that fills ``width`` cells (default: the largest value, so the
    longest bar is full; pass 100 for percentages so 50 % is always half). Values above it are
    drawn full, negatives as no bar; the printed value is always the real one. Labels are
    padded to the longest, at most ``max_label_width`` (or to exactly ``label_width``), longer
    ones cut with an ellipsis, and bars padded to
    ``width``, so the values line up in a column. ``fmt`` turns a value into its text.
    """
    if not items:
        return []
    width = _cells(width, "chart width")
    fmt = fmt or _plain
    labels = [str(label) for label, _ in items]
    if label_width is None:
        label_width = max(len(label) for label in labels)
        if max_label_width is not None:
            label_width = min(label_width, max(_cells(max_label_width, "label width"), 1))
    else:
        label_width = _cells(label_width, "label width")
    if scale is None:
        scale = max((_finite(value) for _, value in items), default=0.0)
    lines = []
    for label, (_, value) in zip(labels, items, strict=True):
        drawn = bar(value, scale, width)
        text = fmt(value) if value is not None else ""
        lines.append(f"{_fit(label, label_width):<{label_width}} {drawn:<{max(width, 0)}} "
                     f"{text}".rstrip())
    return lines
