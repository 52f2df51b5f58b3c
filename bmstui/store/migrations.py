"""Bringing a database made by an earlier version up to today's models, in place.

``create_schema`` makes what is missing; this module changes what is there: columns added by a
later version (each new column has a default, so adding it is safe on a live system), and, on
SQLite, ids that must never be reused (tables rebuilt with AUTOINCREMENT, rows and ids kept).
Every step is idempotent: it looks before it acts.
"""

from __future__ import annotations

import re

from playhouse.migrate import SchemaMigrator, migrate

from bmstui.store.db import database, is_mysql
from bmstui.store.models import ALL_MODELS, StableIdField


def upgrade() -> list[str]:
    """Apply what this database lacks; returns one line per change made."""
    done = _add_missing_columns()
    if not is_mysql():
        done += _sqlite_never_reuse_ids()
    return done


def pending() -> list[str]:
    """What ``upgrade`` would change (nothing is changed): an app started on an older
    database must say so instead of failing at its first audit row."""
    with database.connection_context():
        todo = [f"add {table}.{field.column_name}" for table, field in _missing_columns()]
        if not is_mysql():
            todo += [f"{table}: ids never reused" for table, _ in _tables_reusing_ids()]
    return todo


def _missing_columns() -> list[tuple[str, object]]:
    present_tables = set(database.get_tables())
    missing = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        if table not in present_tables:
            continue
        present = {column.name for column in database.get_columns(table)}
        missing += [(table, field) for field in model._meta.sorted_fields
                    if field.column_name not in present]
    return missing


def _add_missing_columns() -> list[str]:
    migrator = SchemaMigrator.from_database(database.obj)
    done = []
    for table, field in _missing_columns():
        migrate(migrator.add_column(table, field.column_name, field))
        done.append(f"added {table}.{field.column_name}")
    return done


_ID_COLUMN = re.compile(r'("id"\s+INTEGER\s+NOT\s+NULL\s+PRIMARY\s+KEY)(?!\s+AUTOINCREMENT)', re.I)


def _sqlite_never_reuse_ids() -> list[str]:
    """Rebuild tables whose integer id lacks AUTOINCREMENT (SQLite's documented way to change
    a table: new table, copy, drop, rename, indexes again), all in one transaction."""
    to_fix = _tables_reusing_ids()
    if not to_fix:
        return []
    database.execute_sql("PRAGMA foreign_keys = OFF")  # outside a transaction, or it is ignored
    try:
        with database.atomic():
            for table, create in to_fix:
                _rebuild(table, create)
            problems = database.execute_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:3]}")
    finally:
        database.execute_sql("PRAGMA foreign_keys = ON")
    return [f"{table}: ids never reused (AUTOINCREMENT)" for table, _ in to_fix]


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


def _rebuild(table: str, create: str) -> None:
    indexes = [sql for (sql,) in database.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL", [table])]
    temporary = f"{table}__rebuild"
    head = re.match(r'\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?("[^"]+"|\S+)', create, re.I)
    new = f'CREATE TABLE "{temporary}"' + create[head.end():]
    database.execute_sql(_ID_COLUMN.sub(r"\1 AUTOINCREMENT", new, count=1))
    database.execute_sql(f'INSERT INTO "{temporary}" SELECT * FROM "{table}"')
    database.execute_sql(f'DROP TABLE "{table}"')
    database.execute_sql(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for sql in indexes:
        database.execute_sql(sql)
