"""Numbered schema migrations: how a database made by an earlier release reaches today's tables.

``create_schema`` makes a new database straight at the latest version and records that. A
database that already holds tables is brought up here instead, step by step in order, and each
step is recorded in ``schema_version`` (version, name, when, UTC) so the next run starts where
this one ended. A database from before that table existed is taken to be at version 1, the
first release's tables.

Every step still looks before it acts (a column is added only if it is missing): an upgrade cut
short between a change and its record finishes cleanly next time, so does one racing another
where no lock exists (some Galera clusters refuse GET_LOCK), and a table taken back to an older
shape by hand (a restore, a test) is reported by ``pending`` and repaired by ``upgrade``.

A release that changes a table changes its model and appends a step to MIGRATIONS, written with
the column as that release defines it (a step never follows the model's later changes); released
steps are never renumbered or edited.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate

from bmstui.config import mask_url
from bmstui.domain.errors import DatabaseUnavailable
from bmstui.store.db import database, is_mysql, mysql_error_code
from bmstui.store.models import ALL_MODELS, MYSQL_TABLE_SETTINGS, SchemaVersion, StableIdField

# How long an upgrade waits for another one on the same database (a big table rebuild is slow).
UPGRADE_WAIT_SECONDS = 600
# One GET_LOCK wait; below the driver's read timeout, which would call a longer wait a lost server.
_LOCK_POLL_SECONDS = 20


@dataclass(frozen=True)
class Change:
    """One change a database still lacks: how ``pending`` and ``upgrade`` word it, and the
    playhouse.migrate operations that make it."""

    todo: str
    done: str
    operations: tuple
    # MySQL errors meaning another upgrader made this very change meanwhile (no lock on Galera).
    made_by_another: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    # What of this step the database still lacks; looks, changes nothing.
    look: Callable[[SchemaMigrator], list[Change]]


@dataclass(frozen=True)
class SchemaReport:
    """What ``create_schema`` (``bmstui db init``) did, in words for the operator."""

    created: bool  # a new database, made at the latest version
    before: int | None  # the version found (None: no tables yet)
    after: int
    applied: tuple[str, ...] = ()  # the migrations this run recorded, in order
    changes: tuple[str, ...] = ()  # one line per change made to the tables

    def summary(self) -> str:
        if self.created:
            return f"Schema created (version {self.after})"
        if self.before is not None and self.before > latest_version():
            return (f"Schema is at version {self.before}, newer than this release knows "
                    f"({latest_version()}); nothing was changed")
        if self.before != self.after:
            return (f"Schema upgraded from version {self.before} to {self.after}: "
                    f"{', '.join(self.applied)}")
        if self.changes:
            return f"Schema repaired at version {self.after}: {'; '.join(self.changes)}"
        return f"Schema up to date (version {self.after})"


# --- the steps -----------------------------------------------------------------------------------


def _baseline(migrator: SchemaMigrator) -> list[Change]:
    """The first release's tables: create_schema makes them, there is nothing to change."""
    return []


def _exact_price_factors(migrator: SchemaMigrator) -> list[Change]:
    """Show factors were DECIMAL(6,3); an exact product of five 3-decimal factors needs 15
    decimals. Widening keeps every value, so shows on sale keep their prices. SQLite stores
    decimals as given: nothing to do there."""
    if not is_mysql():
        return []
    scale = database.execute_sql(
        "SELECT NUMERIC_SCALE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME = 'show' AND COLUMN_NAME = 'price_factor'").fetchone()
    if not scale or scale[0] is None or scale[0] >= 15:
        return []
    factor = pw.DecimalField(max_digits=20, decimal_places=15, default=1)
    return [Change("widen show.price_factor", "widened show.price_factor to DECIMAL(20,15)",
                   (migrator.alter_column_type("show", "price_factor", factor),))]


def _add_column(migrator: SchemaMigrator, table: str, column: str, field: pw.Field) -> list[Change]:
    """Add ``column`` if ``table`` exists without it (a missing table is made whole by
    create_schema). Every added column has a default, so adding it is safe on a live system."""
    if table not in database.get_tables():
        return []
    if column in {c.name for c in database.get_columns(table)}:
        return []
    return [Change(f"add {table}.{column}", f"added {table}.{column}",
                   (migrator.add_column(table, column, field),),
                   made_by_another=frozenset({1060}))]  # duplicate column name


def _theater_time_zones(migrator: SchemaMigrator) -> list[Change]:
    """Each theater's IANA zone; "" = the chain's default zone."""
    return _add_column(migrator, "theater", "timezone", pw.CharField(max_length=64, default=""))


def _audit_actor(migrator: SchemaMigrator) -> list[Change]:
    """Who acted when no operator did: "admin:<name>@<host>"; "" = the operator."""
    return _add_column(migrator, "audit_event", "actor", pw.CharField(max_length=120, default=""))


