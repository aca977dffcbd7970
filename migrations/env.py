"""Alembic environment: the URL comes from lamplight's Settings, or the caller's connection.

Upgrades run inside the app (bot.store.db.upgrade); this file never configures logging, so the
app's own logging stays as it set it up.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.config import Settings
from bot.store.db import FOREIGN_KEYS_OFF, make_engine
from bot.store.models import Base


def _not_search_index(obj: object, name: str | None, type_: str, *_: object) -> bool:
    """The search index (`items_fts_terms` and its triggers; before 0008, an FTS5 table and GIN
    indexes) lives in migrations, not in the models."""
    return not (name or "").startswith("items_fts")


def _run(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        _run_sqlite(connection)
    else:
        _migrate(connection)


def _run_sqlite(connection: Connection) -> None:
    """Batch mode rebuilds a table by dropping the old one, and with foreign keys on SQLite
    first deletes its rows, firing their ON DELETE actions: rebuilding `sources` would unlink
    every item. So SQLite migrates with foreign keys off (the pool turns them on again when the
    connection comes back), and a migration that leaves a row pointing at nothing fails."""
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction: takes effect
    connection.connection.info[FOREIGN_KEYS_OFF] = True
    _migrate(connection)
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration left rows that refer to nothing: {broken[:5]}")


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=_not_search_index,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(Settings().store_url)
    with engine.begin() as fresh:
        _run(fresh)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("lamplight migrations run online only: use `lamplight db upgrade`")
run_migrations_online()
