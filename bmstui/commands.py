"""The bodies of the ``bmstui`` subcommands (argument parsing lives in bmstui.cli)."""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

import bmstui
from bmstui.cli import command
from bmstui.config import get_settings, mask_url
from bmstui.errors import DatabaseUnavailable

console = Console()


def seed_with_progress(**options):
    """load_demo_data with a rich progress bar; returns (report, seconds)."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
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


def ensure_ready_for_tui() -> None:
    """Quick start: an empty *default* (embedded) database gets the schema and demo catalog.

    A configured server database is never seeded behind anyone's back; it gets a hint instead.
    """
    from bmstui.schema import schema_missing

    settings = get_settings()
    bmstui.open_database()
    missing = schema_missing()
    if not missing:
        return
    if settings.database_url:
        raise DatabaseUnavailable(
            mask_url(settings.resolved_database_url),
            f"schema missing ({len(missing)} tables)",
            "run `bmstui db init` (and `bmstui db seed` for the demo catalog)",
        )
    console.print("First start: creating the embedded database with the demo catalog…")
    bmstui.create_schema()
    report, _ = seed_with_progress()
    print_demo_operators(report)
    if report.operators and sys.stdin.isatty():
        input("Note the passwords, then press enter to open the box office… ")


@command("tui")
def run_tui(args) -> int:
    ensure_ready_for_tui()
    from screens.app import BoxOfficeApp

    app = BoxOfficeApp(settings=get_settings())
    try:
        app.run()
    finally:  # however it ended (a fatal error too), the seats held at checkout go back
        app.release_open_hold()
    return 0


@command("db init")
def db_init(args) -> int:
    bmstui.open_database(create=True)
    bmstui.create_schema()
    console.print(f"Schema ready in {mask_url(get_settings().resolved_database_url)}")
    return 0


@command("db seed")
def db_seed(args) -> int:
    bmstui.open_database(create=True)
    bmstui.create_schema()
    report, seconds = seed_with_progress(scale=args.scale, days=args.days)
    console.print(
        f"Added {report.cities} cities, {report.theaters} theaters, {report.screens} screens, "
        f"{report.seats} seats, {report.movies} movies, {report.shows} shows, "
        f"{report.show_seats:,} show seats in {seconds:.1f} s"
    )
    print_demo_operators(report)
    return 0


def print_demo_operators(report) -> None:
    """The demo operators' passwords exist only in this output: they are stored hashed."""
    if not report.operators:
        return
    table = Table(title="Demo operators (shown once: note the passwords now)",
                  title_justify="left")
    for column in ("Operator", "Role", "Password"):
        table.add_column(column)
    for name, role, password in report.operators:
        table.add_row(name, role, password)
    console.print(table)


@command("doctor")
def doctor(args) -> int:
    from bmstui.db import database, db_now, is_mysql
    from bmstui.schema import schema_missing

    settings = get_settings()
    url = settings.resolved_database_url
    checks = Table(show_header=False, box=None, padding=(0, 2))
    checks.add_row("config", settings.source)
    checks.add_row("terminal", settings.terminal)
    checks.add_row("database", mask_url(url))
    from bmstui.logs import log_file

    checks.add_row("log file", Text(str(log_file(settings)), overflow="fold"))  # whole
    bmstui.open_database()  # raises the one-line DatabaseUnavailable when unreachable
    problems = []
    with database.connection_context():
        if is_mysql():
            version = database.execute_sql("SELECT VERSION()").fetchone()[0]
        else:
            version = "SQLite " + database.execute_sql("SELECT sqlite_version()").fetchone()[0]
        checks.add_row("reachable", f"yes ({version})")
        before = time.time()
        server_now = db_now()
        after = time.time()
    local_now = datetime.fromtimestamp((before + after) / 2, timezone.utc).replace(tzinfo=None)
    offset = (server_now - local_now).total_seconds()
    checks.add_row("clock offset", f"{offset:+.3f} s (database minus this machine)")
    if abs(offset) > 5:
        problems.append(
            "this machine's clock is off by more than 5 s; holds still expire correctly "
            "(the database clock decides) but countdowns shown here may look odd"
        )
    missing = schema_missing()
    if missing:
        checks.add_row("schema", f"missing {len(missing)} tables: {', '.join(missing[:5])}…")
        problems.append("schema incomplete: run `bmstui db init`")
    else:
        from bmstui.models import Show, ShowSeat

        with database.connection_context():
            shows = Show.select().count()
            seats = ShowSeat.select().count()
        checks.add_row("schema", f"present ({shows} shows, {seats:,} show seats)")
    console.print(checks)
    if problems:
        for problem in problems:
            console.print(f"[yellow]![/] {problem}")
        console.print("[bold yellow]Verdict: usable, with warnings above[/]")
        return 1 if missing else 0
    console.print("[bold green]Verdict: healthy[/]")
    return 0


@command("sweep")
def sweep(args) -> int:
    from bmstui.services import seating

    bmstui.open_database()
    while True:
        freed = seating.sweep()
        console.print(f"{datetime.now():%H:%M:%S} freed {freed} expired held seats")
        if not args.every:
            return 0
        time.sleep(args.every)
