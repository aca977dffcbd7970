"""The scheduled enrichment from arXiv: a job of its own beside the feed pull, run only by the
install's sender (like the other jobs), so a slow or backing-off arXiv never holds up a digest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.enrich.run import EnrichReport, enrich_library
from bot.store.db import Store

FIRST_ENRICH_AFTER = dt.timedelta(minutes=3)  # after the start-up sweep and the first pull


def add_enrichment(
    scheduler: AsyncIOScheduler,
    *,
    store: Store,
    settings: Settings,
    clock: Callable[[], dt.datetime],
    lead: Callable[[], Awaitable[bool]],
) -> None:
    """Every ENRICH_EVERY_HOURS (unless ENRICH=off), while `lead()` says this process is the
    sender: ask arXiv about the papers not yet enriched, new ones from feeds included."""
    if not settings.enrich:
        return
    every = settings.enrich_every

    async def enrich() -> EnrichReport | None:
        if not await lead():
            return None
        return await enrich_library(store, settings)

    scheduler.add_job(
        enrich,
        IntervalTrigger(seconds=every.total_seconds()),
        id="enrich",
        next_run_time=clock() + min(FIRST_ENRICH_AFTER, every),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
