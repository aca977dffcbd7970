"""Pulling the newsletters: fetch every due feed at once, store each result on its own."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bot.config import Settings
from bot.feeds import FeedRequest, FetchLimits, FetchResult, fetch_many
from bot.importer import prepare_entry
from bot.items import PreparedItem
from bot.store import feeds as feed_store
from bot.store.db import Store
from bot.store.feeds import PAUSE_AFTER_ERRORS
from bot.store.library import ImportReport
from jobs.digests import Send

log = logging.getLogger(__name__)


@dataclass
class PullReport:
    outcomes: Counter[feed_store.FeedOutcome] = field(default_factory=Counter)
    items: ImportReport = field(default_factory=ImportReport)
    paused: list[str] = field(default_factory=list)  # feeds this pull paused: tell the admins


async def pull_feeds(
    now: dt.datetime,
    *,
    store: Store,
    client: httpx.AsyncClient,
    settings: Settings,
    limits: FetchLimits | None = None,
) -> PullReport:
    """One pull: a failing feed is recorded and backs off; it never stops the others."""
    report = PullReport()
    with store.transaction() as session:
        due = feed_store.due_feeds(session, now)
    if not due:
        return report
    requests = [FeedRequest(f.url, f.etag, f.last_modified) for f in due]
    results = await fetch_many(client, requests, limits or FetchLimits())
    every = dt.timedelta(minutes=settings.feeds_refresh_minutes)
    for feed, result in zip(due, results, strict=True):
        # Tokenising posts is CPU work: off the loop, like the fetches' parsing.
        entries = await asyncio.to_thread(lambda r=result, k=feed.key: _prepare(k, r))
        with store.transaction() as session:
            outcome = feed_store.record_fetch(
                session, feed.id, result, entries, owner_chat_id=settings.owner_chat_id,
                now=now, every=every, report=report.items,
            )  # fmt: skip
        report.outcomes[outcome] += 1
        if outcome is feed_store.FeedOutcome.PAUSED:
            report.paused.append(feed.url)
            log.warning("feed %s paused after repeated failures: %s", feed.url, result.detail)
    return report


def _prepare(feed_key: str, result: FetchResult) -> list[PreparedItem]:
    return [prepare_entry(feed_key, entry) for entry in result.entries] if result.ok else []


async def pull_and_tell(
    now: dt.datetime, *, store: Store, settings: Settings, send: Send
) -> PullReport:
    """The scheduled pull: fetch what is due, and tell the admins once about each feed this
    pull had to pause."""
    # trust_env (the default) honours HTTPS_PROXY/ALL_PROXY for the feeds too.
    async with httpx.AsyncClient() as client:
        report = await pull_feeds(now, store=store, client=client, settings=settings)
    for url in report.paused:
        notice = (
            f"The feed {html.escape(url)} failed {PAUSE_AFTER_ERRORS} times in a row and is "
            "paused. Check it with <code>lamplight feeds list</code>."
        )
        for admin in settings.admin_user_ids:
            await send(admin, notice, [])
    return report
