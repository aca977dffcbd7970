"""Waiting in tests for what the fake Bot API (or the bot behind it) does next, from a thread or
from code on an event loop: one poll, two ways to pause between tries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


class _Poll:
    """Asks ``predicate`` until ``timeout`` runs out, then fails the test."""

    def __init__(self, predicate: Callable[[], Any], timeout: float, what: str) -> None:
        self.predicate, self.timeout, self.what = predicate, timeout, what
        self.deadline = time.monotonic() + timeout

    def ask(self) -> Any:
        """The predicate's answer; an AssertionError once it is still falsy past the deadline."""
        result = self.predicate()
        if not result and time.monotonic() >= self.deadline:
            raise AssertionError(f"timed out after {self.timeout}s waiting for {self.what}")
        return result


def wait_for(
    predicate: Callable[[], Any],
    timeout: float = 5.0,
    *,
    interval: float = 0.01,
    what: str = "condition",
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``."""
    poll = _Poll(predicate, timeout, what)
    while not (result := poll.ask()):
        time.sleep(interval)
    return result


async def wait_for_async(
    predicate: Callable[[], Any],
    timeout: float = 5.0,
    *,
    interval: float = 0.01,
    what: str = "condition",
) -> Any:
    """:func:`wait_for` for code running on an event loop (the bot's loop keeps turning)."""
    poll = _Poll(predicate, timeout, what)
    while not (result := poll.ask()):
        await asyncio.sleep(interval)
    return result
