"""A sweep composed in several processes stores what one process would, and a worker that
fails or dies loses nothing the next sweep does not make up."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.digests import compose, processes
from bot.digests.processes import ComposeWorkerError
from bot.store.db import Store
from tests.conftest import NOW
from tests.jobs.test_compose_due import chats, expected_digests, stored
from tests.support.botapi import wait_for
from tests.support.compose_workers import in_a_worker

__all__ = ["chats"]  # the fixture, shared with test_compose_due


def test_a_sweep_in_processes_stores_what_one_process_would(
    store: Store, chats: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compose, "COMPOSE_BATCH", 1)  # five batches over three processes
    expected = expected_digests(store, chats)

    assert compose.compose_due(store, NOW, processes=3) == len(chats)

    assert stored(store) == expected


def fail() -> None:
    raise RuntimeError("the worker's disk went away")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def hang() -> None:
    threading.Event().wait()  # as a lock a thread held at the fork would


@pytest.mark.parametrize(
    ("act", "said"),
    [
        (fail, "failed after 0 digest"),
        (die, "ended without a word"),
        (hang, "made no progress for 1 s"),
    ],
)
def test_a_worker_that_fails_dies_or_hangs_costs_only_its_batch_and_the_next_sweep_makes_it(
    store: Store,
    chats: list[int],
    monkeypatch: pytest.MonkeyPatch,
    act: Callable[[], None],
    said: str,
) -> None:
    monkeypatch.setattr(compose, "COMPOSE_BATCH", 1)
    monkeypatch.setattr(processes, "STALL_SECONDS", 1.0)
    expected = expected_digests(store, chats)
    in_a_worker(act, monkeypatch)

    with pytest.raises(ComposeWorkerError, match=said):
        compose.compose_due(store, NOW, processes=2)

    # The sweep's own process took the other batches: only the worker's one chat is missing.
    first = stored(store)
    assert len(first) == len(chats) - 1
    assert first == {chat_id: expected[chat_id] for chat_id in first}
    monkeypatch.undo()
    assert compose.compose_due(store, NOW) == 1
    assert stored(store) == expected


def test_a_sweep_of_one_batch_starts_no_worker(
    store: Store, chats: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork(method: str) -> None:
        raise AssertionError(f"a worker was started ({method})")

    monkeypatch.setattr(processes.multiprocessing, "get_context", no_fork)

    assert compose.compose_due(store, NOW, processes=4) == len(chats)


def finished(pid: int) -> bool:
    """Whether the process is gone or a zombie (its new parent may be slow to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith(("Z", "X"))
    except FileNotFoundError:
        return True


def test_a_worker_whose_sweep_process_is_gone_stops_after_its_batch(
    store: Store, chats: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compose, "COMPOSE_BATCH", 1)
    context = multiprocessing.get_context("fork")
    sweep_pid, worker_pid = context.Value("l", 0), context.Value("l", 0)
    draft = compose.draft_digests

    def drafting(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() == sweep_pid.value:
            time.sleep(60)  # the sweep's own process holds its first batch until it is killed
        elif worker_pid.value == 0:
            worker_pid.value = os.getpid()
            while os.getppid() == sweep_pid.value:  # the worker's first batch waits for that
                time.sleep(0.01)
        return draft(*args, **kwargs)

    monkeypatch.setattr(compose, "draft_digests", drafting)

    def sweep() -> None:
        sweep_pid.value = os.getpid()
        compose.compose_due(store.reopened(), NOW, processes=2)

    bot = context.Process(target=sweep)  # not a daemon: daemons may not start workers
    bot.start()
    wait_for(lambda: worker_pid.value, timeout=30, what="a worker drafting")
    bot.kill()  # SIGKILL, as an out-of-memory kill or a crash would end it
    bot.join()
    wait_for(lambda: finished(worker_pid.value), timeout=30, what="the worker to stop")
    assert len(stored(store)) == 1  # its batch, and no other: nobody was left to send them
