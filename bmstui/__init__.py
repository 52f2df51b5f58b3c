"""bmstui: a box-office terminal for cinemas.

The scripting API (a contract; later versions extend it, never rename it)::

    import bmstui
    bmstui.open_database()        # or open_database("mysql://user:pass@host:3306/bmstui")
    bmstui.create_schema()        # idempotent
    bmstui.load_demo_data()       # idempotent
    from bmstui.services import catalog, seating, sales
    admin = bmstui.administrator()   # the actor of a script's manager actions and refunds

Manager actions and anything that gives money back need a named actor: a signed-in operator
or ``administrator()``; ``operator=None`` is nobody and raises ``NotAuthorized``.

This package never imports textual; the UI lives in the ``screens`` package.
"""

from __future__ import annotations

__version__ = "0.1.0"

from bmstui import moved as _moved  # noqa: E402  (old import paths of moved modules)

_moved.install()

__all__ = ["open_database", "create_schema", "load_demo_data", "administrator", "__version__"]


def open_database(url: str | None = None, *, create: bool = False):
    """Bind the models to ``url`` (None = the configured database); returns the peewee database."""
    from bmstui.store.schema import open_database as _open

    return _open(url, create=create)


def create_schema():
    """Create the tables and indexes that are missing and bring an older schema up to this
    release's version (idempotent); returns a report of what it did (``.summary()``)."""
    from bmstui.store.schema import create_schema as _create

    return _create()


def load_demo_data(**options):
    """Load the demo catalog of ``data/`` (idempotent); returns a SeedReport of what was added."""
    from bmstui.store.seeding import load_demo_data as _load

    return _load(**options)


def administrator(name: str | None = None):
    """The administrator principal of scripts and the command line: accepted wherever
    ``operator=`` or ``by=`` is, with every right; audited as ``admin:<name>@<host>`` (``name``
    defaults to the OS user)."""
    from bmstui.domain.actors import administrator as _administrator

    return _administrator(name)
