"""A store with its schema made and no data, quickly: most store tests need one, and running
every migration for each of them cost more CPU than the tests themselves.

SQLite: a copy of one store migrated per session. PostgreSQL: the worker's database, left by
the last test at the head revision, emptied in one TRUNCATE and given back the rows the
migrations themselves write; a database whose schema is not exactly the one a migration makes
(a test took it elsewhere) is reset and migrated instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, MetaData, Table, create_engine, insert, text

from bot.store.db import SCHEMA_HEAD, open_store
from tests.support.postgres import reset_postgres
from tests.support.shared import built_once

_STORE = "store.sqlite3"
# What a freshly migrated PostgreSQL database holds, once this process has made one: its
# schema's description and the rows the migrations wrote (table → rows).
_made: tuple[tuple[Any, ...], list[tuple[Table, list[dict[str, Any]]]]] | None = None


def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory, target: Path) -> None:
    """A migrated, empty SQLite store at `target`: a copy of the session's."""

    def build(folder: Path) -> None:
        open_store(f"sqlite:///{folder / _STORE}").dispose()

    shutil.copyfile(built_once(tmp_path_factory, "migrated-sqlite", build) / _STORE, target)


def migrated_postgres(url: str) -> None:
    """The database at `url` as a first open leaves it: the schema at head, only the
    migrations' own rows."""
    global _made
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if _made is not None and _schema(connection) == _made[0]:
                _empty(connection, _made[1])
                return
        reset_postgres(url)
        open_store(url).dispose()
        with engine.connect() as connection:
            _made = (_schema(connection), _rows(connection))
    finally:
        engine.dispose()


def _schema(connection: Connection) -> tuple[Any, ...]:
    """The revision, the columns, indexes and triggers of the public schema."""
    queries = (
        "SELECT table_name, column_name, data_type, is_nullable, column_default"
        " FROM information_schema.columns WHERE table_schema = 'public'",
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
        "SELECT event_object_table, trigger_name, event_manipulation"
        " FROM information_schema.triggers WHERE trigger_schema = 'public'",
    )
    described = tuple(sorted(tuple(row) for row in connection.execute(text(q))) for q in queries)
    tables = {row[0] for row in described[0]}
    version = (
        connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if "alembic_version" in tables
        else None
    )
    return (version == SCHEMA_HEAD, *map(tuple, described))


def _rows(connection: Connection) -> list[tuple[Table, list[dict[str, Any]]]]:
    """The tables the migrations wrote rows into, with those rows."""
    metadata = MetaData()
    metadata.reflect(connection)
    rows = [
        (table, [dict(row._mapping) for row in connection.execute(table.select())])
        for name, table in metadata.tables.items()
        if name != "alembic_version"
    ]
    return [(table, found) for table, found in rows if found]


def _empty(connection: Connection, seeded: list[tuple[Table, list[dict[str, Any]]]]) -> None:
    names = connection.execute(
        text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'alembic_version'"
        )
    ).scalars()
    listed = ", ".join(f'"{name}"' for name in names)
    connection.execute(text(f"TRUNCATE {listed} RESTART IDENTITY CASCADE"))
    for table, rows in seeded:
        connection.execute(insert(table), rows)
