"""The only APScheduler code: the digest sweep every minute, and once at start; the feed
pull; the admins' delivery notice; the enrichment from arXiv (jobs/enrichment.py); the daily
backup (jobs/backups.py). Only the install's one sender runs them (see `Leader`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.digests.deliver import SendReport
from bot.digests.departure import Send
from bot.digests.due import send_due_digests
from bot.digests.notices import tell_admins_of_troubles
from bot.digests.opening import DEFAULT_ENGINES
from bot.feeds.pull import FeedParsers, PullReport, pull_and_tell
from bot.store import outbox
from bot.store.db import Store
from bot.store.sender_lease import LocalSenderLease
from jobs.backups import add_backups
from jobs.enrichment import add_enrichment

log = logging.getLogger(__name__)

SWEEP_EVERY = dt.timedelta(minutes=1)  # without settings
FIRST_PULL_AFTER = dt.timedelta(seconds=30)  # let the start-up sweep go first
# How long a stopping bot waits for the digest run under way: its calls in flight finish
# within PTB's timeouts, well inside Docker's 10 s between SIGTERM and SIGKILL.
STOP_GRACE_SECONDS = 8.0
# Longer than any one Bot API request can last (PTB's connect + write + read + pool timeouts):
# a message `sending` for longer was claimed by a process that died during it.
STALE_CLAIM = dt.timedelta(minutes=2)


class Lease(Protocol):
    """The right to run the scheduled jobs: held by one process of the install at a time
    (bot/store/sender_lease.py); `just_acquired` after the `holds()` that took it."""

    def holds(self) -> bool: ...

    @property
    def just_acquired(self) -> bool: ...


class Leader:
    """Whether this process is the install's sender, asked before each run of a job. On
    becoming it, messages a former sender left `sending` become `uncertain`: their requests
    may have reached Telegram, and they must not hold back the parts after them."""

    def __init__(self, store: Store, lease: Lease) -> None:
        self._store = store
        self._lease = lease

    async def lead(self) -> bool:
        holds = await asyncio.to_thread(self._lease.holds)
        if holds and self._lease.just_acquired:
            await asyncio.to_thread(self._recover)
        return holds

    def _recover(self) -> None:
        with self._store.transaction() as session:
            settled = outbox.recover_in_flight(session)
        if settled:
            log.warning("%d message(s) a former sender left out are now uncertain", settled)


class Scheduler(AsyncIOScheduler):
    """APScheduler's asyncio scheduler with a graceful stop for the digest sweep."""

    def __init__(self, leader: Leader) -> None:
        super().__init__(timezone=dt.UTC)
        self.leader = leader
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
    lease: Lease | None = None,
) -> Scheduler:
    """The digest sweep, and with `settings` the newsletter pull and the admins' notice. The
    store is the only state, so a restart or a second replica needs nothing rebuilt; with a
    `lease`, only its holder runs them."""
    # Without a lease (tests, the demo) this process is the only sender.
    scheduler = Scheduler(Leader(store, lease or LocalSenderLease()))
    sweep = _digest_sweep(scheduler, store=store, send=send, clock=clock, settings=settings)
    sweep_every = SWEEP_EVERY if settings is None else settings.digest_sweep_every
    # One sweep at start: digests missed while down go out now.
    _schedule_every(scheduler, sweep, "digest-sweep", sweep_every, first=clock())
    if settings is not None:
        pull = _feed_pull(scheduler, store=store, send=send, clock=clock, settings=settings)
        pull_every = settings.feeds_refresh_every
        first_pull = clock() + min(FIRST_PULL_AFTER, pull_every)
        _schedule_every(scheduler, pull, "feed-pull", pull_every, first=first_pull)
        lead = scheduler.leader.lead
        add_enrichment(scheduler, store=store, settings=settings, clock=clock, lead=lead)
        add_backups(scheduler, store=store, settings=settings, clock=clock, lead=lead)
    return scheduler


def _schedule_every(
    scheduler: Scheduler,
    job: Callable[[], Awaitable[Any]],
    job_id: str,
    every: dt.timedelta,
    *,
    first: dt.datetime,
) -> None:
    """Run `job` every `every` from `first`: one run at a time, and runs missed while one
    lasted (or the process slept) become one run, however late."""
    scheduler.add_job(
        job,
        IntervalTrigger(seconds=every.total_seconds()),
        id=job_id,
        next_run_time=first,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )


def _digest_sweep(
    scheduler: Scheduler,
    *,
    store: Store,
    send: Send,
    clock: Callable[[], dt.datetime],
    settings: Settings | None,
) -> Callable[[], Awaitable[SendReport | None]]:
    """The sweep: due digests out, then (with settings) the admins told of troubles."""

    async def sweep() -> SendReport | None:
        run = asyncio.current_task()
        assert run is not None
        scheduler.sweeps.add(run)
        try:
            if not await scheduler.leader.lead():
                return None
            await asyncio.to_thread(_expire_stale_claims, store, clock())
            report = await send_due_digests(
                clock(),
                store=store,
                send=send,
                stopping=scheduler.stopping,
                clock=clock,
                leading=scheduler.leader.lead,
                engines=settings.search_engines if settings else DEFAULT_ENGINES,
                owner_chat_id=settings.owner_chat_id if settings else None,
                processes=settings.compose_processes if settings else 0,
            )
            if settings is not None and not scheduler.stopping():
                await tell_admins_of_troubles(store, send, clock(), settings.admin_user_ids)
            return report
        finally:
            scheduler.sweeps.discard(run)

    return sweep


def _feed_pull(
    scheduler: Scheduler,
    *,
    store: Store,
    send: Send,
    clock: Callable[[], dt.datetime],
    settings: Settings,
) -> Callable[[], Awaitable[PullReport | None]]:
    """The pull of the due feeds, in the scheduler's parser process when it is a big one."""

    async def pull() -> PullReport | None:
        if not await scheduler.leader.lead():
            return None
        return await pull_and_tell(
            clock(), store=store, settings=settings, send=send, parsers=scheduler.parsers
        )

    return pull


def _expire_stale_claims(store: Store, now: dt.datetime) -> None:
    """A replica that died during a request (a /digest it answered) leaves its message
    `sending`; the sender settles it as uncertain once no request can still be out."""
    with store.transaction() as session:
        outbox.recover_in_flight(session, claimed_before=now - STALE_CLAIM)
