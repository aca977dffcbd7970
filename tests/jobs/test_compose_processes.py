"""A sweep composed in several processes stores what one process would, and a worker that
fails or dies loses nothing the next sweep does not make up."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

import pytest

from bot.digests import compose, processes
from bot.digests.processes import ComposeWorkerError
from bot.store.db import Store
from tests.conftest import NOW
from tests.jobs.test_compose_due import chats, expected_digests, stored

__all__ = ["chats"]  # the fixture, shared with test_compose_due


def test_a_sweep_in_processes_stores_what_one_process_would(
    store: Store, chats: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compose, "COMPOSE_BATCH", 1)  # five batches over three processes
    expected = expected_digests(store, chats)

    assert compose.compose_due(store, NOW, processes=3) == len(chats)

    assert stored(store) == expected


def in_a_worker_for(chat_id: int, act: Callable[[], None], monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `act` happen where a worker process (not the sweep's own) drafts `chat_id`."""
    sweep, draft = os.getpid(), compose.draft_digests

    def drafting(session: Any, due: Any, *args: Any, **kwargs: Any) -> Any:
        if os.getpid() != sweep and any(chat.chat_id == chat_id for chat, _ in due):
            act()
        return draft(session, due, *args, **kwargs)

    monkeypatch.setattr(compose, "draft_digests", drafting)


def fail() -> None:
    raise RuntimeError("the worker's disk went away")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize(
    ("act", "said"), [(fail, "failed after 0 digest"), (die, "ended without a word")]
)
def test_a_worker_that_fails_or_dies_costs_only_its_batches_and_the_next_sweep_makes_them(
    store: Store,
    chats: list[int],
    monkeypatch: pytest.MonkeyPatch,
    act: Callable[[], None],
    said: str,
) -> None:
    monkeypatch.setattr(compose, "COMPOSE_BATCH", 1)
    expected = expected_digests(store, chats)
    # Two processes: the sweep's own takes chats 1, 3 and 5, the worker 2, then 4.
    in_a_worker_for(2, act, monkeypatch)

    with pytest.raises(ComposeWorkerError, match=said):
        compose.compose_due(store, NOW, processes=2)

    assert stored(store) == {chat_id: expected[chat_id] for chat_id in (1, 3, 5)}
    monkeypatch.undo()
    assert compose.compose_due(store, NOW) == 2
    assert stored(store) == expected


def test_a_sweep_of_one_batch_starts_no_worker(
    store: Store, chats: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork(method: str) -> None:
        raise AssertionError(f"a worker was started ({method})")

    monkeypatch.setattr(processes.multiprocessing, "get_context", no_fork)

    assert compose.compose_due(store, NOW, processes=4) == len(chats)