_ID_COLUMN = re.compile(r'("id"\s+INTEGER\s+NOT\s+NULL\s+PRIMARY\s+KEY)(?!\s+AUTOINCREMENT)', re.I)


def _ids_never_reused(migrator: SchemaMigrator) -> list[Change]:
    """Counters cache show and seat ids, so an id once given must never be given again. SQLite
    reuses the largest free INTEGER PRIMARY KEY unless the table says AUTOINCREMENT, which only a
    rebuild can add (new table, copy, drop, rename, indexes again: SQLite's documented way; rows
    and ids kept). MariaDB's InnoDB never reuses AUTO_INCREMENT values (10.2.4+)."""
    if is_mysql():
        return []
    return [Change(f"{table}: ids never reused", f"{table}: ids never reused (AUTOINCREMENT)",
                   _rebuild_with_autoincrement(migrator, table, create))
            for table, create in _tables_reusing_ids()]


def _tables_reusing_ids() -> list[tuple[str, str]]:
    """(table, its CREATE statement) of the SQLite tables whose id lacks AUTOINCREMENT."""
    found = []
    for model in ALL_MODELS:
        if not isinstance(model._meta.primary_key, StableIdField):
            continue
        table = model._meta.table_name
        row = database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()
        if row and _ID_COLUMN.search(row[0]):
            found.append((table, row[0]))
    return found


def _rebuild_with_autoincrement(migrator: SchemaMigrator, table: str, create: str) -> tuple:
    indexes = [sql for (sql,) in database.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL", [table])]
    temporary = f"{table}__rebuild"
    head = re.match(r'\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?("[^"]+"|\S+)', create, re.I)
    new = f'CREATE TABLE "{temporary}"' + create[head.end():]
    return (migrator.sql(_ID_COLUMN.sub(r"\1 AUTOINCREMENT", new, count=1)),
            migrator.sql(f'INSERT INTO "{temporary}" SELECT * FROM "{table}"'),
            migrator.sql(f'DROP TABLE "{table}"'),
            migrator.sql(f'ALTER TABLE "{temporary}" RENAME TO "{table}"'),
            *(migrator.sql(sql) for sql in indexes))


def _online_channels(migrator: SchemaMigrator) -> list[Change]:
    """The online channel's keys (api_channel): a new table, which create_schema makes with
    every table still missing; this step records the release that has it."""
    return []


def _live_holds_index(migrator: SchemaMigrator) -> list[Change]:
    """An index on hold (terminal, state, expires_at): counting one channel's live holds read
    every hold it ever made (17 ms per online hold after a few thousand sales)."""
    if "hold" not in database.get_tables():
        return []
    wanted = ["terminal", "state", "expires_at"]
    if any(index.columns == wanted for index in database.get_indexes("hold")):
        return []
    return [Change("index hold (terminal, state, expires_at)",
                   "indexed hold (terminal, state, expires_at)",
                   (migrator.add_index("hold", tuple(wanted), False),),
                   made_by_another=frozenset({1061}))]  # duplicate key name


# In order; a step's number is its place here. Never renumber or edit a released step.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "baseline", _baseline),
    Migration(2, "exact show price factors", _exact_price_factors),
    Migration(3, "theater time zones", _theater_time_zones),
    Migration(4, "audit actor", _audit_actor),
    Migration(5, "ids never reused", _ids_never_reused),
    Migration(6, "online channels", _online_channels),
    Migration(7, "live holds index", _live_holds_index),
)
BASELINE = MIGRATIONS[0].version


def latest_version() -> int:
    return MIGRATIONS[-1].version


# --- asking --------------------------------------------------------------------------------------


def pending() -> list[str]:
    """What ``upgrade`` would change (nothing is changed): an app started on an older
    database must say so instead of failing at its first audit row."""
    with database.connection_context():
        migrator = SchemaMigrator.from_database(database.obj)
        return [change.todo for step in MIGRATIONS for change in step.look(migrator)]


def current_version() -> int | None:
    """The version this database is at: the one recorded, or the baseline for tables made
    before versions were recorded; None when it has none of our tables yet."""
    with database.connection_context():
        found = _recorded_version()
        if found is None and _our_tables():
            return BASELINE
        return found


def version_behind() -> bool:
    """The recorded version is older than this release's, even when the tables already have
    every change (``pending`` is empty): ``upgrade`` would record it."""
    found = current_version()
    return found is not None and found < latest_version()


def _recorded_version() -> int | None:
    if SchemaVersion._meta.table_name not in database.get_tables():
        return None
    return SchemaVersion.select(pw.fn.MAX(SchemaVersion.version)).scalar()


