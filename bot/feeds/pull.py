"""Pulling the newsletters: fetch every due feed at once, store results as they arrive."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import multiprocessing
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field

import httpx

from bot.config import Settings
from bot.digests.departure import Send
from bot.feeds.fetch import FeedRequest, FetchLimits, fetch_as_done
from bot.feeds.parse import parse_feed
from bot.feeds.results import FetchResult
from bot.i18n import DEFAULT_LANGUAGE, translator
from bot.library.importer import prepare_entry
from bot.library.items import PreparedItem
from bot.store.adding import ImportReport
from bot.store.db import Store
from bot.store.feeds import (
    PAUSE_AFTER_ERRORS,
    DueFeed,
    FeedOutcome,
    Fetched,
    active_feeds,
    due_feeds,
    record_fetches,
)
from bot.store.models import Chat

log = logging.getLogger(__name__)


# From this many due feeds a pull parses them in a process of its own: feedparser's CPU then
# runs beside the fetching and storing instead of taking turns with them under the GIL. The
# default 16 newsletters parse in threads, and the idle bot has no extra process.
PARSE_PROCESS_FROM = 32


class FeedParsers:
    """A one-process pool that parses feeds for big pulls: started by the first pull that needs
    it and kept for the next ones, shut down with the scheduler."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def for_pull(self, feeds: int) -> Executor | None:
        if feeds < PARSE_PROCESS_FROM:
            return None
        if self._pool is None:
            # forkserver: the bot has threads running, which a plain fork would copy mid-step.
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return self._pool

    def warm(self) -> None:
        """Start the process and load the parser in it now (a bench stands in for the bot's
        earlier pulls)."""
        pool = self.for_pull(PARSE_PROCESS_FROM)
        assert pool is not None
        pool.submit(parse_feed, b"<rss version='2.0'><channel/></rss>", {}, "").result()

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


@dataclass
class PullReport:
    outcomes: Counter[FeedOutcome] = field(default_factory=Counter)
    items: ImportReport = field(default_factory=ImportReport)
    paused: list[str] = field(default_factory=list)  # feeds this pull paused: tell the admins


async def pull_feeds(
    now: dt.datetime,
    *,
    store: Store,
    client: httpx.AsyncClient,
    settings: Settings,
    limits: FetchLimits | None = None,
    parsers: FeedParsers | None = None,
    due_only: bool = True,
) -> PullReport:
    """One pull of the due feeds, or (``due_only=False``, by hand) of every active one: a
    failing feed is recorded and backs off; it never stops the others.

    Results are stored while later fetches are still under way: whatever arrived while one
    batch was being written becomes the next batch, so slow hosts cost waiting, not CPU."""
    report = PullReport()
    due = _to_pull(store, now, due_only)
    if not due:
        return report

    async def write(batch: list[tuple[DueFeed, FetchResult]]) -> None:
        # Tokenising posts and writing them is CPU and I/O: off the loop, like the parsing.
        outcomes = await asyncio.to_thread(_store_batch, store, settings, now, report, batch)
        for (feed, result), outcome in zip(batch, outcomes, strict=True):
            report.outcomes[outcome] += 1
            if outcome is FeedOutcome.PAUSED:
                report.paused.append(feed.url)
                log.warning("feed %s paused after repeated failures: %s", feed.url, result.detail)

    requests = [FeedRequest(f.url, f.etag, f.last_modified) for f in due]
    waiting: list[tuple[DueFeed, FetchResult]] = []
    writing: asyncio.Task[None] | None = None
    parser = parsers.for_pull(len(due)) if parsers is not None else None
    async for index, result in fetch_as_done(client, requests, limits or FetchLimits(), parser):
        waiting.append((due[index], result))
        if writing is None or writing.done():
            if writing is not None:
                await writing  # a store error ends the pull, as it would have anyway
            writing = asyncio.create_task(write(waiting))
            waiting = []
    if writing is not None:
        await writing
    if waiting:
        await write(waiting)
    return report


def _store_batch(
    store: Store,
    settings: Settings,
    now: dt.datetime,
    report: PullReport,
    batch: list[tuple[DueFeed, FetchResult]],
) -> list[FeedOutcome]:
    fetched = [Fetched(f.id, r, _prepare(f.key, r)) for f, r in batch]
    every = dt.timedelta(minutes=settings.feeds_refresh_minutes)
    with store.transaction() as session:
        return record_fetches(
            session,
            fetched,
            owner_chat_id=settings.owner_chat_id,
            now=now,
            every=every,
            report=report.items,
        )


def _to_pull(store: Store, now: dt.datetime, due_only: bool) -> list[DueFeed]:
    """A pull by hand asks every active feed: conditional requests keep that cheap, and it
    finds what changed even right after a scheduled pull."""
    with store.transaction() as session:
        return due_feeds(session, now) if due_only else active_feeds(session, now)


def _prepare(feed_key: str, result: FetchResult) -> list[PreparedItem]:
    return [prepare_entry(feed_key, entry) for entry in result.entries] if result.ok else []


def feed_client() -> httpx.AsyncClient:
    """The client pulls use, its pool sized for a pull's fetches in flight. trust_env (the
    default) honours HTTPS_PROXY / ALL_PROXY, socks5:// included (httpx[socks])."""
    pool = httpx.Limits(max_connections=FetchLimits().overall, max_keepalive_connections=20)
    return httpx.AsyncClient(limits=pool)


async def pull_and_tell(
    now: dt.datetime,
    *,
    store: Store,
    settings: Settings,
    send: Send,
    parsers: FeedParsers | None = None,
) -> PullReport:
    """The scheduled pull: fetch what is due, and tell the admins once about each feed this
    pull had to pause."""
    async with feed_client() as client:
        report = await pull_feeds(
            now, store=store, client=client, settings=settings, parsers=parsers
        )
    languages = _languages(store, settings.admin_user_ids) if report.paused else {}
    for url in report.paused:
        for admin, language in languages.items():
            _ = translator(language).gettext
            # i18n: Telegram HTML; keep the tags
            notice = _(
                "The feed {url} failed {count} times in a row and is paused. "
                "Check it with <code>lamplight feeds list</code>."
            ).format(url=html.escape(url), count=PAUSE_AFTER_ERRORS)
            await send(admin, notice, [])
    return report


def _languages(store: Store, chat_ids: Iterable[int]) -> dict[int, str]:
    """Each chat's bot language; English for one that never sent /start."""
    with store.transaction() as session:
        chats = {chat_id: session.get(Chat, chat_id) for chat_id in chat_ids}
        return {i: chat.language if chat else DEFAULT_LANGUAGE for i, chat in chats.items()}
