"""The command registry: each command group registers its functions here by name.

The groups import this module, never the parser's module, so the parser can import every group
without an import cycle.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

EXIT_REFUSED = 1
EXIT_SETUP = 2

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}
# Commands with actions ("bmstui db seed"): registered as "db seed"; args.<group>_command.
GROUPS = ("db", "bench", "pricing", "coupon", "operator", "report", "catalog", "show", "audit",
          "channel")



def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn

    return register
