"""``bmstui show ...`` and ``bmstui audit``: scheduling and the audit trail from the command line."""

from __future__ import annotations


def add_parsers(sub, common) -> None:
    """Filled in as the commands arrive."""
