"""The digest sweep: compose what is due, then send what is pending. jobs/scheduler.py runs it
every minute."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from bot.digests.compose import compose_due
from bot.digests.crashpoints import AFTER_COMPOSE, pause_point
from bot.digests.deliver import Clock, SendReport, deliver_pending
from bot.digests.departure import Send
from bot.digests.opening import DEFAULT_ENGINES, SearchEngines
from bot.store.db import Store

log = logging.getLogger(__name__)


def _never() -> bool:
    return False


async def send_due_digests(
    now: dt.datetime,
    *,
    store: Store,
    send: Send,
    stopping: Callable[[], bool] = _never,
    clock: Clock | None = None,
    leading: Callable[[], Awaitable[bool]] | None = None,
    engines: SearchEngines = DEFAULT_ENGINES,
    owner_chat_id: int | None = None,
    processes: int = 0,
) -> SendReport:
    """One sweep: compose the daily digests due at `now`, then deliver everything pending
    (until `stopping()`, see deliver_pending), claims timed by `clock` (default: `now`).
    `processes`: see compose_due."""
    # Composing is synchronous store work: off the event loop, so the bot keeps answering.
    composed = await asyncio.to_thread(compose_due, store, now, engines, owner_chat_id, processes)
    pause_point(AFTER_COMPOSE)
    report = await deliver_pending(
        store, send, clock or (lambda: now), stopping, leading=leading, started=now
    )
    report.composed = composed
    if composed or report.sent or report.retried:
        log.info("digest sweep: %s", report)
    return report
