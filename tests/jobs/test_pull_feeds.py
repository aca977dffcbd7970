"""The feed pull: new posts become articles once, failures back off and finally pause the
feed, and one bad feed never stops the others."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Callable
from email.utils import format_datetime
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.digests.departure import Outcome, SendResult
from bot.feeds.pull import PARSE_PROCESS_FROM, FeedParsers, PullReport, pull_and_tell, pull_feeds
from bot.library.items import ItemKind
from bot.store.db import Store
from bot.store.feeds import PAUSE_AFTER_ERRORS, FeedOutcome
from bot.store.models import Item, Source, SourceKind
from tests.conftest import NOW
from tests.support.feedserver import LIMITS, FeedServer
from tests.support.feedserver import server as server  # the fixture


def add_feed(store: Store, name: str, url: str) -> int:
    with store.transaction() as session:
        source = Source(kind=SourceKind.FEED, key=f"feed:{name}", name=name, feed_url=url)
        session.add(source)
        session.flush()
        return source.id


def pull(
    store: Store, settings: Settings, now: dt.datetime, *, due_only: bool = True
) -> PullReport:
    async def main() -> PullReport:
        async with httpx.AsyncClient(trust_env=False) as client:
            return await pull_feeds(
                now,
                store=store,
                client=client,
                settings=settings,
                limits=LIMITS,
                due_only=due_only,
            )

    return asyncio.run(main())


def articles(store: Store) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(Item)) or 0


def test_posts_become_items_once_and_a_bad_feed_does_not_stop_the_others(
    store: Store, settings: Settings, server: FeedServer
) -> None:
    add_feed(store, "rss", server.url("/rss"))
    add_feed(store, "atom", server.url("/atom"))
    add_feed(store, "broken", server.url("/status/500"))
    add_feed(store, "gone", server.url("/hang"))
    report = pull(store, settings, NOW)
    assert report.outcomes[FeedOutcome.UPDATED] == 2
    assert report.outcomes[FeedOutcome.FAILED] == 2
    first = articles(store)
    assert first >= 3
    later = NOW + dt.timedelta(minutes=settings.feeds_refresh_minutes)
    again = pull(store, settings, later)
    assert again.items.added.total() == 0
    assert articles(store) == first
    with store.transaction() as session:
        kinds = set(session.scalars(select(Item.kind)))
        broken = session.scalars(select(Source).where(Source.name == "broken")).one()
    assert kinds <= {ItemKind.ARTICLE, ItemKind.PAPER}
    assert broken.error_count >= 1 and broken.last_error and "500" in broken.last_error


def test_a_feed_is_not_fetched_again_before_its_next_check(
    store: Store, settings: Settings, server: FeedServer
) -> None:
    add_feed(store, "rss", server.url("/rss"))
    pull(store, settings, NOW)
    assert pull(store, settings, NOW + dt.timedelta(minutes=1)).outcomes.total() == 0


def test_a_failing_feed_backs_off_and_is_paused_once(
    store: Store, settings: Settings, server: FeedServer
) -> None:
    add_feed(store, "broken", server.url("/status/404"))
    now, paused = NOW, []
    for _ in range(PAUSE_AFTER_ERRORS + 2):
        report = pull(store, settings, now)
        paused += report.paused
        now += dt.timedelta(days=2)  # past any backoff
    assert paused == [server.url("/status/404")]  # told once
    with store.transaction() as session:
        source = session.scalars(select(Source)).one()
    assert source.paused and source.error_count == PAUSE_AFTER_ERRORS


def asked(server: FeedServer, path: str) -> int:
    return server.recorder.paths().count(path)


@pytest.mark.parametrize(
    ("retry_after", "waits"),
    [
        ("10800", dt.timedelta(hours=3)),  # longer than the backoff: honoured
        (format_datetime(NOW + dt.timedelta(hours=4), usegmt=True), dt.timedelta(hours=4)),
        ("604800", dt.timedelta(days=1)),  # a week: at most a day
        ("1", dt.timedelta(hours=2)),  # shorter than the backoff (2 × 60 min): the backoff
    ],
)
def test_a_busy_feeds_retry_after_is_honoured_within_bounds(
    store: Store, settings: Settings, server: FeedServer, retry_after: str, waits: dt.timedelta
) -> None:
    path = f"/retry-after/429/{quote(retry_after)}"
    add_feed(store, "busy", server.url(path))
    before = asked(server, path)
    report = pull(store, settings, NOW)
    assert report.outcomes[FeedOutcome.FAILED] == 1
    assert pull(store, settings, NOW + waits - dt.timedelta(minutes=1)).outcomes.total() == 0
    assert asked(server, path) == before + 1  # not asked again before it said
    assert pull(store, settings, NOW + waits).outcomes[FeedOutcome.FAILED] == 1
    assert asked(server, path) == before + 2
    with store.transaction() as session:
        source = session.scalars(select(Source)).one()
    assert source.last_error and "429" in source.last_error and "Retry-After" in source.last_error


def test_a_permanent_redirect_updates_the_feed_url(
    store: Store, settings: Settings, server: FeedServer
) -> None:
    feed_id = add_feed(store, "moved", server.url("/moved"))
    assert pull(store, settings, NOW).outcomes[FeedOutcome.UPDATED] == 1
    with store.transaction() as session:
        source = session.get(Source, feed_id)
        assert source is not None and source.feed_url == server.url("/rss")


def test_admins_are_told_once_when_a_feed_is_paused(
    store: Store, make_settings: Callable[..., Settings], database_url: str, server: FeedServer
) -> None:
    settings = make_settings(database_url=database_url, admin_user_ids=(7, 8))
    feed_id = add_feed(store, "broken", server.url("/status/404"))
    with store.transaction() as session:
        source = session.get(Source, feed_id)
        assert source is not None
        source.error_count = PAUSE_AFTER_ERRORS - 1
    told: list[tuple[int, str]] = []

    async def send(chat_id: int, body: str, buttons: object) -> SendResult:
        told.append((chat_id, body))
        return SendResult(Outcome.SENT, message_id=1)

    for day in range(3):
        asyncio.run(
            pull_and_tell(
                NOW + dt.timedelta(days=2 * day), store=store, settings=settings, send=send
            )
        )
    assert [chat for chat, _ in told] == [7, 8]
    assert "is paused" in told[0][1] and server.url("/status/404") in told[0][1]


def test_a_big_pull_parses_in_a_process_of_its_own_and_stores_the_same(
    store: Store, settings: Settings, server: FeedServer
) -> None:
    """From PARSE_PROCESS_FROM due feeds feedparser runs in a separate process; a parser
    process that dies mid-pull is replaced by threads, and nothing is lost either way."""
    for n in range(PARSE_PROCESS_FROM):
        add_feed(store, f"rss {n}", server.url(f"/rss?copy={n}"))
    add_feed(store, "atom", server.url("/atom"))
    parsers = FeedParsers()
    try:
        report = pull_with(store, settings, NOW, parsers)
        assert report.outcomes == Counter({FeedOutcome.UPDATED: PARSE_PROCESS_FROM + 1})
        assert parsers.for_pull(PARSE_PROCESS_FROM) is not None
        first = articles(store)
        assert first >= 3  # the RSS feed's posts once, whatever number of copies
        pool = parsers.for_pull(PARSE_PROCESS_FROM)
        processes = list(pool._processes.values())  # type: ignore[union-attr]
        assert processes  # the parsing happened there
        for process in processes:
            process.kill()
        later = NOW + dt.timedelta(minutes=settings.feeds_refresh_minutes)
        with store.transaction() as session:  # forget the validators: every feed parses again
            for source in session.scalars(select(Source)):
                source.etag = source.last_modified = None
        again = pull_with(store, settings, later, parsers)
        assert again.outcomes == Counter({FeedOutcome.UPDATED: PARSE_PROCESS_FROM + 1})
        assert articles(store) == first
    finally:
        parsers.shutdown()


def pull_with(
    store: Store, settings: Settings, now: dt.datetime, parsers: FeedParsers
) -> PullReport:
    async def main() -> PullReport:
        async with httpx.AsyncClient(trust_env=False) as client:
            return await pull_feeds(
                now, store=store, client=client, settings=settings, limits=LIMITS,
                parsers=parsers,
            )  # fmt: skip

    return asyncio.run(main())


def test_a_pull_by_hand_asks_every_feed_but_one_whose_host_said_when_to_come_back(
    store: Store, settings: Settings, server: FeedServer
) -> None:
    busy, broken = "/retry-after/503/3600", "/status/500"
    add_feed(store, "busy", server.url(busy))
    add_feed(store, "broken", server.url(broken))
    add_feed(store, "fine", server.url("/rss"))
    pull(store, settings, NOW)
    asked_before = {path: asked(server, path) for path in (busy, broken, "/rss")}

    later = NOW + dt.timedelta(minutes=1)  # both failures are in their backoff now
    report = pull(store, settings, later, due_only=False)

    assert report.outcomes.total() == 2
    assert asked(server, busy) == asked_before[busy], "its host asked for an hour's rest"
    assert asked(server, broken) == asked_before[broken] + 1, "our own backoff yields to a hand"
    assert asked(server, "/rss") == asked_before["/rss"] + 1
