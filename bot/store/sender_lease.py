"""Who runs the scheduled jobs: one sender per install, so the bot keeps Telegram's ~30 msg/s.

On PostgreSQL any number of `lamplight run` processes may answer updates; the sender is whichever
holds a session advisory lock on a connection of its own. When it dies its connection drops, the
server frees the lock, and another process's next `holds()` takes it. On SQLite one `run` per
store file: an OS file lock beside the database, taken at start or refused in one line.

Callers ask `holds()` before each batch of scheduled work (it blocks on the network: run it in a
thread) and run their recovery step when `just_acquired` is set.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import make_url

from bot.store.lease_base import LeaseBase

log = logging.getLogger(__name__)


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


def open_sender_lease(url: str, *, key: int | None = None) -> SenderLease:
    """The lease for the store at `url`. A SQLite file is locked here and now (StoreInUse if a
    `run` already holds it); PostgreSQL connects lazily, at the first `holds()`. `key` (the
    advisory lock's, SENDER_LOCK_KEY unless given) is for tests, so that runs sharing one
    database cannot collide."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        # Imported here: psycopg is a tenth of a second of every start, and SQLite never needs it.
        from bot.store.postgres_lease import PostgresSenderLease

        return PostgresSenderLease(parsed) if key is None else PostgresSenderLease(parsed, key=key)
    if backend == "sqlite":
        database = parsed.database
        if not database or database == ":memory:" or parsed.query.get("mode") == "memory":
            return LocalSenderLease()  # no other process can open an in-memory database
        return FileSenderLease(Path(database))
    raise ValueError(f"no sender lease for a {backend} store")


class LocalSenderLease(LeaseBase):
    """Held from creation until close: the store has no other `run` to share with."""

    def __init__(self) -> None:
        self._held = True
        self._announced = False
        self._just_acquired = False

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
