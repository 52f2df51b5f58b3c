"""What ``bmstui bench grid`` measures: the seat grid painting a 1,500-seat hall, headless.

A "paint" is the moment Textual has turned the screen update into the text it would send to
the terminal (the headless driver then drops it), so the figures include layout, every
``render_line`` and the conversion to terminal output; not the terminal's own drawing.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from datetime import datetime, timedelta
from decimal import Decimal

from textual.app import App

from bmstui.services.live import LiveSeats, Poll, SeatChange
from bmstui.services.seating import SeatState
from screens.app import settle_garbage_collector
from screens.widgets.seat_grid import SeatGrid

TYPES = (("SILVER", "150.00"), ("GOLD", "220.00"), ("PLATINUM", "320.00"), ("DIAMOND", "480.00"))


def big_hall(rows: int = 30, per_row: int = 50, aisles=(12, 38)) -> list[SeatState]:
    """A synthetic hall: ``rows`` x ``per_row`` seats, two aisles, four seat-type bands."""
    seats = []
    for y in range(rows):
        row = chr(ord("A") + y) if y < 26 else "A" + chr(ord("A") + y - 26)
        kind, price = TYPES[min(3, y * 4 // rows)]
        for number in range(1, per_row + 1):
            x = number - 1 + sum(2 for a in aisles if number > a)
            seats.append(SeatState(
                id=y * per_row + number, label=f"{row}{number}", row=row, number=number,
                type=kind, price=Decimal(price), accessible=False, status="available",
                x=x, y=y,
            ))
    return seats


class _CountingGrid(SeatGrid):
    lines_built = 0

    def _build_line(self, line: int):
        self.lines_built += 1
        return super()._build_line(line)


class _BenchApp(App):
    CSS = "SeatGrid { height: 1fr; }"

    def __init__(self) -> None:
        super().__init__()
        self.paints: list[float] = []

    def on_mount(self) -> None:
        settle_garbage_collector()  # as BoxOfficeApp does

    def _display(self, screen, renderable) -> None:  # the one place a paint can be observed
        super()._display(screen, renderable)
        if renderable is not None:
            renderable.render_segments(self.console)
            self.paints.append(time.perf_counter())


async def _painted_after(app: _BenchApp, started: float, timeout: float = 5.0) -> float:
    deadline = time.perf_counter() + timeout
    while not (app.paints and app.paints[-1] > started):
        if time.perf_counter() > deadline:
            raise TimeoutError("the grid never painted")
        await asyncio.sleep(0.0005)
    return (app.paints[-1] - started) * 1000


async def measure(runs: int = 10, changes: int = 100, size=(160, 50)) -> dict:
    seats = big_hall()
    now = datetime(2030, 1, 1)
    app = _BenchApp()
    first, changing, built = [], [], []
    rng = random.Random(7)
    async with app.run_test(size=size) as pilot:
        for _ in range(runs):
            for old in app.screen.query(SeatGrid):
                await old.remove()
            await pilot.pause()
            live = LiveSeats(0, seats, now)
            started = time.perf_counter()
            grid = _CountingGrid(max_seats=10)
            await app.screen.mount(grid)
            grid.load(live)
            first.append(await _painted_after(app, started))
            built.append(grid.lines_built)
            for _ in range(3):
                picked = rng.sample(seats, changes)
                batch = Poll(now, tuple(
                    SeatChange(s.id, rng.choice(("held", "booked", "available")), False,
                               now + timedelta(hours=1)) for s in picked))
                await pilot.pause()
                started = time.perf_counter()
                grid.seats_changed(live.apply(batch))
                changing.append(await _painted_after(app, started))
    return {
        "seats": len(seats), "size": size, "runs": runs, "changes": changes,
        "first_paint_ms": _spread(first),
        "changes_ms": _spread(changing),
        "lines_built": max(built),
    }


def _spread(values: list[float]) -> tuple[float, float, float]:
    """(median, 95th percentile, max)."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))], ordered[-1]


def run(runs: int = 10, changes: int = 100) -> dict:
    return asyncio.run(measure(runs, changes))
