"""Telegram tests run the real PTB stack against the fake Bot API server."""

from tests.support.botapi import botapi as botapi  # the fixture, re-exported for pytest
