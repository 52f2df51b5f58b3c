"""Best available seats: what a clerk gets on pressing a digit key 1-9 on the seat grid.

The product rule is "pick the best N available seats: together in one row, not across an
aisle, leaving no single empty seat where avoidable, nearest a focal point about two thirds back
and centred; relax those rules when nothing fits". It is applied as a ladder of passes, and the
first pass that finds anything wins:

1. one block of N seats in one row, adjacent by ``x`` (no aisle inside), that strands no single
   available seat at either end of the block within its run of adjacent seats;
2. the same block, stranding allowed;
3. N seats next to each other in the row's seat order, an aisle inside allowed;
4. split: the largest block passes 1-3 can find, then the rest the same way, preferring rows
   near the first block;
5. only when the others cannot find N seats, all of it again with wheelchair spaces allowed.

The rules are relaxed least important first (orphan seat, then aisle, then one row), which is
what a box office does for a couple who want to sit together: a stranded seat or an aisle
between them is a nuisance, two rows apart is not sitting together at all.

Candidates are ranked by squared distance from the focal point (``FOCAL_DEPTH`` of the way back
from the front row, centred between the outermost seats), a row counting ``ROW_WEIGHT``
seat-widths; ties go to the front-most row, then the left-most block. Everything here is pure
Python with no database and no I/O, so the grid, the tests and any tool can call it.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from typing import Protocol

from bmstui.domain.ids import parse_count

MOST_SEATS = 10_000  # more than any hall: n beyond it is a mistake, not a big party
ROW_WEIGHT = 2.0  # a row is about two seat-widths deep
FOCAL_DEPTH = 2 / 3  # the focal row, as a fraction of the way from the front row to the back
SPLIT_ROW_WEIGHT = 3.0  # extra cost per row between a split party's later blocks and its first
SCORE_DIGITS = 9  # scores are rounded so that mirror-image blocks tie exactly

NO_ORPHAN = "no-orphan"  # pass 1
CONTIGUOUS = "contiguous"  # pass 2
ACROSS_AISLE = "across-aisle"  # pass 3
TOGETHER_RULES = (NO_ORPHAN, CONTIGUOUS, ACROSS_AISLE)


class SeatLike(Protocol):
    """What the picker reads from a seat (a model row, or a SeatSpec wrapped with an id)."""

    @property
    def id(self) -> int: ...
    @property
    def x(self) -> int: ...
    @property
    def y(self) -> int: ...
    @property
    def accessible(self) -> bool: ...


@dataclass(frozen=True)
class _Row:
    y: int
    ids: tuple[int, ...]  # sorted by x
    xs: tuple[int, ...]
    accessible: tuple[bool, ...]
    x_sums: tuple[int, ...]  # x_sums[i] = sum of xs[:i], for block centres in O(1)


@dataclass(frozen=True)
class _Block:
    score: float
    y: int
    x: int  # left-most seat, the last tie-break
    ids: tuple[int, ...]

    def key(self) -> tuple[float, int, int]:
        return self.score, self.y, self.x


class _Hall:
    """Rows of one hall and its focal point; availability is passed around separately."""

    def __init__(self, seats: Iterable[SeatLike]):
        by_y: dict[int, list[SeatLike]] = {}
        for seat in seats:
            by_y.setdefault(seat.y, []).append(seat)
        self.rows: list[_Row] = [_make_row(y, by_y[y]) for y in sorted(by_y)]
        self.position = {sid: (row.y, x) for row in self.rows for sid, x in zip(row.ids, row.xs)}
        all_x = [x for row in self.rows for x in row.xs]
        self.fx = self.fy = 0.0  # an empty hall has no focal point, and nothing to pick
        if all_x:
            self.fx = (min(all_x) + max(all_x)) / 2
            front, back = self.rows[0].y, self.rows[-1].y
            self.fy = front + FOCAL_DEPTH * (back - front)


_HALLS: dict[int, tuple[tuple, _Hall]] = {}


def _hall(seats: Iterable[SeatLike]) -> _Hall:
    """The hall of ``seats``; for a tuple (a show's fixed layout, handed over again and again
    during a sale) made once: it was half the cost of a pick in a 2,000-seat arena."""
    if not isinstance(seats, tuple):
        return _Hall(seats)
    known = _HALLS.get(id(seats))
    if known is not None and known[0] is seats:
        return known[1]
    hall = _Hall(seats)
    if len(_HALLS) >= 32:
        _HALLS.clear()
    _HALLS[id(seats)] = (seats, hall)  # the tuple is kept, so its id is not reused
    return hall


def _make_row(y: int, seats: list[SeatLike]) -> _Row:
    seats = sorted(seats, key=lambda seat: seat.x)
    xs = tuple(seat.x for seat in seats)
    sums = [0]
    for x in xs:
        sums.append(sums[-1] + x)
    return _Row(
        y, tuple(seat.id for seat in seats), xs, tuple(seat.accessible for seat in seats),
        tuple(sums),
    )


def best_available(
    seats: Iterable[SeatLike], n: int, available: Container[int] | Callable[[int], bool]
) -> list[int]:
    """Ids of the best ``n`` seats sorted by (y, x), or [] when fewer than ``n`` are free.

    ``seats`` is every seat of the hall, so the focal point does not move as seats sell;
    ``available`` is a set of ids or a predicate, whichever the caller already has.
    """
    if isinstance(n, int) and not isinstance(n, bool) and n < 1:
        return []  # none asked: none given
    n = parse_count(n, "number of seats", most=MOST_SEATS)
    if n < 1:
        return []
    hall = _hall(seats)
    is_free = available if callable(available) else available.__contains__
    free = {sid for sid in hall.position if is_free(sid)}
    picked = _pick(hall, n, free, allow_accessible=False)
    if picked is None:
        picked = _pick(hall, n, free, allow_accessible=True)
    if picked is None:
        return []
    return sorted(picked, key=hall.position.__getitem__)


def _pick(hall: _Hall, n: int, free: set[int], allow_accessible: bool) -> list[int] | None:
    """Passes 1-4 over the seats usable at this step; None only if too few are usable."""
    if sum(sum(_usable(row, free, allow_accessible)) for row in hall.rows) < n:
        return None
    block = _together(hall, n, free, allow_accessible, _focal_cost(hall))
    if block is not None:
        return list(block.ids)
    return _split(hall, n, free, allow_accessible)


def _split(hall: _Hall, n: int, free: set[int], allow_accessible: bool) -> list[int]:
    """Pass 4: largest block first, then the rest near it (the caller checked there is room)."""
    free = set(free)  # seats taken by earlier blocks of this party are no longer free
    picked: list[int] = []
    cost = _focal_cost(hall)
    while len(picked) < n:
        size = min(n - len(picked), _longest_run(hall, free, allow_accessible))
        block = _together(hall, size, free, allow_accessible, cost)
        assert block is not None  # pass 3 always finds the longest run
        picked.extend(block.ids)
        free.difference_update(block.ids)
        if len(picked) == len(block.ids):
            cost = _near_row_cost(hall, block.y)
    return picked


def _together(
    hall: _Hall, n: int, free: set[int], allow_accessible: bool, cost: Callable[[int], float]
) -> _Block | None:
    """Passes 1-3: the best one-row block of ``n`` under the strictest rule that finds one."""
    for rule in TOGETHER_RULES:
        block = _best_block(hall, n, free, allow_accessible, cost, rule)
        if block is not None:
            return block
    return None


def _focal_cost(hall: _Hall) -> Callable[[int], float]:
    return lambda y: (ROW_WEIGHT * (y - hall.fy)) ** 2


def _near_row_cost(hall: _Hall, anchor_y: int) -> Callable[[int], float]:
    """Row cost for a split party's later blocks: the focal cost plus distance from the first."""
    focal = _focal_cost(hall)
    return lambda y: focal(y) + (SPLIT_ROW_WEIGHT * (y - anchor_y)) ** 2


