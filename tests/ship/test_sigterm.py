"""SIGTERM during a digest run, as `docker stop` sends it: the bot exits cleanly, the run
finishes or leaves its messages pending, and after a restart the user has exactly one digest.

A real `lamplight run` is held at a pause point inside the sweep (bot/digests/crashpoints.py), gets SIGTERM
there and is then let go, so the signal lands while the digest run is under way. What happened
is judged by what the user sees in their chat and by the store (tests/telegram/test_crash.py
has the set-up and the SIGKILL counterparts).
"""

from __future__ import annotations

import signal
import subprocess

import pytest

from bot.digests.crashpoints import AFTER_COMPOSE, BEFORE_RECORD
from tests.support.crashes import (
    FRIEND,
    PASSED,
    PENDING,
    SENT,
    WAIT,
    Setup,
    digest_parts_seen,
    digests_seen,
)
from tests.support.crashes import setup as setup  # the fixture: a friend due at start
from tests.support.processes import BotProcess


def terminate_at(setup: Setup, point: str) -> BotProcess:
    """Start the bot, let it reach `point` in the digest run, SIGTERM it there, let it go on,
    and wait for it to exit."""
    process = setup.processes.start(
        LAMPLIGHT_PAUSE_AT=point, LAMPLIGHT_PAUSE_MARKER=str(setup.marker)
    )
    process.wait_for_file(setup.marker, WAIT)
    process.popen.send_signal(signal.SIGTERM)
    setup.marker.unlink()  # the signal is waiting: the run goes on, and the bot stops
    try:
        code = process.popen.wait(WAIT)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"the bot did not stop after SIGTERM:\n{setup.processes.output()[-4000:]}"
        ) from None
    assert code == 0, setup.processes.output()[-4000:]
    assert "Traceback" not in setup.processes.output()
    return process


@pytest.mark.parametrize("point", [AFTER_COMPOSE, BEFORE_RECORD])
def test_sigterm_during_a_digest_run_then_restart_leaves_exactly_one_digest(
    setup: Setup, point: str
) -> None:
    friend = setup.subscribe(FRIEND, PASSED)
    terminate_at(setup, point)

    # The run finished or left its messages pending: none is left uncertain (`sending`).
    [(digest, parts)] = setup.daily_digests(FRIEND)
    assert set(parts) <= {PENDING, SENT}, parts
    assert len(digest_parts_seen(friend)) == parts.count(SENT), "what is recorded sent arrived"

    setup.processes.start()
    setup.wait(lambda: setup.pending() == 0, "nothing left pending after the restart")
    setup.wait(lambda: digests_seen(friend), "the digest in the user's chat")
    setup.help_answered(friend)  # the restarted bot is up and its start-up sweep has run

    assert len(digests_seen(friend)) == 1, "exactly one daily digest"
    assert len(digest_parts_seen(friend)) == len(parts), "each part reached the user once"
    assert [d for d, _ in setup.daily_digests(FRIEND)] == [digest]
