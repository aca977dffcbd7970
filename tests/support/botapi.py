"""The fake Bot API (bot/devtools/botapi) as tests use it, and its pytest fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.devtools.botapi import TOKEN, ChatMessage, FakeBotAPI, wait_for, wait_for_async
from bot.devtools.botapi.limits import FloodControl, FloodRule, is_paced

__all__ = [
    "TOKEN",
    "ChatMessage",
    "FakeBotAPI",
    "FloodControl",
    "FloodRule",
    "botapi",
    "is_paced",
    "wait_for",
    "wait_for_async",
]


@pytest.fixture
def botapi() -> Iterator[FakeBotAPI]:
    """A running fake Bot API; nothing leaves 127.0.0.1 (tests/conftest.py clears proxies)."""
    with FakeBotAPI() as api:
        yield api
