"""The daily backup: a job of its own, run only by the install's sender (like the other jobs),
in a thread, so the bot answers while the store is written out."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.backups import DailyBackup, back_up_daily
from bot.config import Settings
from bot.store.backup_format import BackupError
from bot.store.db import Store

log = logging.getLogger(__name__)

FIRST_BACKUP_AFTER = dt.timedelta(minutes=10)  # after the start-up sweep, pull and enrichment
# Asked every hour; the first run of each UTC day writes that day's file, so a bot that
# slept or restarted still backs up once a day.
BACKUP_EVERY = dt.timedelta(hours=1)


def add_backups(
    scheduler: AsyncIOScheduler,
    *,
    store: Store,
    settings: Settings,
    clock: Callable[[], dt.datetime],
    lead: Callable[[], Awaitable[bool]],
) -> None:
    """Unless BACKUP=off (or BACKUP_KEEP=0): the day's backup into BACKUP_DIR, while `lead()`
    says this process is the sender."""
    if not settings.backups_on:
        return

    async def back_up() -> DailyBackup | None:
        if not await lead():
            return None
        try:
            return await asyncio.to_thread(back_up_daily, store, settings, clock())
        except BackupError as exc:
            log.error("the daily backup failed: %s", exc)
            return None

    scheduler.add_job(
        back_up,
        IntervalTrigger(seconds=BACKUP_EVERY.total_seconds()),
        id="backup",
        next_run_time=clock() + FIRST_BACKUP_AFTER,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
