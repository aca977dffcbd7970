"""The only APScheduler code: the digest sweep every minute, and once at start."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.store.db import Store
from jobs.digests import Send, SendReport, send_due_digests
from jobs.feeds import FeedParsers, PullReport, pull_and_tell

SWEEP_EVERY = dt.timedelta(minutes=1)  # without settings
FIRST_PULL_AFTER = dt.timedelta(seconds=30)  # let the start-up sweep go first
# How long a stopping bot waits for the digest run under way: its calls in flight finish
# within PTB's timeouts, well inside Docker's 10 s between SIGTERM and SIGKILL.
STOP_GRACE_SECONDS = 8.0


class Scheduler(AsyncIOScheduler):
    """APScheduler's asyncio scheduler with a graceful stop for the digest sweep."""

    def __init__(self) -> None:
        super().__init__(timezone=dt.UTC)
        self.sweeps: set[asyncio.Task[Any]] = set()  # digest runs under way
        self.parsers = FeedParsers()  # the feed pull's parser process, when it needs one
        self._stopping = False

    def stopping(self) -> bool:
        return self._stopping

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Start no more runs; a digest run under way claims no more messages, and its calls
        in flight finish and are recorded while the bot can still send (the rest stays pending
        for the next start). Then shut down, cancelling what still runs (a feed pull)."""
        if not self.running:
            return
        self._stopping = True
        self.pause()
        if self.sweeps:
            await asyncio.wait(self.sweeps, timeout=grace)
        self.shutdown(wait=False)
        self.parsers.shutdown()


def build_scheduler(
    *,
    store: Store,
    send: Send,
    clock: Callable[[], dt.datetime],
    settings: Settings | None = None,
) -> Scheduler:
    """The digest sweep, and with `settings` the newsletter pull. The store is the only
    state, so a restart or a second replica needs nothing rebuilt."""
    scheduler = Scheduler()
    sweep_every = SWEEP_EVERY if settings is None else settings.digest_sweep_every

    async def sweep() -> SendReport:
        run = asyncio.current_task()
        assert run is not None
        scheduler.sweeps.add(run)
        try:
            return await send_due_digests(
                clock(), store=store, send=send, stopping=scheduler.stopping
            )
        finally:
            scheduler.sweeps.discard(run)

    scheduler.add_job(
        sweep,
        IntervalTrigger(seconds=sweep_every.total_seconds()),
        id="digest-sweep",
        next_run_time=clock(),  # one sweep at start: digests missed while down go out now
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    if settings is not None:
        pull_every = settings.feeds_refresh_every

        async def pull() -> PullReport:
            return await pull_and_tell(
                clock(), store=store, settings=settings, send=send, parsers=scheduler.parsers
            )

        scheduler.add_job(
            pull,
            IntervalTrigger(seconds=pull_every.total_seconds()),
            id="feed-pull",
            next_run_time=clock() + min(FIRST_PULL_AFTER, pull_every),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    return scheduler
