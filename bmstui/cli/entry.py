"""The ``bmstui`` command: the TUI by default, plus database, maintenance and bench commands.

Every failure a user can cause (bad config, unreachable database, a refused action) ends in one
line on stderr naming the masked URL, and a non-zero exit code: 2 for configuration and database
problems, 1 for refused actions. Tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bmstui.bench.seed import add_bench_parser
from bmstui.cli import admin as admin_cli
from bmstui.cli import catalog as catalog_cli
from bmstui.cli import channels as channel_cli
from bmstui.cli import core as _core  # noqa: F401  (registers db, doctor, sweep, tui)
from bmstui.cli import money as money_cli
from bmstui.cli import operators as operator_cli
from bmstui.cli import reports as report_cli
from bmstui.cli import serve as serve_cli
from bmstui.cli.registry import COMMANDS, EXIT_REFUSED, EXIT_SETUP, GROUPS
from bmstui.config import get_settings, load_settings, mask_url, use_settings
from bmstui.domain.errors import BmstuiError, BookingError, ConfigError, DatabaseUnavailable
from bmstui.services.faults import DATABASE_FAULTS

log = logging.getLogger("bmstui.cli")

def _common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", metavar="FILE", default=default, help="bmstui.toml to read")
    parser.add_argument(
        "--database-url", "--db", dest="database_url", metavar="URL", default=default,
        help="sqlite:///path or mysql://user:pass@host:port/db",
    )
    parser.add_argument("--terminal", metavar="NAME", default=default, help="this counter's name")
    parser.add_argument(
        "--locking", choices=("conditional", "pessimistic"), default=default,
        help="seat locking strategy",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bmstui", description="Box-office terminal for cinemas. Without a command: the TUI."
    )
    _common_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"bmstui {_version()}")
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("tui", parents=[common], help="start the box-office TUI (the default)")

    db = sub.add_parser("db", parents=[common], help="create the schema, load the demo catalog")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("init", parents=[common], help="create the database and tables (idempotent)")
    seed = db_sub.add_parser("seed", parents=[common], help="load the demo catalog (idempotent)")
    seed.add_argument("--scale", type=int, default=1, help="copies of the chain (load tests)")
    seed.add_argument("--days", type=int, default=None, help="days of shows from today (7)")

    sub.add_parser("doctor", parents=[common], help="check the configured database")

    sweep = sub.add_parser("sweep", parents=[common], help="free seats of expired holds")
    sweep.add_argument("--every", type=float, metavar="SECONDS", help="repeat until interrupted")

    add_bench_parser(sub, common)
    money_cli.add_parsers(sub, common)
    operator_cli.add_parsers(sub, common)
    report_cli.add_parsers(sub, common)
    catalog_cli.add_parsers(sub, common)
    admin_cli.add_parsers(sub, common)
    channel_cli.add_parsers(sub, common)
    serve_cli.add_parser(sub, common)
    return parser


def _version() -> str:
    from bmstui import __version__

    return __version__


def _settings_from(args: argparse.Namespace):
    overrides = {
        "database_url": getattr(args, "database_url", None),
        "terminal": getattr(args, "terminal", None),
        "locking": getattr(args, "locking", None),
    }
    settings = load_settings(config=getattr(args, "config", None), overrides=overrides)
    use_settings(settings)
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    name = args.command or "tui"
    if name in GROUPS:
        name = f"{name} {getattr(args, name + '_command')}"
    try:
        settings = _settings_from(args)
        from bmstui import logs

        logs.setup(settings)
        log.info("bmstui %s %s started (database %s, terminal %s)", name, _version(),
                 mask_url(settings.resolved_database_url), settings.terminal)
        return COMMANDS[name](args) or 0
    except (ConfigError, DatabaseUnavailable) as exc:
        print(f"bmstui: {exc}", file=sys.stderr)
        return EXIT_SETUP
    except BookingError as exc:
        print(f"bmstui: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except DATABASE_FAULTS as exc:
        from bmstui.store.schema import explain_failure

        print(f"bmstui: {explain_failure(get_settings().resolved_database_url, exc)}",
              file=sys.stderr)
        return EXIT_SETUP
    except BmstuiError as exc:
        print(f"bmstui: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("bmstui %s failed unexpectedly", name)  # the traceback, in the log too
        raise
