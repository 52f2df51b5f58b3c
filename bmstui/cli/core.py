"""The bodies of the ``bmstui`` subcommands (argument parsing lives in bmstui.cli.entry)."""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

from rich.console import Console
from rich.table import Table
from rich.text import Text

import bmstui
from bmstui.bench.common import seed_with_progress
from bmstui.cli.registry import command
from bmstui.config import get_settings, mask_url
from bmstui.domain.errors import DatabaseUnavailable

console = Console()


def ensure_ready_for_tui() -> None:
    """Quick start: an empty *default* (embedded) database gets the schema and demo catalog.

    A configured server database is never seeded behind anyone's back; it gets a hint instead.
    """
    from bmstui.store.migrations import pending, version_behind
    from bmstui.store.schema import schema_missing

    settings = get_settings()
    bmstui.open_database()
    missing = schema_missing()
    if not missing:
        todo = pending()
        if todo and settings.database_url:  # a shared server: upgraded on purpose, once
            raise DatabaseUnavailable(
                mask_url(settings.resolved_database_url),
                f"the schema is older than this version ({'; '.join(todo[:3])})",
                "run `bmstui db init` once, from one machine, to bring it up to date")
        if todo or (not settings.database_url and version_behind()):
            bmstui.create_schema()  # this machine's own embedded file: up to date now
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
    if report.operators:
        _wipe_passwords_from_screen()


PASSWORD_HINT = ("The demo passwords are not shown again; to give an operator a new one: "
                 "bmstui operator password NAME")


def _wipe_passwords_from_screen() -> None:
    """Once noted, the passwords leave the screen and the scrollback: a counter's terminal stays
    open after the box office quits, for the next person to scroll back through. Without a
    terminal to type in (a script, CI) nobody could press enter, so nothing waits."""
    if sys.stdin.isatty():
        input("Note the passwords, then press enter to open the box office… ")
        if console.is_terminal and not console.legacy_windows:
            console.clear()  # the screen first: some terminals push a cleared screen into
            console.file.write("\x1b[3J")  # the scrollback, which this then empties
            console.file.flush()
    console.print(PASSWORD_HINT, markup=False, highlight=False, soft_wrap=True)


@command("tui")
def run_tui(args) -> int:
    ensure_ready_for_tui()
    from screens.app import BoxOfficeApp
    from screens.exit_path import run_counter

    # SIGTERM/SIGHUP end it like ctrl+q; however it ends, its hold is released.
    return run_counter(BoxOfficeApp(settings=get_settings(), handle_signals=True))


@command("db init")
def db_init(args) -> int:
    bmstui.open_database(create=True)
    report = bmstui.create_schema()
    console.print(report.summary(), markup=False, highlight=False)
    for change in report.changes:
        console.print(f"  {change}", markup=False, highlight=False)
    console.print(f"Schema ready in {_where(get_settings().resolved_database_url)}",
                  markup=False, highlight=False)
    return 0


def _where(url: str) -> str:
    """A SQLite URL as the absolute file it opens (a relative one depends on the folder the
    command ran in); a server URL masked."""
    from bmstui.store.db import sqlite_file

    path = sqlite_file(url)
    return f"{path} (sqlite)" if path is not None else mask_url(url)


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


def _zone_rows(checks: Table, settings, problems: list[str], most: int = 20) -> None:
    """The chain's default time zone and each theater's (times are shown in these)."""
    from bmstui.domain.clock import default_zone_name
    from bmstui.domain.errors import BookingError
    from bmstui.services.zones import resolve, stored_by_theater

    chain = default_zone_name()
    checks.add_row("time zone", f"{chain} (chain default, from "
                   f"{'cinema.timezone' if settings.timezone else 'this machine'})")
    theaters = stored_by_theater()
    for city, name, stored in theaters[:most]:
        try:
            shown = resolve(stored) + ("" if stored else " (chain default)")
        except BookingError as exc:  # a zone this machine does not know: said, not a crash
            shown = f"unknown {stored!r}"
            problems.append(f"theater {name}: {exc}")
        checks.add_row("", f"{city} / {name}: {shown}")
    if len(theaters) > most:
        checks.add_row("", f"… and {len(theaters) - most} more theaters")


@command("doctor")
def doctor(args) -> int:
    from bmstui.store.db import database, db_now, is_mysql, sqlite_file
    from bmstui.store.schema import schema_missing

    settings = get_settings()
    url = settings.resolved_database_url
    checks = Table(show_header=False, box=None, padding=(0, 2))
    checks.add_row("config", settings.source)
    checks.add_row("terminal", settings.terminal)
    checks.add_row("database", mask_url(url))
    if sqlite_file(url) is not None:  # the URL may be relative: say which file it means
        checks.add_row("database file", Text(str(sqlite_file(url)), overflow="fold"))
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
        from bmstui.services.catalog import show_totals

        shows, seats = show_totals()
        checks.add_row("schema", f"present, {_version_words()} ({shows} shows, "
                                 f"{seats:,} show seats)")
        _zone_rows(checks, settings, problems)
    console.print(checks)
    if problems:
        for problem in problems:
            console.print(f"[yellow]![/] {problem}")
        console.print("[bold yellow]Verdict: usable, with warnings above[/]")
        return 1 if missing else 0
    console.print("[bold green]Verdict: healthy[/]")
    return 0


def _version_words() -> str:
    from bmstui.store.migrations import current_version, latest_version

    found, latest = current_version(), latest_version()
    if found is not None and found < latest:
        return f"version {found} (this release: {latest}; `bmstui db init` upgrades it)"
    return f"version {found}"


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
