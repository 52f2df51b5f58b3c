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


def bench_show() -> tuple[int, list[str]]:
    """A new show on the biggest screen, a year ahead, all seats free; (show id, labels).

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
        screen = Screen.select().order_by(Screen.capacity.desc()).first()
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
