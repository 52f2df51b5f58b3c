"""The ``bmstui`` command line: ``entry`` builds the parser and runs a command, each command
group is a module of its own (``core``, ``money``, ``operators``, ``reports``, ``catalog``,
``admin``) registered in ``registry``.

``bmstui.cli.main`` is the console script's entry point; the other names of the old
``bmstui.cli`` module are found here too.
"""

from __future__ import annotations


def main(argv=None) -> int:
    from bmstui.cli.entry import main as _main

    return _main(argv)


def __getattr__(name: str):
    import importlib

    try:
        return getattr(importlib.import_module("bmstui.cli.entry"), name)
    except AttributeError:
        raise AttributeError(f"module 'bmstui.cli' has no attribute {name!r}") from None
