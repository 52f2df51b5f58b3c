"""What a database fault looks like, for callers that must not know the database driver.

The screens and the command line tell a clerk "the database cannot be reached" and exit with
the set-up code on these; they name them from here so only the services and the store import
peewee. A refusal (``BmstuiError``) is not one of them: it is said in its own words.
"""

from __future__ import annotations

import peewee as pw

# The driver's "could not talk to the database" errors (a dropped or refused connection, a
# locked SQLite file, a server gone away), as peewee raises them for either backend.
DATABASE_FAULTS: tuple[type[BaseException], ...] = (pw.OperationalError, pw.InterfaceError)


def is_database_fault(exc: BaseException) -> bool:
    """Whether ``exc`` means the database could not be reached or used, not a refusal or a
    bug."""
    return isinstance(exc, DATABASE_FAULTS)
