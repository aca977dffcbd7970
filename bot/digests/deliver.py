"""Delivering stored digests: each message claimed as its rate-limiter slot is granted, sent,
and its outcome recorded. A plain service: the store, a sender and a clock come as arguments.

The promise: every message is delivered exactly once, except that a request whose answer is
lost (the process dies during it, or the reply never comes) is uncertain and counts as
delivered. A message is `sending` only while its request is out, and one at a time: waiting
for a slot, for a 429 hold or for a retry happens while it is still `pending`, so a crash
there loses nothing, and a crash anywhere leaves at most one message uncertain.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.digests.crashpoints import BEFORE_RECORD, RATE_HOLD, SLOTS_QUEUED, pause_point
from bot.digests.departure import Departure, Outcome, Send, SendResult
from bot.digests.schedule import day_end, next_send_retry
from bot.store import outbox
from bot.store.db import Store
from bot.store.outbox import OutgoingMessage

CHAT_BATCH = 200  # chats served at once; the rate limiter paces them
REFILL_BELOW = CHAT_BATCH // 2  # top up when this few are left: seconds of work at 28/s
# A 429 asks for seconds, not minutes: a hold this short is waited out within the run (the
# message pending meanwhile), a few times per message; longer ones wait for a later sweep.
MAX_HOLD_IN_RUN = dt.timedelta(seconds=15)
MAX_HOLDS_IN_RUN = 3


Clock = Callable[[], dt.datetime]


def _never() -> bool:
    return False


@dataclass
class SendReport:
    composed: int = 0
    sent: int = 0
    retried: int = 0
    uncertain: int = 0
    blocked: int = 0
    refused: int = 0
    gave_up: int = 0

    def count(self, field_name: str) -> None:
        setattr(self, field_name, getattr(self, field_name) + 1)


@dataclass
class _Run:
    """One delivery run's collaborators and tallies."""

    store: Store
    send: Send
    clock: Clock
    stopping: Callable[[], bool]
    started: dt.datetime
    report: SendReport = field(default_factory=SendReport)
    waiting: int = 0  # messages of this run waiting for their rate-limiter slot
    # Claims and records run in a thread of their own: they are on every send's path (the
    # next claimed message leaves only once this one is recorded), and behind other store
    # work in the shared pool they would hold up every send.
    claims: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "claims"))


async def deliver_pending(
    store: Store,
    send: Send,
    clock: Clock,
    stopping: Callable[[], bool] = _never,
    *,
    only: Collection[int] | None = None,
    leading: Callable[[], Awaitable[bool]] | None = None,
    started: dt.datetime | None = None,
) -> SendReport:
    """Send every message that may go now (of the chats in `only`, if given). Chats are
    served concurrently (the rate limiter paces them), each chat's messages in order, each
    chat once per run: up to CHAT_BATCH chats at once, topped up as they finish so the pace
    never idles between batches, each top-up only while `leading()` (this process is still
    the install's sender). Once `stopping()` nothing more is claimed: the calls in flight
    finish and are recorded, and the rest stays pending for the next run. Backoffs count
    from `started` (the sweep's start; default now)."""
    run = _Run(store, send, clock, stopping, started or clock())
    try:
        await _serve(run, only, leading)
    finally:
        run.claims.shutdown(wait=False)
    return run.report


async def _serve(
    run: _Run, only: Collection[int] | None, leading: Callable[[], Awaitable[bool]] | None
) -> None:
    served: set[int] = set()
    active: set[asyncio.Task[None]] = set()
    more = True
    while more or active:
        if more and len(active) <= REFILL_BELOW:
            room = CHAT_BATCH - len(active)
            go_on = not run.stopping() and (leading is None or await leading())
            chats = await asyncio.to_thread(_candidates, run, served, only, room) if go_on else {}
            more = len(chats) == room
            served.update(chats)
            active.update(
                asyncio.create_task(_deliver_chat(run, chat, head)) for chat, head in chats.items()
            )
        if active:
            _, active = await asyncio.wait(active, return_when=asyncio.FIRST_COMPLETED)


def _candidates(
    run: _Run, served: set[int], only: Collection[int] | None, limit: int
) -> dict[int, OutgoingMessage | None]:
    """Up to `limit` chats with something to send, each with the head of its queue (read
    in one query: a peek per chat would crowd the event loop out of the GIL)."""
    with run.store.transaction() as session:
        chats = outbox.chats_with_pending(
            session, now=run.clock(), limit=limit, exclude=served, only=only
        )
        heads = outbox.next_messages(session, chats)
    return {chat: heads.get(chat) for chat in chats}


