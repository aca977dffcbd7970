"""Who runs the scheduled jobs: one sender per install, so the bot keeps Telegram's ~30 msg/s.

On PostgreSQL any number of `lamplight run` processes may answer updates; the sender is whichever
holds a session advisory lock on a connection of its own. When it dies its connection drops, the
server frees the lock, and another process's next `holds()` takes it. On SQLite one `run` per
store file: an OS file lock beside the database, taken at start or refused in one line.

Callers ask `holds()` before each batch of scheduled work (it blocks on the network: run it in a
thread) and run their recovery step when `just_acquired` is set.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, LiteralString, Protocol, Self

import psycopg
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL, make_url

log = logging.getLogger(__name__)

SENDER_LOCK_NAME = "lamplight:sender"
# The first 8 bytes of sha256(SENDER_LOCK_NAME) as a signed bigint; a test re-derives it and
# checks it differs from bot.store.db.UPGRADE_LOCK_KEY. Operators find it in pg_locks.
SENDER_LOCK_KEY = -4474041295360458322

# A dead peer is noticed in idle_s + interval_s * count = 25 s, and an unanswered write fails
# after tcp_user_timeout; libpq ignores these on a Unix socket, where a dead server is seen at once.
_TCP_PARAMS: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 25_000,
    "connect_timeout": 10,
}

# Whether this session holds the key, asked of the server: a fresh session after a silent
# reconnect reads False, so the answer can never be stale. pg_locks splits a bigint key in two.
_STILL_HELD = """
SELECT EXISTS (
    SELECT 1 FROM pg_locks
    WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
      AND ((classid::bigint << 32) | objid::bigint) = %s
)
"""


class StoreInUse(Exception):
    """Another `lamplight run` holds this SQLite store; the message is the one line to print."""


class SenderLease(Protocol):
    """The one interface `lamplight run` uses, whatever the store."""

    @property
    def just_acquired(self) -> bool:
        """Whether the last `holds()` made this process the sender (run recovery now)."""
        ...

    @property
    def held(self) -> bool:
        """What the last `holds()` found, without asking again."""
        ...

    def holds(self) -> bool:
        """Whether this process is the sender now; takes the lease if it is free."""
        ...

    def close(self) -> None:
        """Give the lease up (idempotent)."""
        ...


def sender_key(name: str = SENDER_LOCK_NAME) -> int:
    """A stable signed 64-bit advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def open_sender_lease(url: str, *, key: int = SENDER_LOCK_KEY) -> SenderLease:
    """The lease for the store at `url`. A SQLite file is locked here and now (StoreInUse if a
    `run` already holds it); PostgreSQL connects lazily, at the first `holds()`. `key` is for
    tests, so that runs sharing one database cannot collide."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return PostgresSenderLease(parsed, key=key)
    if backend == "sqlite":
        database = parsed.database
        if not database or database == ":memory:" or parsed.query.get("mode") == "memory":
            return LocalSenderLease()  # no other process can open an in-memory database
        return FileSenderLease(Path(database))
    raise ValueError(f"no sender lease for a {backend} store")


class _Closing:
    """`with` support for every lease."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()


class LocalSenderLease(_Closing):
    """Held from creation until close: the store has no other `run` to share with."""

    def __init__(self) -> None:
        self._held = True
        self._announced = False
        self._just_acquired = False

    @property
    def just_acquired(self) -> bool:
        return self._just_acquired

    @property
    def held(self) -> bool:
        return self._held

    def holds(self) -> bool:
        # The first call reports the acquisition, so recovery runs once at start here too.
        self._just_acquired = self._held and not self._announced
        self._announced = True
        return self._held

    def close(self) -> None:
        self._held = False
        self._just_acquired = False


