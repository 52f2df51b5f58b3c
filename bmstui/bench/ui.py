"""``bmstui bench grid`` and ``bmstui bench startup``: how fast the clerk's screens appear.

The Textual side lives in ``screens`` (imported only when these commands run), so ``bmstui``
itself still never imports textual.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from rich.console import Console

from bmstui.cli.registry import command
from bmstui.config import get_settings, mask_url

console = Console()


def add_parser(bench_sub, common) -> None:
    grid = bench_sub.add_parser("grid", parents=[common],
                                help="paint a 1,500-seat hall and 100 seat changes (headless)")
    grid.add_argument("--runs", type=int, default=10)
    grid.add_argument("--changes", type=int, default=100)
    start = bench_sub.add_parser("startup", parents=[common],
                                 help="process start to the first screen with its data")
    start.add_argument("--runs", type=int, default=5)


@command("bench grid")
def bench_grid(args) -> int:
    from bmstui.bench import grid_probe as grid_bench

    found = grid_bench.run(args.runs, args.changes)
    width, height = found["size"]
    console.print(
        f"hall: {found['seats']:,} seats, terminal {width}x{height}, {found['runs']} runs "
        f"(lines built per first paint: {found['lines_built']})"
    )
    for key, what, target in (
        ("first_paint_ms", "first paint (mount + load + paint)", 150),
        ("changes_ms", f"{found['changes']} seat changes applied and repainted", 20),
    ):
        median, p95, worst = found[key]
        console.print(f"{what}: median {median:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms "
                      f"(target ≤ {target} ms)")
    return 0


@command("bench startup")
def bench_startup(args) -> int:
    """Start ``bmstui`` headless in a fresh interpreter, as a clerk starts it, until the first
    screen shows its data: once on the city list, once resuming a remembered city's movies."""
    import bmstui

    bmstui.open_database()
    url = get_settings().resolved_database_url
    console.print(f"database: {mask_url(url)}")
    with tempfile.TemporaryDirectory() as tmp:
        for resume, what in ((False, "city list"), (True, "movies of the remembered city")):
            times = []
            for _ in range(args.runs):
                started = time.time()
                out = subprocess.run(
                    [sys.executable, "-m", "bmstui.bench.startup_probe", url, tmp,
                     "resume" if resume else "fresh"],
                    capture_output=True, text=True, timeout=60,
                    env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                )
                try:
                    times.append((float(out.stdout.split()[-1]) - started) * 1000)
                except (ValueError, IndexError):
                    console.print(f"the app did not reach its first screen: "
                                  f"{(out.stderr or out.stdout).strip()[-800:]}", markup=False)
                    return 1
            times.sort()
            console.print(f"start-up to the {what}: median {times[len(times) // 2]:.0f} ms, "
                          f"max {times[-1]:.0f} ms over {args.runs} runs  (target ≤ 1000 ms)")
    return 0
