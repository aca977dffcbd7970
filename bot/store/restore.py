"""Restoring a backup into an empty store, in one transaction: the store is migrated to the
backup's schema revision, the rows go in with their ids, then the schema is upgraded to this
lamplight's head (so a backup made by an older lamplight restores into a newer one), and on
PostgreSQL every id sequence moves past the restored ids. Anything wrong with the file is
found by reading it whole before the store is touched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Integer, MetaData, Table, func, inspect, select, text
from sqlalchemy.exc import DataError, IntegrityError

from bot.store.backup import backed_up_tables, holds_data, table_excluded
from bot.store.backup_format import BackupError, Header, check, rows_of
from bot.store.db import SCHEMA_HEAD, UPGRADE_LOCK_KEY, alembic_config, sqlite_file_lock

ROWS_PER_INSERT = 500


@dataclass(frozen=True)
class RestoreReport:
    schema: str  # the backup's schema revision
    created_at: dt.datetime
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def checked(path: Path) -> Header:
    """The header of the backup at `path`, read whole: BackupError if it is damaged,
    truncated, of a newer format or made at a schema revision this lamplight does not know."""
    header = check(path)
    _known_revision(path, header.schema)
    return header


def restore(engine: Engine, path: Path, header: Header | None = None) -> RestoreReport:
    """Load the backup at `path` (`header`: as `checked` read it) into the store, which must
    hold no data. Raises BackupError, having written nothing, for a damaged, truncated or newer
    file or a store with data."""
    header = header or checked(path)
    try:
        with sqlite_file_lock(engine), engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(:k)")
                connection.execute(lock, {"k": UPGRADE_LOCK_KEY})
            else:
                # pysqlite begins transactions only for writes: the migrations' DDL must be
                # inside this one too, so a failure leaves the schema as it was.
                connection.exec_driver_sql("BEGIN")
            _refuse_data(connection)
            _migrate(connection, header.schema)
            counts = _insert(connection, path, header)
            _migrate(connection, "head")
            if connection.dialect.name == "postgresql":
                _move_sequences(connection)
    except (IntegrityError, DataError) as exc:
        # Rows the header and trailer agree on, yet the store refuses (a child without its
        # parent, a value out of range): the file was edited or damaged inside its lines.
        raise BackupError(
            f"{path}: the store refuses its rows ({exc.orig.__class__.__name__}): the file is "
            "damaged; nothing was restored"
        ) from None
    return RestoreReport(schema=header.schema, created_at=header.created_at, rows=counts)


def _insert(connection: Connection, path: Path, header: Header) -> dict[str, int]:
    tables = _fitting_tables(connection, path, header)
    counts = dict.fromkeys(header.tables, 0)
    for name, batch in _batches(path, header):
        connection.execute(tables[name].insert(), batch)
        counts[name] += len(batch)
    return counts


def _known_revision(path: Path, revision: str) -> None:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        raise BackupError(
            f"{path}: made at schema revision {revision}, newer than this lamplight's "
            f"({SCHEMA_HEAD}): upgrade lamplight to restore it"
        ) from None


def _refuse_data(connection: Connection) -> None:
    held = holds_data(connection)
    if held:
        tables = ", ".join(f"{name} ({count})" for name, count in sorted(held.items()))
        raise BackupError(
            f"the store already holds data — {tables}: restore only into an empty store "
            "(a new SQLite file, an empty PostgreSQL database)"
        )


def _migrate(connection: Connection, revision: str) -> None:
    """The store's schema to `revision`, down (the store is empty) or up."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config(connection)
    current = MigrationContext.configure(connection).get_current_revision()
    if current == revision or (revision == "head" and current == SCHEMA_HEAD):
        return
    script = ScriptDirectory.from_config(config)
    below = current and revision != "head"
    if below and revision in {r.revision for r in script.iterate_revisions(current, "base")}:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)


def _fitting_tables(connection: Connection, path: Path, header: Header) -> dict[str, Table]:
    """The store's tables at the backup's revision; each table and column the header names
    must be there."""
    metadata = MetaData()
    names = [name for name in header.tables if not table_excluded(name)]
    # Only the tables the revision has: one it lacks is named below.
    metadata.reflect(connection, only=[n for n in names if inspect(connection).has_table(n)])
    for name, columns in header.tables.items():
        table = metadata.tables.get(name)
        if table is None or not set(columns) <= set(table.columns.keys()):
            raise BackupError(
                f"{path}: its table {name} does not fit schema revision {header.schema}: "
                "the file is damaged"
            )
    return dict(metadata.tables)


def _batches(path: Path, header: Header) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(table, rows) in the file's order, at most ROWS_PER_INSERT at a time."""
    table, batch = "", list[dict[str, Any]]()
    for name, row in rows_of(path, header):
        if batch and (name != table or len(batch) >= ROWS_PER_INSERT):
            yield table, batch
            batch = []
        table = name
        batch.append(row)
    if batch:
        yield table, batch


def _move_sequences(connection: Connection) -> None:
    """Each serial or identity id's sequence past the largest id restored, so the next row
    a user adds does not collide with one."""
    quote = connection.dialect.identifier_preparer.quote
    for table in backed_up_tables(connection):
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        column = keys[0]
        sequence = connection.scalar(
            select(func.pg_get_serial_sequence(quote(table.name), column.name))
        )
        if sequence:
            largest = select(func.max(column)).scalar_subquery()
            connection.execute(select(func.setval(sequence, func.coalesce(largest, 0) + 1, False)))
