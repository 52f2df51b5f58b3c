"""``bmstui bench ...``: commands that measure and print figures (never timed test assertions)."""

from __future__ import annotations

import argparse
import time

from rich.console import Console

import bmstui
from bmstui.cli.registry import command
from bmstui.config import get_settings, mask_url

console = Console()


def add_bench_parser(sub, common: argparse.ArgumentParser) -> None:
    bench = sub.add_parser("bench", parents=[common], help="measure speed; prints figures")
    bench_sub = bench.add_subparsers(dest="bench_command", metavar="BENCH", required=True)
    seed = bench_sub.add_parser(
        "seed", parents=[common], help="time the bulk seed of a scaled chain into the database"
    )
    seed.add_argument("--scale", type=int, default=12, help="copies of the demo chain")
    seed.add_argument("--days", type=int, default=7)
    from bmstui.bench import holds as bench_holds
    from bmstui.bench import live as bench_live
    from bmstui.bench import rush as bench_rush
    from bmstui.bench import terminals as bench_terminals
    from bmstui.bench import ui as bench_ui

    bench_holds.add_parser(bench_sub, common)
    bench_live.add_parser(bench_sub, common)
    bench_rush.add_parser(bench_sub, common)
    bench_terminals.add_parser(bench_sub, common)
    bench_ui.add_parser(bench_sub, common)


@command("bench seed")
def bench_seed(args) -> int:
    """Seed ``--scale`` copies of the chain and report show seats per second.

    Run it against an empty database: a seeded one only gets what is missing.
    """
    from bmstui.bench.common import seed_with_progress

    bmstui.open_database(create=True)
    bmstui.create_schema()
    console.print(f"Seeding scale {args.scale} into {mask_url(get_settings().resolved_database_url)}")
    started = time.perf_counter()
    report, seconds = seed_with_progress(scale=args.scale, days=args.days)
    total = time.perf_counter() - started
    rate = report.show_seats / seconds if seconds else 0.0
    console.print(
        f"show seats: {report.show_seats:,} in {seconds:.1f} s ({rate:,.0f}/s); "
        f"shows: {report.shows:,}; seats: {report.seats:,}; total {total:.1f} s"
    )
    return 0
