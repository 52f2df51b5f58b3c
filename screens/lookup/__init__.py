"""Finding a booking and what follows from it: cancel seats, refund money."""

from __future__ import annotations


def __getattr__(name: str):
    import importlib

    try:
        return getattr(importlib.import_module("screens.lookup.find"), name)
    except AttributeError:
        raise AttributeError(f"module 'screens.lookup' has no attribute {name!r}") from None
