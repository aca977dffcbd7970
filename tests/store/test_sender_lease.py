"""One sender per install: the PostgreSQL advisory lock hands over when its holder dies or its
connection drops; on SQLite a second `run` on one store file is refused in one line."""

from __future__ import annotations

import ast
import logging
import os
import re
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from bot.store.db import UPGRADE_LOCK_KEY, open_store
from bot.store.postgres_lease import (
    SENDER_LOCK_KEY,
    SENDER_LOCK_NAME,
    PostgresSenderLease,
    sender_key,
)
from bot.store.sender_lease import (
    FileSenderLease,
    LocalSenderLease,
    StoreInUse,
    open_sender_lease,
)
from tests.conftest import POSTGRES_URL, REPO

WAIT_S = 10.0

# A process that takes the lease, says so, and lives on until killed.
CHILD = """
import os, sys, time
from bot.store.sender_lease import StoreInUse, open_sender_lease
try:
    lease = open_sender_lease(os.environ["LEASE_URL"], key=int(os.environ["LEASE_KEY"]))
except StoreInUse as exc:
    print("refused:", exc, flush=True)
    sys.exit(3)
deadline = time.monotonic() + 10
while not lease.holds():
    if time.monotonic() > deadline:
        print("never held", flush=True)
        sys.exit(4)
    time.sleep(0.02)
print("held", flush=True)
time.sleep(120)
"""

needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="LAMPLIGHT_TEST_POSTGRES_URL is not set (PostgreSQL lease tests)"
)


def eventually(check: Callable[[], bool], timeout: float = WAIT_S) -> bool:
    """Whether `check` turns true within `timeout` (polled, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


@pytest.fixture
def spawn() -> Iterator[Callable[[str, int], subprocess.Popen[str]]]:
    """Start a child holding the lease for (url, key); it has said "held" when this returns."""
    children: list[subprocess.Popen[str]] = []

    def start(url: str, key: int) -> subprocess.Popen[str]:
        env = {**os.environ, "LEASE_URL": url, "LEASE_KEY": str(key)}
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
        )
        children.append(child)
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], WAIT_S)
        assert ready, "the child never reported"
        assert child.stdout.readline().strip() == "held"
        return child

    yield start
    for child in children:
        if child.poll() is None:
            child.kill()
        child.wait()
        if child.stdout:
            child.stdout.close()


def kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=WAIT_S)


# --- keys -------------------------------------------------------------------------------------


def test_sender_key_is_its_own() -> None:
    assert sender_key(SENDER_LOCK_NAME) == SENDER_LOCK_KEY
    assert -(2**63) <= SENDER_LOCK_KEY < 2**63
    assert SENDER_LOCK_KEY != UPGRADE_LOCK_KEY


def test_every_advisory_key_in_the_code_differs() -> None:
    keys: dict[str, int] = {}
    for folder in ("bot", "jobs", "migrations"):
        for path in (REPO / folder).rglob("*.py"):
            for name, value in re.findall(r"^(\w+_LOCK_KEY) = (.+)$", path.read_text(), re.M):
                keys[f"{path.name}:{name}"] = ast.literal_eval(value)
    assert len(keys) >= 2, keys
    assert len(set(keys.values())) == len(keys), keys


# --- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture
def key() -> int:
    """A key of the test's own, so runs sharing the test database cannot collide."""
    return sender_key(f"lamplight:test:{uuid.uuid4()}")


@pytest.fixture
def lease(key: int) -> Iterator[Callable[[], PostgresSenderLease]]:
    assert POSTGRES_URL
    made: list[PostgresSenderLease] = []

    def make() -> PostgresSenderLease:
        made.append(PostgresSenderLease(POSTGRES_URL, key=key))
        return made[-1]

    yield make
    for each in made:
        each.close()


def terminate(pid: int | None) -> None:
    """Kill one backend from outside and wait until the server has let it go."""
    assert POSTGRES_URL and pid
    conninfo = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
        gone = "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)"
        assert eventually(lambda: admin.execute(gone, (pid,)).fetchone() == (True,))


@needs_postgres
def test_of_two_leases_exactly_one_holds(lease: Callable[[], PostgresSenderLease]) -> None:
    first, second = lease(), lease()
    assert first.holds() and first.just_acquired
    assert not second.holds() and not second.just_acquired
    # Holding on is no transition: recovery runs once per acquisition.
    assert first.holds() and not first.just_acquired
    assert not second.holds()
    assert (first.held, second.held) == (True, False)


@needs_postgres
def test_release_hands_over_at_the_next_check(lease: Callable[[], PostgresSenderLease]) -> None:
    first, second = lease(), lease()
    assert first.holds()
    assert not second.holds()
    first.close()
    assert not first.held
    assert second.holds() and second.just_acquired


@needs_postgres
def test_a_killed_holder_is_replaced(
    lease: Callable[[], PostgresSenderLease], key: int, spawn: Callable[..., subprocess.Popen[str]]
) -> None:
    assert POSTGRES_URL
    holder = spawn(POSTGRES_URL, key)
    standby = lease()
    assert not standby.holds()
    kill(holder)
    assert eventually(standby.holds), "the lock did not free when its holder died"
    assert standby.just_acquired


