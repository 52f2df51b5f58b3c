"""What the benches share: a fresh show to measure on, a worker process's set-up, spawned
processes, percentiles, and seeding with a progress bar (``bench seed`` and ``db seed``)."""

from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import replace
from datetime import timedelta

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import bmstui
from bmstui.config import get_settings, use_settings

SPAWN = mp.get_context("spawn")


def seed_with_progress(**options):
    """load_demo_data with a rich progress bar; returns (report, seconds)."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(),
        transient=False,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        started = time.perf_counter()
        report = bmstui.load_demo_data(progress=progress, **options)
    return report, time.perf_counter() - started


ARENA_ROW = 40  # seats per row of the rush's arena, an aisle in the middle
ARENA_LAYOUT = "bench-arena"  # the layout name of the bench's own halls


def _row_name(i: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


def arena_map(seats: int) -> str:
    """A layout map of about ``seats`` seats (whole rows of ARENA_ROW): SILVER at the front,
    GOLD in the middle, PLATINUM at the back."""
    rows = max(1, -(-seats // ARENA_ROW))
    half = "S" * (ARENA_ROW // 2)
    lines = []
    for i in range(rows):
        kind = "S" if i < rows // 3 else "G" if i < 2 * rows // 3 else "P"
        lines.append(f"{_row_name(i):3} {half.replace('S', kind)}__{half.replace('S', kind)}")
    return "\n".join(lines)


def _arena(seats: int):
    """The bench's own hall of ``seats`` seats (made once per size) in the first theater."""
    from bmstui.domain.layouts import parse_layout
    from bmstui.store.models import Screen, Seat, Theater

    name = f"Rush arena {seats}"
    screen = Screen.get_or_none(Screen.name == name)
    if screen is not None:
        return screen
    specs = parse_layout(arena_map(seats))
    screen = Screen.create(theater=Theater.select().first(), name=name, layout=ARENA_LAYOUT,
                           capacity=len(specs), formats="2D")
    rows = [{"screen": screen.id, "row": s.row, "number": s.number, "label": s.label,
             "type": s.type, "accessible": s.accessible, "x": s.x, "y": s.y} for s in specs]
    for start in range(0, len(rows), 500):
        Seat.insert_many(rows[start:start + 500]).execute()
    return screen


def bench_show(seats: int | None = None) -> tuple[int, list[str]]:
    """A new show a year ahead, all seats free; (show id, labels). On the biggest screen, or
    with ``seats`` on the bench's own arena of that size (a rush needs a long sale to measure).

    Its seats are dated an hour back, like a show on sale for a while: a brand-new show's seats
    all fall in every grid's trailing poll window (``services.live.CHANGE_WINDOW``) at first.
    """
    from bmstui.store.db import database, db_now, later_sql
    from bmstui.store.models import Movie, Screen, Seat, Show, ShowSeat
    from bmstui.store.schema import schema_missing
    from bmstui.store.seeding import create_show_seats

    if schema_missing():
        bmstui.create_schema()
    with database.connection_context():
        if not Screen.select().exists():
            bmstui.load_demo_data(days=1)
        with database.atomic():
            screen = (_arena(seats) if seats else
                      Screen.select().where(Screen.layout != ARENA_LAYOUT)
                      .order_by(Screen.capacity.desc()).first())
        movie = Movie.select().first()
        starts = db_now().replace(microsecond=0) + timedelta(days=365)
        while Show.select().where((Show.screen == screen) & (Show.starts_at == starts)).exists():
            starts += timedelta(seconds=1)
        with database.atomic():
            show_id = Show.insert(movie=movie, screen=screen, starts_at=starts,
                                  ends_at=starts + timedelta(hours=3)).execute()
            create_show_seats([show_id])
            ShowSeat.update(updated_at=later_sql(-3600)).where(ShowSeat.show == show_id).execute()
        labels = [s.label for s in Seat.select(Seat.label).where(Seat.screen == screen)
                  .order_by(Seat.y, Seat.x)]
    return show_id, labels


def worker_setup(url: str, locking: str, terminal: str = "bench") -> None:
    use_settings(replace(get_settings(), locking=locking, terminal=terminal))
    bmstui.open_database(url)


def percentile_ms(values: list[float], q: float) -> float:
    """The ``q`` quantile of durations in seconds, in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
