"""The fake Bot API (bot/devtools/botapi) as tests use it, and its pytest fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.devtools.botapi import FakeBotAPI
from bot.devtools.botapi.server import *  # noqa: F403 - tests import the fake's names from here


@pytest.fixture
def botapi() -> Iterator[FakeBotAPI]:
    """A running fake Bot API; nothing leaves 127.0.0.1 (tests/conftest.py clears proxies)."""
    with FakeBotAPI() as api:
        yield api
