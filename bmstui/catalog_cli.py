"""``bmstui catalog import FILE``: cities, theaters and screens from a data/-format file."""

from __future__ import annotations


def add_parsers(sub, common) -> None:
    """Filled in as the commands arrive."""