class FileSenderLease(LocalSenderLease):
    """One `run` per SQLite file: flock on `<database>.sender.lock`, which the kernel frees when
    the process dies, even by SIGKILL. Not `<database>.lock`: schema upgrades lock that one, and
    flock conflicts between two opens in one process, so `run` would block on its own upgrade."""

    def __init__(self, database: Path) -> None:
        super().__init__()
        self.database = database.expanduser().absolute()
        self.path = self.database.with_name(self.database.name + ".sender.lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = _lock_file(self.path, self.database)
        # DEBUG: on SQLite the one run always is the sender; a line at start would only add noise
        log.debug("this process runs the scheduled jobs for %s", self.database)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the flock
            self._fd = None
        super().close()


def _lock_file(path: Path, database: Path) -> int:
    """An open descriptor holding an exclusive flock on `path`, with this pid written in it."""
    # O_CREAT without O_TRUNC: the holder's pid must survive a refused starter's open.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        who = f" (pid {holder})" if holder.isdigit() else ""
        raise StoreInUse(f"another lamplight run is already using {database}{who}") from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


class PostgresSenderLease(_Closing):
    """The holder of `pg_try_advisory_lock(key)` on an autocommit psycopg connection of its own,
    outside the SQLAlchemy pool (a pooled connection would take the session lock along to
    whoever borrows it next). Needs a direct or session-pooled connection, never
    transaction pooling. Thread-safe: one call at a time."""

    def __init__(self, url: URL | str, *, key: int = SENDER_LOCK_KEY) -> None:
        parsed = make_url(url)
        self.key = key
        self._conninfo = _conninfo(parsed)
        self._password = parsed.password
        self._where = parsed.render_as_string(hide_password=True)
        self._conn: psycopg.Connection[Any] | None = None
        self._held = False
        self._just_acquired = False
        self._unreachable = False
        self._mutex = threading.Lock()

    @property
    def just_acquired(self) -> bool:
        return self._just_acquired

    @property
    def held(self) -> bool:
        return self._held

    @property
    def backend_pid(self) -> int | None:
        """The server process of the lease's connection, as pg_stat_activity shows it."""
        conn = self._conn
        return None if conn is None or conn.closed else conn.info.backend_pid

    def holds(self) -> bool:
        """True while this process holds the lock (checked with the server each call); takes it
        when free, reconnecting first if the connection dropped. Never raises for the network:
        a database out of reach means False."""
        with self._mutex:
            self._just_acquired = False
            try:
                if self._held and self._ask(_STILL_HELD):
                    return True
                if self._held:
                    self._lose("its database session ended (connection dropped)")
                if self._ask("SELECT pg_try_advisory_lock(%s)"):
                    self._gain()
                    return True
                return False
            except psycopg.Error as exc:
                self._drop_connection()
                if self._held:
                    self._lose(f"the connection failed: {self._safe(exc)}")
                self._report_unreachable(exc)
                return False

    def close(self) -> None:
        """Frees the lock and closes its connection; the next `holds()` would start over."""
        with self._mutex:
            if self._held and self._conn is not None and not self._conn.closed:
                # Unlock first: the server frees a closed session's locks only as its backend
                # exits, a moment after close() returns, and the next sender should not wait.
                with contextlib.suppress(psycopg.Error):
                    self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
            self._drop_connection()
            if self._held:
                self._held = False
                log.info("released the sender lock on %s", self._where)
            self._just_acquired = False

    def _ask(self, sql: LiteralString) -> bool:
        """One boolean query about the key. A connection found dead is replaced once: a fresh
        session holds nothing, so the answer stays true to the server."""
        reused = self._conn is not None and not self._conn.closed
        try:
            return self._fetch(sql)
        except psycopg.OperationalError:
            if not reused:
                raise
            self._drop_connection()
            return self._fetch(sql)

    def _fetch(self, sql: LiteralString) -> bool:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self._conninfo, autocommit=True)
            self._unreachable = False
        row = self._conn.execute(sql, (self.key,)).fetchone()
        return bool(row and row[0])

    def _gain(self) -> None:
        self._held = True
        self._just_acquired = True
        log.info("this process now runs the scheduled jobs (sender lock on %s)", self._where)

    def _lose(self, why: str) -> None:
        self._held = False
        log.info("this process no longer runs the scheduled jobs: %s (%s)", why, self._where)

    def _report_unreachable(self, exc: psycopg.Error) -> None:
        if not self._unreachable:  # once per outage, not once per sweep
            log.warning("cannot reach %s for the sender lock: %s", self._where, self._safe(exc))
        self._unreachable = True

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):  # already broken: closing is all that's left
                conn.close()

    def _safe(self, exc: BaseException) -> str:
        """The error's first line, the password masked should a driver ever echo it."""
        lines = str(exc).strip().splitlines()
        text = f"{exc.__class__.__name__}: {lines[0] if lines else ''}".rstrip(": ")
        return text.replace(self._password, "***") if self._password else text


def _conninfo(url: URL) -> str:
    """The libpq conninfo the SQLAlchemy pool would use for `url`, keepalives on."""
    # The dialect's own translation keeps query options (sslmode, host=/socket, several hosts).
    url = url.set(drivername="postgresql+psycopg")
    _args, params = url.get_dialect()().create_connect_args(url)
    params = {name: value for name, value in params.items() if value is not None}
    return make_conninfo("", **{**_TCP_PARAMS, **params, "application_name": "lamplight sender"})
