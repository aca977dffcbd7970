"""The Bot API emulator (bot/emulator.py) as tests use it, and its pytest fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.emulator import *  # noqa: F403 - tests import the emulator's names from here
from bot.emulator import FakeBotAPI


@pytest.fixture
def botapi() -> Iterator[FakeBotAPI]:
    """A running fake Bot API; nothing leaves 127.0.0.1 (tests/conftest.py clears proxies)."""
    with FakeBotAPI() as api:
        yield api
