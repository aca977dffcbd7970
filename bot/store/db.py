"""Engine, sessions and the schema: every command upgrades the schema itself on first use."""

from __future__ import annotations

import fcntl
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.resources import bundled_path

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration's revision. A store already there skips importing Alembic, which costs
# a quarter of a second on every command; a test keeps this in step with migrations/versions.
SCHEMA_HEAD = "0014"

# Any fixed 64-bit number: replicas starting together take turns at upgrading.
UPGRADE_LOCK_KEY = 0x6C616D706C696768

log = logging.getLogger(__name__)


class StoreError(Exception):
    """The store cannot be opened or upgraded; the message says what to check."""


def make_engine(url: str) -> Engine:
    """An engine with the pragmas lamplight relies on; SQLite's folder is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _foreign_keys_back_on)
        return engine
    return create_engine(url, pool_pre_ping=True)


# Set on a pooled SQLite connection that migrated with foreign keys off (migrations/env.py).
FOREIGN_KEYS_OFF = "lamplight_foreign_keys_off"


def _foreign_keys_back_on(dbapi_connection: Any, record: Any) -> None:
    """Back in the pool, its transaction over: the one place the pragma can change again."""
    if record.info.pop(FOREIGN_KEYS_OFF, False) and dbapi_connection is not None:
        dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL is kept in the file: whichever connection sets it first sets it for all. Switching
    # needs the file to itself, which a process creating the store holds (it got here first,
    # so it set WAL already): a second process starting then can take the mode as it is.
    with suppress(sqlite3.OperationalError):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Searches read the FTS index and the items it names all over the file: SQLite's default
    # 2 MB page cache made a common word's first search 3-5x slower than its second. Mapped
    # pages are the OS's file cache, shared and dropped under pressure; the cache is a ceiling.
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(bundled_path("migrations")))
    cfg.attributes["connection"] = connection
    return cfg


# Called before a store at an older schema revision (given) is upgraded, the upgrade lock
# held: bot/backups.py backs a store with data up there (raising StoreError stops the upgrade).
BeforeUpgrade = Callable[[Engine, str], None]


def upgrade(engine: Engine, before: BeforeUpgrade | None = None) -> None:
    """Bring the schema to head, one process at a time: under a PostgreSQL advisory lock, or a
    lock file beside a SQLite database (two commands may start together)."""
    with sqlite_file_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": UPGRADE_LOCK_KEY})
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        current = MigrationContext.configure(connection).get_current_revision()
        if before is not None and current is not None and current != SCHEMA_HEAD:
            before(engine, current)
        command.upgrade(alembic_config(connection), "head")


@contextmanager
def sqlite_file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass
class Store:
    """The database lamplight talks to: an engine and a session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    @property
    def reopenable(self) -> bool:
        """Whether another engine (another process) reaches the same data: not so for an
        in-memory SQLite database, which lives in its one connection.

        >>> on = lambda url: Store.on(make_engine(url))
        >>> on("sqlite:///lamplight.sqlite3").reopenable, on("sqlite://").reopenable
        (True, False)
        """
        url = self.engine.url
        return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")

    @classmethod
    def on(cls, engine: Engine) -> Store:
        """A store through ``engine``, its database as it is (see open_store)."""
        return cls(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))

    def reopened(self) -> Store:
        """The same database through a new engine: a forked process must never use its
        parent's pooled connections (they share the parent's sockets and file locks)."""
        return Store.on(make_engine(self.engine.url.render_as_string(hide_password=False)))


def at_head(engine: Engine) -> bool:
    """Whether the store's schema is already the newest (a missing table means no)."""
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return False
    return version == SCHEMA_HEAD


def open_store(
    url: str, *, migrate: bool = True, before_upgrade: BeforeUpgrade | None = None
) -> Store:
    engine = make_engine(url)
    if migrate and not at_head(engine):
        try:
            upgrade(engine, before_upgrade)
        except StoreError:
            engine.dispose()
            raise
        except Exception as exc:  # any driver error means the same to the user
            engine.dispose()
            safe = make_url(url).render_as_string(hide_password=True)
            raise StoreError(f"cannot open the store at {safe}: {exc.__class__.__name__}") from exc
    return Store.on(engine)
