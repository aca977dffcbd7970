"""SIGTERM during a digest run, as `docker stop` sends it: the bot exits cleanly, the run
finishes or leaves its messages pending, and after a restart the user has exactly one digest.

A real `lamplight run` is held at a pause point inside the sweep (bot/faults.py), gets SIGTERM
there and is then let go, so the signal lands while the digest run is under way. What happened
is judged by what the user sees in their chat and by the store (tests/telegram/test_crash.py
has the set-up and the SIGKILL counterparts).
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.faults import AFTER_COMPOSE, BEFORE_RECORD
from bot.importer import import_paths
from bot.resources import bundled_path
from bot.store.db import open_store
from tests.support.botapi import FakeBotAPI
from tests.support.processes import BotProcess
from tests.telegram.test_crash import (
    FRIEND,
    PASSED,
    PENDING,
    SENT,
    WAIT,
    Setup,
    digest_parts_seen,
    digests_seen,
    store_url,
)


@pytest.fixture
def bot(botapi: FakeBotAPI, tmp_path: Path) -> Iterator[Setup]:
    """A store with the sample notes and a friend whose daily digest is due at start."""
    data = tmp_path / "data"
    data.mkdir()
    settings = Settings(lamplight_data_dir=data, database_url=store_url(data))
    store = open_store(settings.store_url)
    import_paths(store, [bundled_path("examples")], settings=settings, now=dt.datetime.now(dt.UTC))
    ready = Setup(botapi, data, store, settings)
    try:
        yield ready
    finally:
        ready.processes.close()
        store.dispose()


def terminate_at(bot: Setup, point: str) -> BotProcess:
    """Start the bot, let it reach `point` in the digest run, SIGTERM it there, let it go on,
    and wait for it to exit."""
    process = bot.processes.start(LAMPLIGHT_PAUSE_AT=point, LAMPLIGHT_PAUSE_MARKER=str(bot.marker))
    process.wait_for_file(bot.marker, WAIT)
    process.popen.send_signal(signal.SIGTERM)
    bot.marker.unlink()  # the signal is waiting: the run goes on, and the bot stops
    try:
        code = process.popen.wait(WAIT)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"the bot did not stop after SIGTERM:\n{bot.processes.output()[-4000:]}"
        ) from None
    assert code == 0, bot.processes.output()[-4000:]
    assert "Traceback" not in bot.processes.output()
    return process


@pytest.mark.parametrize("point", [AFTER_COMPOSE, BEFORE_RECORD])
def test_sigterm_during_a_digest_run_then_restart_leaves_exactly_one_digest(
    bot: Setup, point: str
) -> None:
    friend = bot.subscribe(FRIEND, PASSED)
    terminate_at(bot, point)

    # The run finished or left its messages pending: none is left uncertain (`sending`).
    [(digest, parts)] = bot.daily_digests(FRIEND)
    assert set(parts) <= {PENDING, SENT}, parts
    assert len(digest_parts_seen(friend)) == parts.count(SENT), "what is recorded sent arrived"

    bot.processes.start()
    bot.wait(lambda: bot.pending() == 0, "nothing left pending after the restart")
    bot.wait(lambda: digests_seen(friend), "the digest in the user's chat")
    bot.help_answered(friend)  # the restarted bot is up and its start-up sweep has run

    assert len(digests_seen(friend)) == 1, "exactly one daily digest"
    assert len(digest_parts_seen(friend)) == len(parts), "each part reached the user once"
    assert [d for d, _ in bot.daily_digests(FRIEND)] == [digest]
