"""``bmstui channel add|list|revoke``: the keys of the online channel (``bmstui serve``).

The key is printed once, when the channel is added: only a hash of it is stored, so a lost key
is replaced (revoke, add again), never looked up. These commands act as the administrator.
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

import bmstui
from bmstui.cli.registry import command
from bmstui.domain.actors import SCOPES, administrator

console = Console()


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    channel = sub.add_parser("channel", parents=[common],
                             help="keys of the online channel (REST API)")
    channel_sub = channel.add_subparsers(dest="channel_command", metavar="ACTION", required=True)
    add = channel_sub.add_parser("add", parents=[common],
                                 help="add a channel and print its key (once)")
    add.add_argument("name", help="a-z 0-9 . _ - (e.g. website, app)")
    add.add_argument("--scopes", default=",".join(SCOPES),
                     help=f"what the key may do: some of {','.join(SCOPES)} (all)")
    channel_sub.add_parser("list", parents=[common], help="channels, their scopes and state")
    channel_sub.add_parser("revoke", parents=[common],
                           help="stop a channel's key at once").add_argument("name")


@command("channel add")
def channel_add(args) -> int:
    from bmstui.services import channels

    bmstui.open_database()
    info, key = channels.add(args.name, scopes=args.scopes, by=administrator())
    console.print(f"Channel {info.name} added ({', '.join(info.scopes)}). Its key, shown "
                  f"this once (only a hash is kept):", highlight=False)
    print(key)
    return 0


@command("channel list")
def channel_list(args) -> int:
    from bmstui.services import channels

    bmstui.open_database()
    table = Table()
    for column in ("Channel", "Key id", "Scopes", "State", "Added (UTC)"):
        table.add_column(column)
    for info in channels.channels():
        table.add_row(info.name, info.key_id, ",".join(info.scopes),
                      "active" if info.active else f"revoked {info.revoked_at:%Y-%m-%d %H:%M}",
                      f"{info.created_at:%Y-%m-%d %H:%M}")
    console.print(table)
    return 0


@command("channel revoke")
def channel_revoke(args) -> int:
    from bmstui.services import channels

    bmstui.open_database()
    info = channels.revoke(args.name, by=administrator())
    console.print(f"Channel {info.name}: key revoked", highlight=False)
    return 0
