"""The online channel: a REST API over the same services the counters use.

An interface beside the command line and the screens: it turns HTTP requests into service calls
and service answers (or refusals) into JSON, and holds no state of its own, so several ``bmstui
serve`` processes can share one database. FastAPI and uvicorn are the optional extra
``bmstui[api]``: a counter terminal does not need them, so nothing outside this package imports
it, and ``create_app`` is only imported from here when asked for.
"""

from __future__ import annotations


def create_app(settings=None):
    """The ASGI application (FastAPI), on the configured database."""
    from bmstui.api.app import create_app as create

    return create(settings)
