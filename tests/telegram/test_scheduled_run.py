"""APScheduler's own triggers in a real `lamplight run`: the digest sweep and the feed pull run
again and again on their intervals (made short here by settings), not just once at start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.store import feeds as feed_store
from bot.store.models import Item
from tests.support.botapi import FakeBotAPI
from tests.support.crashes import FRIEND, PASSED, Setup, digests_seen, stage
from tests.support.feedserver import FeedServer

FIRST, SECOND = "Reading list: sparse attention", "Notes on small language models"


@pytest.fixture
def setup(botapi: FakeBotAPI, tmp_path: Path) -> Iterator[Setup]:
    with stage(botapi, tmp_path, examples=False) as ready:  # an empty library
        yield ready


def stored_titles(setup: Setup) -> set[str]:
    with setup.store.transaction() as session:
        return set(session.scalars(select(Item.title)))


def test_the_digest_sweep_and_the_feed_pull_run_on_their_triggers(setup: Setup) -> None:
    with FeedServer() as newsletter:
        newsletter.publish(FIRST)
        with setup.store.transaction() as session:
            feed_store.follow(session, newsletter.url("/live"), "Live", dt.datetime.now(dt.UTC))
        # Not due at start (three hours ahead, local): the start-up sweep sends nothing.
        friend = setup.subscribe(FRIEND, setup.later_today())
        setup.processes.start(DIGEST_SWEEP_SECONDS="1", FEEDS_REFRESH_MINUTES="0.02")

        setup.wait(lambda: FIRST in stored_titles(setup), "the first feed pull")
        newsletter.publish(SECOND, FIRST)
        setup.wait(lambda: SECOND in stored_titles(setup), "a later pull, on the feed trigger")
        assert newsletter.recorder.paths().count("/live") >= 2

        assert digests_seen(friend) == [], "not due yet: no sweep sent a digest"
        setup.set_digest_time(FRIEND, PASSED)
        [digest] = setup.wait(lambda: digests_seen(friend), "a later sweep's digest")
    assert FIRST in digest.visible_text or SECOND in digest.visible_text
    assert "Traceback" not in setup.processes.output()