async def _deliver_chat(run: _Run, chat_id: int, head: OutgoingMessage | None) -> None:
    holds, message = 0, head
    while not run.stopping():
        if message is None:
            return
        if message.retry_at is not None and message.retry_at > run.clock():
            wait = message.retry_at - run.clock()
            if wait > MAX_HOLD_IN_RUN or holds >= MAX_HOLDS_IN_RUN:
                return  # a later sweep sends it
            holds += 1
            await _sleep(wait.total_seconds(), run.stopping)
            message = await asyncio.to_thread(_next, run.store, chat_id)
            continue
        result, counted = await _send_and_record(run, message)
        if counted is None:
            return  # another sender has it, or it may not go after all
        run.report.count(counted)  # on the loop: no races
        if result.outcome is Outcome.SENT:
            pause_point(SLOTS_QUEUED, run.waiting)
        elif result.outcome is Outcome.RETRY and result.retry_after and counted == "retried":
            pause_point(RATE_HOLD)
        elif result.outcome is not Outcome.UNCERTAIN:
            return  # blocked, refused, given up, or a retry minutes away
        message = await asyncio.to_thread(_next, run.store, chat_id)


async def _send_and_record(run: _Run, message: OutgoingMessage) -> tuple[SendResult, str | None]:
    """Send `message`, claimed only as its slot is granted, and record the outcome; returns
    it and the SendReport field it counts in (None: not claimed, nothing happened). Until
    it is recorded no other claimed message leaves, so at most one is ever `sending`."""
    granted = False

    async def claim() -> bool:
        nonlocal granted
        granted = True
        run.waiting -= 1
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(run.claims, _claim, run.store, message.id, run.clock())

    departure = Departure(claim)
    run.waiting += 1
    try:
        result = await run.send(message.chat_id, message.body, message.buttons, departure=departure)
        if result.outcome is Outcome.NOT_CLAIMED:
            return result, None
        if result.outcome is Outcome.SENT:
            pause_point(BEFORE_RECORD)
        loop = asyncio.get_running_loop()
        return result, await loop.run_in_executor(run.claims, _settle, run, message, result)
    finally:
        departure.settled()
        if not granted:
            run.waiting -= 1


async def _sleep(seconds: float, stopping: Callable[[], bool]) -> None:
    """Sleep, waking early when the bot stops (nothing is `sending` meanwhile)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not stopping() and (left := deadline - asyncio.get_running_loop().time()) > 0:
        await asyncio.sleep(min(left, 0.25))


def _next(store: Store, chat_id: int) -> OutgoingMessage | None:
    with store.transaction() as session:
        return outbox.next_message(session, chat_id)


def _claim(store: Store, message_id: int, now: dt.datetime) -> bool:
    with store.transaction() as session:
        return outbox.claim(session, message_id, now=now)


def _settle(run: _Run, message: OutgoingMessage, result: SendResult) -> str:
    with run.store.transaction() as session:
        return record(session, message, result, run.clock(), backoff_from=run.started)


def record(
    session: Session,
    message: OutgoingMessage,
    result: SendResult,
    now: dt.datetime,
    *,
    backoff_from: dt.datetime | None = None,
) -> str:
    """Store the outcome of one claimed send; returns the SendReport field it counts in. A
    failure's backoff counts from `backoff_from` (the run's start), so the sweep that many
    minutes later finds it due rather than missing it by the run's own duration."""
    if result.outcome is Outcome.SENT:
        assert result.message_id is not None
        outbox.record_sent(session, message.id, result.message_id, now)
        return "sent"
    if result.outcome is Outcome.UNCERTAIN:
        outbox.record_uncertain(session, message.id, result.error)
        return "uncertain"
    if result.outcome is Outcome.BLOCKED:
        outbox.mark_blocked(session, message.chat_id)
        outbox.give_up(session, message.digest_id, result.error, now)
        return "blocked"
    if result.outcome is Outcome.REFUSED:
        outbox.give_up(session, message.digest_id, result.error, now)
        return "refused"
    if now >= day_end(message.local_date, message.timezone):
        outbox.give_up(session, message.digest_id, f"day over: {result.error}", now)
        return "gave_up"
    backoff = next_send_retry(backoff_from or now, message.attempts + 1)
    retry_at = now + dt.timedelta(seconds=result.retry_after) if result.retry_after else backoff
    outbox.record_retry(session, message.id, result.error, retry_at)
    return "retried"