@needs_postgres
def test_a_dropped_connection_hands_over_and_is_noticed(
    lease: Callable[[], PostgresSenderLease],
) -> None:
    first, second = lease(), lease()
    assert first.holds()
    terminate(first.backend_pid)
    assert second.holds()
    # The old holder reconnects, finds the lock taken, and says so.
    assert not first.holds() and not first.held
    assert second.holds() and not first.holds()


@needs_postgres
def test_a_dropped_connection_retakes_a_free_lock(lease: Callable[[], PostgresSenderLease]) -> None:
    only = lease()
    assert only.holds()
    old_pid = only.backend_pid
    terminate(old_pid)
    # The server frees a backend's locks before it leaves pg_stat_activity, so no poll here.
    # A new session took it again: the caller must run recovery as for any acquisition.
    assert only.holds() and only.just_acquired
    assert only.backend_pid not in (None, old_pid)


@needs_postgres
def test_the_upgrade_lock_does_not_block_the_sender() -> None:
    assert POSTGRES_URL
    conninfo = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with (
        psycopg.connect(conninfo, autocommit=True) as upgrader,
        PostgresSenderLease(POSTGRES_URL) as sender,
    ):
        take = "SELECT pg_try_advisory_lock(%s)"
        assert upgrader.execute(take, (UPGRADE_LOCK_KEY,)).fetchone() == (True,)
        assert sender.holds()


@needs_postgres
def test_the_connection_has_keepalives_and_a_name(lease: Callable[[], PostgresSenderLease]) -> None:
    only = lease()
    assert only.holds()
    assert POSTGRES_URL
    conninfo = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as admin:
        row = admin.execute(
            "SELECT application_name FROM pg_stat_activity WHERE pid = %s", (only.backend_pid,)
        ).fetchone()
    assert row == ("lamplight sender",)
    assert only._conn is not None
    params = only._conn.info.get_parameters()
    assert params["keepalives"] == "1"
    silent_s = int(params["keepalives_idle"])
    silent_s += int(params["keepalives_interval"]) * int(params["keepalives_count"])
    assert silent_s < 60, "a dead peer must be noticed well within a minute"


def test_an_unreachable_database_means_not_the_sender(caplog: pytest.LogCaptureFixture) -> None:
    # Port 1 on localhost refuses at once; the password must never reach the log.
    sender = PostgresSenderLease("postgresql+psycopg://bot:hunter2secret@127.0.0.1:1/lamplight")
    with caplog.at_level(logging.INFO, logger="bot.store.sender_lease"):
        assert not sender.holds()
        assert not sender.holds()
    sender.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, "one warning per outage, not one per sweep"
    assert "127.0.0.1:1" in caplog.text
    assert "hunter2secret" not in caplog.text


# --- SQLite -----------------------------------------------------------------------------------


def test_a_second_run_on_one_file_is_refused_in_one_line(
    tmp_path: Path, spawn: Callable[..., subprocess.Popen[str]]
) -> None:
    database = tmp_path / "lamplight.sqlite3"
    holder = spawn(f"sqlite:///{database}", 0)
    with pytest.raises(StoreInUse) as refused:
        open_sender_lease(f"sqlite:///{database}")
    expected = f"another lamplight run is already using {database} (pid {holder.pid})"
    assert str(refused.value) == expected


def test_a_killed_run_leaves_the_file_free(
    tmp_path: Path, spawn: Callable[..., subprocess.Popen[str]]
) -> None:
    url = f"sqlite:///{tmp_path / 'lamplight.sqlite3'}"
    kill(spawn(url, 0))
    with open_sender_lease(url) as lease:
        assert lease.holds() and lease.just_acquired


def test_leases_on_different_files_are_independent(
    tmp_path: Path, spawn: Callable[..., subprocess.Popen[str]]
) -> None:
    spawn(f"sqlite:///{tmp_path / 'one.sqlite3'}", 0)
    with open_sender_lease(f"sqlite:///{tmp_path / 'two.sqlite3'}") as lease:
        assert lease.holds()


def test_one_process_cannot_hold_one_file_twice(tmp_path: Path) -> None:
    database = tmp_path / "lamplight.sqlite3"
    first = open_sender_lease(f"sqlite:///{database}")
    assert isinstance(first, FileSenderLease)
    with pytest.raises(StoreInUse, match=re.escape(f"(pid {os.getpid()})")):
        open_sender_lease(f"sqlite:///{database}")
    assert first.holds() and first.just_acquired
    assert first.holds() and not first.just_acquired
    first.close()
    assert not first.holds()
    with open_sender_lease(f"sqlite:///{database}") as again:
        assert again.holds()


def test_other_commands_open_the_store_beside_a_run(tmp_path: Path) -> None:
    # The schema upgrade locks its own file; sharing one would block the run on itself. The
    # lease closes first on the way out, so a blocked opener fails the test instead of hanging it.
    url = f"sqlite:///{tmp_path / 'lamplight.sqlite3'}"
    with ThreadPoolExecutor(1) as pool, open_sender_lease(url):
        opening = pool.submit(open_store, url)
        opening.result(timeout=WAIT_S).dispose()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_store_needs_no_lock(url: str) -> None:
    first, second = open_sender_lease(url), open_sender_lease(url)
    assert isinstance(first, LocalSenderLease) and not isinstance(first, FileSenderLease)
    assert first.holds() and second.holds()
