"""Seat-layout maps: a hall drawn as text, one character per seat, parsed into seat specs.

A map is drawn the way the hall looks from the projection booth, so a manager can read and
edit it in data/layouts.toml without a tool::

    A    SS__ SSSSSSSS __SS
    B   SSS__SSSSSSSSSS__SSS
    -------------------------
    C  GGGg__GGGGGGGGGG__gGGG

* Each non-blank line is one row, listed from the screen backwards: the first line is nearest
  the screen, as row A is in Indian halls. ``y`` is the line's index among non-blank lines.
* A row is ``LABEL`` (1-3 uppercase letters: A, B, ..., AA), one or more spaces, then the
  cells, one character per column: ``S G P D`` are SILVER, GOLD, PLATINUM and DIAMOND seats;
  ``s g p d`` are wheelchair-accessible seats of that type (a wheelchair space sells at its
  row's price, so accessibility is a flag, not a type); ``_``, ``.`` or a space is a gap.
  Tabs are refused: their width depends on the editor, so they would silently shift seats.
* ``x`` is the column counted from the leftmost start of cells over all rows, gaps included,
  so aisles land where they are drawn. Measuring from that common start, not from each label,
  lets an author line up ``A`` with ``AA`` and indent short front rows with plain spaces.
* A line of only ``-`` is a cross-walkway: it takes a ``y`` (the grid draws the gap) but has
  no seats and no label.
* Seats are numbered 1, 2, ... from the left within their row, skipping gaps, because the
  plaques on the chairs count chairs, not floor; the label is row + number, e.g. ``F7``.

Every mistake raises ``LayoutError`` naming the 1-based line within the map (blank lines
counted, as an editor counts them), so a typo in a twenty-row hall is found at once; only an
empty map, which has no line to blame, says so without one. This module is pure Python on purpose: the seeder, the
tests and any tool can use it without a database or a terminal UI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEAT_CELLS = {"S": "SILVER", "G": "GOLD", "P": "PLATINUM", "D": "DIAMOND"}
GAP_CELLS = frozenset("_. ")
_LABEL = re.compile(r"[A-Z]{1,3}")
_WALKWAY = re.compile(r"-+")


@dataclass(frozen=True)
class SeatSpec:
    row: str
    number: int
    label: str
    type: str
    accessible: bool
    x: int
    y: int


class LayoutError(ValueError):
    """A layout map that cannot be used; ``line`` is 1-based within the map (None: whole map)."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


def _cell_type(char: str) -> tuple[str, bool] | None:
    """(type, accessible) for a seat character, None for a gap; LayoutError is the caller's."""
    if char in GAP_CELLS:
        return None
    if char in SEAT_CELLS:
        return SEAT_CELLS[char], False
    if char.upper() in SEAT_CELLS and char.islower():
        return SEAT_CELLS[char.upper()], True
    raise KeyError(char)


def parse_layout(text: str) -> list[SeatSpec]:
    """Parse a map (see the module docstring) into seats, front row first, left to right."""
    rows: list[tuple[str, int, list[tuple[int, str, bool]]]] = []  # label, y, (index, type, acc)
    seen: dict[str, int] = {}  # label -> line it was first used on
    starts: list[int] = []
    y = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        if _WALKWAY.fullmatch(line.strip()):
            y += 1
            continue
        if "\t" in line:
            raise LayoutError("tab found: align with spaces (a tab has no fixed width)", lineno)
        match = re.match(r"\s*(\S+)", line)
        assert match is not None  # the line is not blank
        label, rest_at = match.group(1), match.end()
        if not _LABEL.fullmatch(label):
            raise LayoutError(
                f"bad row label {label!r}: expected 1-3 uppercase letters then a space", lineno
            )
        if label in seen:
            first = seen[label]
            raise LayoutError(f"duplicate row label {label!r} (first used on line {first})", lineno)
        rest = line[rest_at:]
        if rest and rest[0] != " ":
            raise LayoutError(
                f"row {label}: expected a space after the row label, got {rest[0]!r}", lineno
            )
        start = rest_at + len(rest) - len(rest.lstrip(" "))
        seats: list[tuple[int, str, bool]] = []
        for index in range(start, len(line)):
            try:
                cell = _cell_type(line[index])
            except KeyError:
                raise LayoutError(
                    f"row {label}: unknown cell {line[index]!r} at column {index + 1} "
                    "(seats are S G P D, accessible s g p d, gaps _ . or space)",
                    lineno,
                ) from None
            if cell is not None:
                seats.append((index, *cell))
        if not seats:
            raise LayoutError(f"row {label} has no seats", lineno)
        seen[label] = lineno
        starts.append(start)
        rows.append((label, y, seats))
        y += 1
    if not rows:
        raise LayoutError("layout is empty: it has no rows of seats")
    origin = min(starts)
    return [
        SeatSpec(label, number, f"{label}{number}", type_, accessible, index - origin, row_y)
        for label, row_y, seats in rows
        for number, (index, type_, accessible) in enumerate(seats, start=1)
    ]