def _best_block(
    hall: _Hall,
    n: int,
    free: set[int],
    allow_accessible: bool,
    cost: Callable[[int], float],
    rule: str,
) -> _Block | None:
    """Lowest-scoring block under ``rule``; rows are visited cheapest first so most are skipped."""
    best: _Block | None = None
    for row_cost, row in sorted(((cost(row.y), row) for row in hall.rows), key=_row_order):
        if best is not None and round(row_cost, SCORE_DIGITS) > best.score:
            break  # a block's score is at least its row's cost
        for start in _block_starts(row, n, free, allow_accessible, rule):
            centre = (row.x_sums[start + n] - row.x_sums[start]) / n
            score = round(row_cost + (centre - hall.fx) ** 2, SCORE_DIGITS)
            block = _Block(score, row.y, row.xs[start], row.ids[start:start + n])
            if best is None or block.key() < best.key():
                best = block
    return best


def _row_order(item: tuple[float, _Row]) -> tuple[float, int]:
    return item[0], item[1].y


def _block_starts(
    row: _Row, n: int, free: set[int], allow_accessible: bool, rule: str
) -> Iterable[int]:
    """Indices in ``row`` where a block of ``n`` usable seats obeying ``rule`` starts."""
    runs = _runs_ahead(_usable(row, free, allow_accessible))
    xs = row.xs
    for start in range(len(xs) - n + 1):
        end = start + n - 1
        if runs[start] < n:
            continue
        if rule != ACROSS_AISLE and xs[end] - xs[start] != n - 1:
            continue
        if rule == NO_ORPHAN and (
            _strands(row, start, -1, free) or _strands(row, end, 1, free)
        ):
            continue
        yield start


def _strands(row: _Row, edge: int, step: int, free: set[int]) -> bool:
    """Would taking the seat at ``edge`` leave its free neighbour (towards ``step``) alone?

    Any free seat counts, wheelchair spaces too: a stranded space is as hard to sell.
    """
    beside = edge + step
    if not _adjacent(row, edge, beside) or row.ids[beside] not in free:
        return False
    beyond = beside + step
    return not _adjacent(row, beside, beyond) or row.ids[beyond] not in free


def _adjacent(row: _Row, index: int, other: int) -> bool:
    """Are seats ``index`` and ``other`` of the row side by side, with no aisle between?"""
    return 0 <= other < len(row.xs) and abs(row.xs[other] - row.xs[index]) == 1


def _usable(row: _Row, free: set[int], allow_accessible: bool) -> list[bool]:
    return [
        sid in free and (allow_accessible or not accessible)
        for sid, accessible in zip(row.ids, row.accessible)
    ]


def _runs_ahead(flags: list[bool]) -> list[int]:
    """runs[i] = how many True flags start at i without a False between."""
    runs = [0] * (len(flags) + 1)
    for index in range(len(flags) - 1, -1, -1):
        runs[index] = runs[index + 1] + 1 if flags[index] else 0
    return runs


def _longest_run(hall: _Hall, free: set[int], allow_accessible: bool) -> int:
    """The largest block pass 3 can find: usable seats next to each other in a row's order."""
    return max(max(_runs_ahead(_usable(row, free, allow_accessible))) for row in hall.rows)
