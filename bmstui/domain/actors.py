"""Who acts: the explicit administrator principal of scripts and the command line.

Nothing in bmstui is allowed because an argument was left out: a manager action or one that
gives money back needs a signed-in operator or this principal, asked for by name
(``bmstui.administrator()``), so a script's rights are visible in its code and in the audit
trail (``admin:<name>@<host>``). This module is pure: no database, no UI.
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass

ADMIN_PREFIX = "admin:"


@dataclass(frozen=True)
class Administrator:
    """The person running a script or the command line, with every right.

    It has no operator row (``id`` is None); its audit rows carry ``label`` instead."""

    name: str
    host: str

    id = None
    role = "administrator"
    active = True
    is_manager = True

    @property
    def label(self) -> str:
        return f"{ADMIN_PREFIX}{self.name}@{self.host}"[:120]

    def __str__(self) -> str:
        return self.label


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers) and no LOGNAME/USER: still a name
        return os.environ.get("USER") or "unknown"


def _plain(text: object, most: int) -> str:
    """One short line: control characters and spaces become '_' (it is an audit name)."""
    cleaned = "".join(ch if ch.isprintable() and not ch.isspace() else "_" for ch in str(text))
    return cleaned.strip("_")[:most]


def administrator(name: str | None = None) -> Administrator:
    """The administrator principal: ``name`` (default: the OS user) at this host."""
    from bmstui.domain.errors import BookingError

    if name is not None and not isinstance(name, str):
        raise BookingError("An administrator's name is text, e.g. administrator('ops')")
    who = _plain(name if name is not None else _os_user(), 60)
    if not who:
        raise BookingError("An administrator needs a name (letters, digits, . - _)")
    return Administrator(who, _plain(socket.gethostname(), 60) or "localhost")


def is_administrator(actor: object) -> bool:
    return isinstance(actor, Administrator)


CHANNEL_PREFIX = "channel:"
SCOPES = ("read", "sell", "cancel")


@dataclass(frozen=True)
class OnlineChannel:
    """A website or app selling through the REST API with its own key (``bmstui channel``).

    Like the administrator it has no operator row; unlike it, it has no manager right: it holds
    and sells like a counter without an operator, and cancels within the policy. Its audit rows
    carry ``label``; its holds and bookings carry ``terminal`` where a counter's name goes."""

    name: str
    scopes: frozenset[str] = frozenset(SCOPES)

    id = None
    role = "channel"
    active = True
    is_manager = False

    @property
    def label(self) -> str:
        return f"{CHANNEL_PREFIX}{self.name}"[:120]

    @property
    def terminal(self) -> str:
        """What a hold or a booking records as its counter: "online:<name>"."""
        return f"online:{self.name}"[:60]

    def __str__(self) -> str:
        return self.label


def is_channel(actor: object) -> bool:
    return isinstance(actor, OnlineChannel)
