"""Text that callers typed, made safe to store, search and print.

Pure functions: the services call them on every name, title, reason and search term before it
reaches SQL or a ticket.
"""

from __future__ import annotations

import re

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_text(value) -> str:
    """Text a caller typed, as the database can take it: lone surrogates (undecodable bytes
    read with ``surrogateescape``) become U+FFFD and NULs are dropped (SQLite's LIKE would end
    the pattern there and match everything)."""
    return _SURROGATES.sub("\ufffd", str(value)).replace("\x00", "")


def plain_text(value) -> str:
    """Free text to store and print later (a customer's name, a reason, a counter's name):
    ``clean_text`` on one line, control characters (escape sequences, backspaces) as spaces."""
    return " ".join(_CONTROLS.sub(" ", clean_text(value)).split())
