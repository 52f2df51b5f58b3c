"""``bmstui operator add|list``: the people allowed at the counters.

The password is asked for twice without echo on a terminal; piped in (one line on stdin) for
scripts. It is stored only as a salted scrypt hash.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from rich.console import Console
from rich.table import Table

import bmstui
from bmstui.cli import command
from bmstui.errors import BookingError
from bmstui.models import ROLES

console = Console()


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    operator = sub.add_parser("operator", parents=[common], help="add or list operators")
    operator_sub = operator.add_subparsers(dest="operator_command", metavar="ACTION",
                                           required=True)
    add = operator_sub.add_parser("add", parents=[common],
                                  help="add an operator (asks for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="cashier")
    operator_sub.add_parser("list", parents=[common], help="operators and their roles")


def _ask_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise BookingError("The two passwords differ; nothing was changed")
    return first


@command("operator add")
def operator_add(args) -> int:
    from bmstui.services import operators

    bmstui.open_database()
    made = operators.add(args.name, _ask_password(), role=args.role)
    console.print(f"Operator {made.name} added as {made.role}", highlight=False)
    return 0


@command("operator list")
def operator_list(args) -> int:
    from bmstui.services import operators

    bmstui.open_database()
    table = Table()
    for column in ("Operator", "Role", "Active"):
        table.add_column(column)
    for info in operators.operators():
        table.add_row(info.name, info.role, "yes" if info.active else "no")
    console.print(table)
    return 0
