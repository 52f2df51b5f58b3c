"""``bmstui bench ...``: commands that measure and print figures (never timed test
assertions). ``seed`` holds the group's parser; ``holds``, ``live``, ``terminals`` and ``ui``
one bench each; ``common`` what they share; ``grid_probe`` and ``startup_probe`` drive the
screens headless for ``bench ui``.
"""

from __future__ import annotations


def __getattr__(name: str):
    import importlib

    try:
        return getattr(importlib.import_module("bmstui.bench.seed"), name)
    except AttributeError:
        raise AttributeError(f"module 'bmstui.bench' has no attribute {name!r}") from None
