"""Writing a backup: every table the store holds and every column, read from the database
itself, so a table or column a migration adds is backed up with no change here — except what
`EXCLUDED_TABLES` and `EXCLUDED_COLUMNS` leave out, each for a reason docs/backup-format.md
repeats (a test holds them to it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import sort_tables
from sqlalchemy.sql.elements import ColumnElement

from bot.store.backup_format import (
    BackupError,
    Header,
    dumps,
    encode_value,
    row_record,
    trailer_record,
    type_tag,
    writing,
)

# A name ending in "*" leaves out every table whose name starts with the rest.
EXCLUDED_TABLES: dict[str, str] = {
    "alembic_version": "the schema revision: the header names it, and a restore migrates to it",
    "items_fts*": "the search index (items_fts_terms; before revision 0008 the FTS5 table "
    "items_fts and its shadow tables): derived from the items by triggers, which fill it "
    "again as the items are restored",
    "pace": "whose turn it is to ask arXiv, among the processes of one install: no other "
    "install's business; a new store starts it afresh (a migration adds its row)",
}
# "table.column": reason. None so far: a column is left out only when another install is
# better off without it.
EXCLUDED_COLUMNS: dict[str, str] = {}

ROWS_PER_READ = 1000


def table_excluded(name: str) -> bool:
    return any(
        name.startswith(rule[:-1]) if rule.endswith("*") else name == rule
        for rule in EXCLUDED_TABLES
    )


def backed_up_tables(connection: Connection) -> list[Table]:
    """The store's tables a backup holds, as the database describes them, parents first (ties
    by name, so SQLite and PostgreSQL list them alike)."""
    names = sorted(n for n in inspect(connection).get_table_names() if not table_excluded(n))
    metadata = MetaData()
    metadata.reflect(connection, only=names)
    ordered = sorted(metadata.tables.values(), key=lambda table: table.name)
    return list(sort_tables(ordered))


def backed_up_columns(table: Table) -> dict[str, str]:
    """The table's columns a backup holds, each with its type's name in the file."""
    columns = {}
    for column in table.columns:
        if f"{table.name}.{column.name}" in EXCLUDED_COLUMNS:
            continue
        tag = type_tag(column.type)
        if tag is None:
            raise BackupError(
                f"column {table.name}.{column.name} ({column.type}) cannot be backed up: "
                "no encoding for its type (bot/store/backup_format.py)"
            )
        columns[column.name] = tag
    return columns


def schema_revision(connection: Connection) -> str:
    try:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        revision = None
    if not revision:
        raise BackupError("the store has no schema yet: nothing to back up")
    return str(revision)


def holds_data(connection: Connection) -> dict[str, int]:
    """Rows of each backed-up table that has any: empty when the store is as new."""
    counts = {
        table.name: connection.scalar(select(func.count()).select_from(table)) or 0
        for table in backed_up_tables(connection)
    }
    return {name: count for name, count in counts.items() if count}


def _ordered_by(table: Table, dialect: str) -> list[ColumnElement[Any]]:
    """Rows in key order, text compared byte by byte (SQLite's way) on PostgreSQL too."""
    keys: list[Column[Any]] = list(table.primary_key.columns) or list(table.columns)
    return [
        column.collate("C")
        if dialect == "postgresql" and isinstance(column.type, String)
        else column
        for column in keys
        if type_tag(column.type) != "json"
    ]


@dataclass(frozen=True)
class BackupReport:
    path: Path
    schema: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def dump(connection: Connection, out: IO[str], now: dt.datetime) -> tuple[str, dict[str, int]]:
    """Write every backed-up row to `out`: header, rows, trailer. Returns the schema revision
    and the rows of each table."""
    tables = [(table, backed_up_columns(table)) for table in backed_up_tables(connection)]
    schema = schema_revision(connection)
    header = Header(schema=schema, created_at=now, tables={t.name: c for t, c in tables})
    out.write(dumps(header.record()))
    counts = {}
    for table, columns in tables:
        query = select(*(table.c[name] for name in columns))
        query = query.order_by(*_ordered_by(table, connection.dialect.name))
        rows = connection.execute(query.execution_options(yield_per=ROWS_PER_READ)).mappings()
        count = 0
        for row in rows:
            values = {name: encode_value(tag, row[name]) for name, tag in columns.items()}
            out.write(dumps(row_record(table.name, values)))
            count += 1
        counts[table.name] = count
    out.write(dumps(trailer_record(counts)))
    return schema, counts


def write_backup(connection: Connection, path: Path, now: dt.datetime) -> BackupReport:
    """The store as a backup file at `path` (gzip when it ends in .gz), written whole or not
    at all."""
    try:
        with writing(path) as out:
            schema, counts = dump(connection, out, now)
    except OSError as exc:
        raise BackupError(f"cannot write {path}: {exc.strerror or exc}") from None
    return BackupReport(path=path, schema=schema, rows=counts)


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that reads the store as it stood at one instant, while the bot writes on:
    a backup whose rows fit together."""
    if engine.dialect.name == "postgresql":
        options: dict[str, Any] = {"isolation_level": "REPEATABLE READ"}
        with engine.connect().execution_options(**options) as connection, connection.begin():
            yield connection
        return
    with engine.connect() as connection, connection.begin():
        # pysqlite opens transactions only for writes; reads need one for a WAL snapshot.
        connection.exec_driver_sql("BEGIN")
        yield connection
