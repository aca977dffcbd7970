"""Enriching the library from arXiv: the service the scheduled job and `lamplight enrich` share.

Each request waits for the API's turn in the store (``bot.store.pace``), so every process of
the install together keeps arXiv's terms: one request every ARXIV_MIN_INTERVAL_SECONDS, one
connection at a time. A failed request (an error, a timeout, a Retry-After, a malformed answer)
ends the run and backs off, stored; the next run starts when that time has come. The store is
reached from a thread and the request is awaited, so nothing here holds up a digest.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import httpx

from bot.config import Settings
from bot.digests.schedule import retry_after_delay
from bot.enrich.arxiv import ARXIV_LIMITS, ArxivReply, arxiv_client, ask, query_of
from bot.enrich.plan import (
    ByIds,
    EnrichmentStatus,
    Finding,
    Plan,
    Request,
    backoff_until,
    findings,
    plan_requests,
)
from bot.feeds.fetch import FetchLimits
from bot.store import enrichments, pace
from bot.store.db import Store

log = logging.getLogger(__name__)

# Called after each request with (items done, items planned).
Progress = Callable[[int, int], None]


@dataclass
class EnrichReport:
    """What one run did."""

    off: bool = False  # ENRICH=off: nothing was asked
    planned: int = 0  # items the run meant to ask for
    requests: int = 0
    found: list[tuple[str, str]] = field(default_factory=list)  # (arXiv's title, "id"/"title")
    not_found: int = 0
    failed: int = 0
    skipped_chinese: int = 0
    skipped_short: int = 0
    error: str = ""  # the failure that ended the run
    waiting_until: dt.datetime | None = None  # the API's backoff ended (or would end) the run

    def count(self, how: str) -> int:
        return sum(1 for _, by in self.found if by == how)


def utc_now() -> dt.datetime:
    # Real time, always: the pace is kept with arXiv's clock, not a test's.
    return dt.datetime.now(dt.UTC)


async def enrich_library(
    store: Store,
    settings: Settings,
    *,
    limit: int | None = None,
    limits: FetchLimits = ARXIV_LIMITS,
    progress: Progress | None = None,
    only: Collection[int] | None = None,
) -> EnrichReport:
    """Ask arXiv about every item due (at most `limit` items; `only` those with these ids)
    and store what it says."""
    report = EnrichReport(off=not settings.enrich)
    if report.off:
        return report
    plan = await asyncio.to_thread(_plan, store, utc_now(), limit, only)
    report.planned = plan.items
    report.skipped_chinese, report.skipped_short = plan.skipped_chinese, plan.skipped_short
    if not plan.requests:
        return report
    turns = Turns(store, settings, limits)
    done = 0
    async with arxiv_client(settings.arxiv_contact) as client:
        for request in plan.requests:
            if not await _one(client, turns, request, report):
                break
            done += len(request.item_ids)
            if progress is not None:
                progress(done, plan.items)
    return report


def _plan(store: Store, now: dt.datetime, limit: int | None, only: Collection[int] | None) -> Plan:
    with store.transaction() as session:
        restored = enrichments.restore_tokens(session)
        if restored:
            log.info("search tokens of %d enriched item(s) appended again after edits", restored)
        return plan_requests(enrichments.lookup_items(session, only), now, limit)


class Turns:
    """Waiting for the API's turn and giving it back, through the store."""

    def __init__(self, store: Store, settings: Settings, limits: FetchLimits) -> None:
        self.store = store
        self.url = settings.arxiv_api_url
        self.limits = limits
        self.interval = dt.timedelta(seconds=settings.arxiv_min_interval_seconds)
        # The turn is held while a request may last, so no other process sends meanwhile.
        self.hold = dt.timedelta(seconds=limits.total_timeout) + self.interval

    async def take(self) -> pace.Turn | pace.Waiting:
        """The turn, after waiting for another process's request to end; Waiting when the
        API backs off (after a failure), or the turn is held longer than a request may last."""
        while True:
            got = await asyncio.to_thread(self._take, utc_now())
            if isinstance(got, pace.Turn):
                return got
            # Measured from after the look: a turn another process took since `now` was read
            # is held until up to `hold` past its own now, which would read as longer.
            wait = (got.until - utc_now()).total_seconds()
            if got.failures or wait > self.hold.total_seconds():
                return got
            # A turn another process holds is given back when its answer comes, long before
            # the hold ends: look again after an interval rather than sleep through the hold.
            await asyncio.sleep(min(max(wait, 0.001), self.interval.total_seconds()))

    def _take(self, now: dt.datetime) -> pace.Turn | pace.Waiting:
        with self.store.transaction() as session:
            return pace.take_turn(session, pace.ARXIV, now, self.hold)

    def give_back(self, turn: pace.Turn, reply: ArxivReply, results: list[Finding]) -> None:
        """Store the results and end the turn, in one transaction."""
        now = utc_now()
        if reply.ok:
            next_at = now + self.interval
        else:
            delay = retry_after_delay(reply.retry_after, now)
            next_at = backoff_until(now, turn.failures + 1, delay, self.interval)
        with self.store.transaction() as session:
            enrichments.record(session, results, now)
            if not pace.give_back(session, turn, next_at, reply.error):
                log.warning("an arXiv request outlasted its turn; another process holds it")


async def _one(
    client: httpx.AsyncClient, turns: Turns, request: Request, report: EnrichReport
) -> bool:
    """Ask for one request's items; False when the run must stop (a failure, a backoff)."""
    due = await asyncio.to_thread(_still_due, turns.store, request)
    if due is None:
        return True  # another process answered it meanwhile
    request = due
    turn = await turns.take()
    if isinstance(turn, pace.Waiting):
        report.waiting_until, report.error = turn.until, turn.last_error or ""
        log.info("arXiv is not asked before %s", turn.until.isoformat(timespec="seconds"))
        return False
    reply = await ask(client, turns.url, query_of(request), turns.limits)
    results = findings(request, reply.papers if reply.ok else None)
    await asyncio.to_thread(turns.give_back, turn, reply, results)
    report.requests += 1
    _count(report, request, results)
    if not reply.ok:
        report.error = reply.error
        log.warning("an arXiv request failed, backing off: %s", reply.error)
    return reply.ok


def _still_due(store: Store, request: Request) -> Request | None:
    with store.transaction() as session:
        return enrichments.still_due(session, request, utc_now())


def _count(report: EnrichReport, request: Request, results: list[Finding]) -> None:
    how = "id" if isinstance(request, ByIds) else "title"
    for result in results:
        if result.paper is not None:
            report.found.append((result.paper.title, how))
        elif result.status is EnrichmentStatus.NOT_FOUND:
            report.not_found += 1
        else:
            report.failed += 1
