"""The sender lease on PostgreSQL (bot/store/sender_lease.py): a session advisory lock held on
a psycopg connection of its own. Its own module, so a process on SQLite never imports psycopg."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from typing import Any, LiteralString

import psycopg
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL, make_url

from bot.store.lease_base import LeaseBase

log = logging.getLogger(__name__)

SENDER_LOCK_NAME = "lamplight:sender"
# The first 8 bytes of sha256(SENDER_LOCK_NAME) as a signed bigint; a test re-derives it and
# checks it differs from bot.store.db.UPGRADE_LOCK_KEY. Operators find it in pg_locks.
SENDER_LOCK_KEY = -4474041295360458322


def sender_key(name: str = SENDER_LOCK_NAME) -> int:
    """A stable signed 64-bit advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


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


class PostgresSenderLease(LeaseBase):
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
