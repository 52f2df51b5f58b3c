"""``bmstui operator add|list|enable|disable|role|password``: the people at the counters.

The password is asked for twice without echo on a terminal; piped in (one line on stdin) for
scripts. It is stored only as a salted scrypt hash. These commands act as the database's
administrator (no sign-in), under the same rules the TUI's manager screens obey: the last
active manager cannot be disabled or demoted.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from rich.console import Console
from rich.table import Table

import bmstui
from bmstui.cli.registry import command
from bmstui.domain.actors import administrator
from bmstui.domain.errors import BookingError
from bmstui.domain.vocabulary import ROLES

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
    for action, text in (("enable", "let an operator sign in again"),
                         ("disable", "stop an operator from signing in")):
        operator_sub.add_parser(action, parents=[common], help=text).add_argument("name")
    role = operator_sub.add_parser("role", parents=[common], help="change an operator's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    password = operator_sub.add_parser(
        "password", parents=[common],
        help="set a new password (asks for it) and lift a lockout")
    password.add_argument("name")


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
    made = operators.add(args.name, _ask_password(), role=args.role,
                         by=administrator())
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


@command("operator enable")
@command("operator disable")
def operator_enable(args) -> int:
    from bmstui.services import operators

    bmstui.open_database()
    info = operators.set_active(args.name, args.operator_command == "enable", by=administrator())
    console.print(f"Operator {info.name} is {'enabled' if info.active else 'disabled'}",
                  highlight=False)
    return 0


@command("operator role")
def operator_role(args) -> int:
    from bmstui.services import operators

    bmstui.open_database()
    info = operators.set_role(args.name, args.role, by=administrator())
    console.print(f"Operator {info.name} is a {info.role}", highlight=False)
    return 0


@command("operator password")
def operator_password(args) -> int:
    from bmstui.services import operators

    bmstui.open_database()
    operators.get(args.name)  # say "no such operator" before asking for a password
    info = operators.reset_password(args.name, _ask_password(), by=administrator())
    console.print(f"New password set for {info.name}; any lockout is lifted", highlight=False)
    return 0
