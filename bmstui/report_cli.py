"""``bmstui report shift|occupancy|sales``: the manager's figures on the command line."""

from __future__ import annotations


def add_parsers(sub, common) -> None:
    """Filled in as the commands arrive."""