def _our_tables() -> set[str]:
    return set(database.get_tables()) & {m._meta.table_name for m in ALL_MODELS}


# --- changing ------------------------------------------------------------------------------------


def upgrade() -> list[str]:
    """Bring a database made by an earlier release up to this one; one line per change made
    (a database without our tables is left alone: ``create_schema`` makes it)."""
    with database.connection_context():
        if not _our_tables():
            return []
    return list(bring_up_to_date().changes)


def bring_up_to_date(create_tables: Callable[[], None] = lambda: None) -> SchemaReport:
    """The body of ``create_schema``: one upgrader at a time per database. A database without
    our tables gets them from ``create_tables`` and is recorded at the latest version; any
    other runs the steps in order, then ``create_tables`` adds what is still missing (tables of
    later releases, made whole from the models)."""
    with database.connection_context(), _one_upgrader():
        found = _recorded_version()
        existed = found is not None or bool(_our_tables())
        if not existed:
            create_tables()
            _create_version_table()
            _record(MIGRATIONS)
            return SchemaReport(created=True, before=None, after=latest_version())
        before = BASELINE if found is None else found
        _create_version_table()
        if found is None:
            _record(MIGRATIONS[:1])  # tables made before versions were recorded
        migrator = SchemaMigrator.from_database(database.obj)
        changes, applied = [], []
        for step in MIGRATIONS:
            for change in step.look(migrator):
                _make(change)
                changes.append(change.done)
            if step.version > before:
                _record([step])  # at once: a run cut short later resumes after this step
                applied.append(step.name)
        create_tables()
        return SchemaReport(created=False, before=before, after=max(before, latest_version()),
                            applied=tuple(applied), changes=tuple(changes))


def _make(change: Change) -> None:
    try:
        migrate(*change.operations)
    except pw.DatabaseError as exc:
        if mysql_error_code(exc) not in change.made_by_another:
            raise


def _create_version_table() -> None:
    SchemaVersion._meta.table_settings = MYSQL_TABLE_SETTINGS if is_mysql() else []
    SchemaVersion.create_table(safe=True)


def _record(steps: Sequence[Migration]) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [{"version": s.version, "name": s.name, "applied_at": now} for s in steps]
    SchemaVersion.insert_many(rows).on_conflict_ignore().execute()


@contextmanager
def _one_upgrader() -> Iterator[None]:
    """Two machines running ``bmstui db init`` at once must not both apply a step."""
    with (_mysql_named_lock() if is_mysql() else _sqlite_write_transaction()):
        yield


@contextmanager
def _mysql_named_lock() -> Iterator[None]:
    """MySQL's DDL commits as it goes, so no transaction can hold the others off: a named lock
    (GET_LOCK, per database) does, for as long as this session holds it."""
    name = "LEFT(CONCAT('bmstui_schema:', DATABASE()), 64)"
    held = _get_lock(name)
    try:
        yield
    finally:
        if held:
            database.execute_sql(f"SELECT RELEASE_LOCK({name})")


def _get_lock(name: str) -> bool:
    deadline = time.monotonic() + UPGRADE_WAIT_SECONDS
    while True:
        try:
            (got,) = database.execute_sql(
                f"SELECT GET_LOCK({name}, %s)", (_LOCK_POLL_SECONDS,)).fetchone()
        except pw.DatabaseError as exc:
            if mysql_error_code(exc) == 1235:  # a Galera node that refuses named locks:
                return False  # the cluster orders DDL itself, and every step looks first
            raise
        if got == 1:
            return True
        if time.monotonic() > deadline:
            raise DatabaseUnavailable(
                mask_url(getattr(database.obj, "bmstui_url", "")),
                f"another upgrade of this schema has been running for over "
                f"{UPGRADE_WAIT_SECONDS // 60} minutes",
                "let it finish, then run `bmstui db init` again")


@contextmanager
def _sqlite_write_transaction() -> Iterator[None]:
    """SQLite's DDL is transactional: the whole upgrade is one BEGIN IMMEDIATE transaction, so
    a second upgrader waits for the first and then finds nothing to do, and a failure leaves the
    file as it was. Foreign keys are off meanwhile (a rebuild drops the old table, which would
    cascade; the pragma only takes effect outside a transaction) and checked before the commit."""
    foreign_keys = database.pragma("foreign_keys")
    busy = database.pragma("busy_timeout")
    database.pragma("foreign_keys", 0)
    database.pragma("busy_timeout", UPGRADE_WAIT_SECONDS * 1000)
    try:
        with database.atomic():
            yield
            problems = database.execute_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign keys broken by the upgrade: {problems[:3]}")
    finally:
        database.pragma("foreign_keys", foreign_keys)
        database.pragma("busy_timeout", busy)
