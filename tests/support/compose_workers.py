"""Reaching into a compose sweep's worker processes from a test."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

import pytest

from bot.digests import compose


def in_a_worker(act: Callable[[], None], monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `act` happen as a worker process (not the sweep's own) drafts its first batch;
    the sweep's own process waits for that before drafting, so the worker surely gets one."""
    sweep, draft = os.getpid(), compose.draft_digests
    started = multiprocessing.get_context("fork").Event()

    def drafting(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() == sweep:
            assert started.wait(timeout=30), "no worker drafted a batch"
        elif not started.is_set():
            started.set()
            act()
        return draft(*args, **kwargs)

    monkeypatch.setattr(compose, "draft_digests", drafting)
