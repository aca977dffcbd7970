"""The only APScheduler code: the digest sweep every minute, and once at start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.store.db import Store
from jobs.digests import Send, SendReport, send_due_digests
from jobs.feeds import PullReport, pull_and_tell

SWEEP_EVERY = dt.timedelta(minutes=1)
FIRST_PULL_AFTER = dt.timedelta(seconds=30)  # let the start-up sweep go first


def build_scheduler(
    *,
    store: Store,
    send: Send,
    clock: Callable[[], dt.datetime],
    settings: Settings | None = None,
) -> AsyncIOScheduler:
    """The digest sweep, and with `settings` the newsletter pull. The store is the only
    state, so a restart or a second replica needs nothing rebuilt."""

    async def sweep() -> SendReport:
        return await send_due_digests(clock(), store=store, send=send)

    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    scheduler.add_job(
        sweep,
        IntervalTrigger(seconds=SWEEP_EVERY.total_seconds()),
        id="digest-sweep",
        next_run_time=clock(),  # one sweep at start: digests missed while down go out now
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    if settings is not None:

        async def pull() -> PullReport:
            return await pull_and_tell(clock(), store=store, settings=settings, send=send)

        scheduler.add_job(
            pull,
            IntervalTrigger(minutes=settings.feeds_refresh_minutes),
            id="feed-pull",
            next_run_time=clock() + FIRST_PULL_AFTER,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    return scheduler
