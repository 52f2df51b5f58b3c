"""Opening the configured database and creating the schema (both idempotent)."""

from __future__ import annotations

import peewee

from bmstui.config import get_settings, mask_url
from bmstui.domain.errors import ConnectionLost, DatabaseUnavailable
from bmstui.store.db import database, is_mysql, make_database, mysql_error_code
from bmstui.store.migrations import SchemaReport, bring_up_to_date
from bmstui.store.models import ALL_MODELS, MYSQL_TABLE_SETTINGS

_HINTS = {
    2003: "is the MariaDB/MySQL server running and reachable? check database.url or BMSTUI_DATABASE_URL",
    2005: "unknown host name; check DB_HOST / database.url",
    1045: "wrong user or password; set DB_USER / DB_PASSWORD (in .env, not bmstui.toml)",
    1044: "this user may not use that database; GRANT ALL ON bmstui.* to it",
    1049: "the database does not exist yet; run `bmstui db init` to create it",
}


def explain_failure(url: str, exc: BaseException) -> DatabaseUnavailable:
    """Turn a driver exception into a one-line, password-free DatabaseUnavailable."""
    if isinstance(exc, ConnectionLost) and exc.__cause__ is not None:
        exc = exc.__cause__  # the driver's own words say why (refused, unknown host...)
    code = mysql_error_code(exc)
    reason = str(exc.args[1] if len(getattr(exc, "args", ())) > 1 else exc)
    inner = exc.args[0] if getattr(exc, "args", None) else None
    if isinstance(inner, BaseException):
        inner_args = getattr(inner, "args", ())
        reason = str(inner_args[1] if len(inner_args) > 1 else inner)
    reason = reason.splitlines()[0] if reason else type(exc).__name__
    hint = _HINTS.get(code, "")
    if not hint and url.startswith("sqlite"):
        hint = "check that the file's folder exists and is writable"
    return DatabaseUnavailable(mask_url(url), reason, hint)


def _create_mysql_database(url: str, name: str) -> None:
    server = make_database(url.rsplit("/", 1)[0] + "/mysql")
    try:
        server.connect()
        server.execute_sql(
            f"CREATE DATABASE IF NOT EXISTS `{name}` "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    finally:
        server.close_all()


def open_database(url: str | None = None, *, create: bool = False) -> peewee.Database:
    """Bind every model to ``url`` (None = the configured database) and check it answers.

    With ``create=True`` a missing MySQL database is created first (``bmstui db init``).
    Raises DatabaseUnavailable with a masked URL and a hint instead of a driver traceback.
    """
    settings = get_settings()
    url = url or settings.resolved_database_url
    db = make_database(url, pool_size=settings.pool_size)
    try:
        db.connect()
    except (peewee.DatabaseError, peewee.InterfaceError, OSError, ConnectionLost) as exc:
        if create and mysql_error_code(exc) == 1049:
            try:
                _create_mysql_database(url, db.database)
                db.connect()
            except (peewee.DatabaseError, peewee.InterfaceError, OSError, ConnectionLost) as again:
                raise explain_failure(url, again) from None
        else:
            raise explain_failure(url, exc) from None
    db.close()
    old = database.obj
    if old is not None and old is not db and hasattr(old, "close_all"):
        old.close_all()
    database.initialize(db)
    return db


def create_schema() -> SchemaReport:
    """Make a new database at the latest schema version, or bring one made by an earlier
    release up to it (``bmstui.store.migrations``), then add any table or index still missing;
    safe to run again and on a live system. Returns what it did."""
    settings = MYSQL_TABLE_SETTINGS if is_mysql() else []
    for model in ALL_MODELS:
        model._meta.table_settings = settings
    return bring_up_to_date(lambda: database.create_tables(ALL_MODELS, safe=True))


def schema_missing() -> list[str]:
    """Names of the tables that are not there (empty when the schema is complete)."""
    with database.connection_context():
        present = set(database.get_tables())
    return [m._meta.table_name for m in ALL_MODELS if m._meta.table_name not in present]
