"""Telegram tests run the real PTB stack against the fake Bot API server."""

# The fixtures, re-exported for pytest.
from tests.support.bot import clock as clock
from tests.support.bot import friend as friend
from tests.support.bot import running as running
from tests.support.bot import sample_stores as sample_stores
from tests.support.bot import services as services
from tests.support.botapi import botapi as botapi
