"""Pacing for Telegram's flood limits, plugged into PTB as its rate limiter.

PTB's own AIORateLimiter limits groups per chat but not private chats, and one 429 pauses every
request. Here each message-producing call waits for a slot in its chat (default 1/s) and then
in the whole bot (default 30/s); a 429 holds only the chat it came from (all chats when the
request named none) for ``retry_after`` and retries, while other chats keep flowing.

A call may carry a :class:`Departure` as its ``rate_limit_args``: its ``claim`` runs the moment
the call's slot is granted (per-chat pace, overall pace and any 429 hold already waited out)
and the request leaves right after it, so an outbox message is marked `sending` only for the
request itself, never for a wait. One such request is out at a time, so a crash leaves at most
one message uncertain (the pace is then 28/s or one per round trip to Telegram, whichever is
slower). Such a call is not retried here after a 429: its sender puts the message back in the
outbox and decides.

Calls leave one at a time, in call order, each one interval after the call before it really
left (a GCRA with a burst of one and a small tolerance). Spacing is measured from departures,
not from slots booked in advance: booked slots all come due together after the event loop
stalls (a broadcast starting hundreds of sends at once, a slow database commit) and leave in a
burst that a sliding per-second count on Telegram's side refuses. aiolimiter's leaky bucket
would let 30 requests out at once and 30 more within the same second, and it has no way to
hold one key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import math
import warnings
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.digests.departure import Claim, Departure, NotClaimed

__all__ = [
    "LamplightRateLimiter",
    "is_message_call",
    "retry_after_seconds",
]

_LOGGER = logging.getLogger(__name__)

# Just under Telegram's limits (30/s overall, 1/s per chat): other replicas' replies fit
# beside the sender, and network jitter between here and Telegram never crosses a limit.
OVERALL_PER_SECOND = 28.0
PER_CHAT_INTERVAL = 1.05

# Above this many chats, idle ones are forgotten so a broadcast does not grow memory forever.
_PRUNE_ABOVE = 1024

# A caller leaving this much after its turn (timer lateness, its claim's store work) still
# counts from the turn, so neither slows the pace; a longer stall counts from the real
# departure, so it releases no burst. Any two departures are at most this much closer than
# the interval allows, and a second never holds more than one departure over the pace.
_CATCH_UP = 0.02

_Result = bool | dict[str, Any] | list[dict[str, Any]]
_ChatKey = int | str


def is_message_call(endpoint: str) -> bool:
    """Whether Telegram counts ``endpoint`` against its message flood limits.

    >>> is_message_call("sendMessage"), is_message_call("editMessageText")
    (True, True)
    >>> is_message_call("answerCallbackQuery"), is_message_call("sendChatAction")
    (False, False)
    """
    return (
        endpoint.startswith(("send", "edit", "copyMessage", "forwardMessage"))
        and endpoint != "sendChatAction"
    )


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds a 429 asks to wait, whichever type PTB currently reports it as."""
    with warnings.catch_warnings():
        # PTB 22 warns that the int form becomes a timedelta; both are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@dataclass
class _Pacer:
    """Departures at least ``interval`` apart; callers queue for their turn in call order."""

    interval: float
    last_departure: float = -math.inf
    # Held while a caller waits out the interval, so the next one measures from its departure.
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def depart(
        self, may_leave: Callable[[], bool], claim: Claim | None = None
    ) -> bool | None:
        """Wait for the next departure; take it if ``may_leave()`` then and ``claim()`` (if
        any) agrees, else leave it unused.

        Returns True if the caller departed, False if it was held meanwhile, None if its
        claim refused. The claim runs inside the turn and the departure counts from its end,
        when the request really leaves (from the turn, if within _CATCH_UP of it).
        """
        loop = asyncio.get_running_loop()
        async with self.turn:
            due = self.last_departure + self.interval
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            if not may_leave():
                return False
            if claim is not None and not await claim():
                return None
            self.last_departure = max(due, loop.time() - _CATCH_UP)
            return True


@dataclass
class _ChatState:
    next_free: float = 0.0
    held_until: float = 0.0
    # Serialises one chat's calls so spacing is measured from when each really went out.
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    def idle(self, now: float) -> bool:
        return self.next_free <= now and self.held_until <= now and not self.turn.locked()


class LamplightRateLimiter(BaseRateLimiter[int | Departure]):
    """A global and a per-chat pace, with 429s held per chat.

    Args:
        overall_per_second: messages per second for the whole bot (Telegram: about 30).
        per_chat_per_second: messages per second into one chat (Telegram: about 1).
        The defaults keep a little under both.
        max_retries: retries after a 429 before it is raised to the caller. A call may pass
            ``rate_limit_args=n`` (n >= 1; PTB drops a 0) to use ``n`` instead, or a
            :class:`Departure` (claimed at its grant, never retried here).
    """

    __slots__ = (
        "_chats",
        "_held_all_until",
        "_max_retries",
        "_one_out",
        "_overall",
        "_per_chat_interval",
    )

    def __init__(
        self,
        overall_per_second: float = OVERALL_PER_SECOND,
        per_chat_per_second: float = 1 / PER_CHAT_INTERVAL,
        max_retries: int = 3,
    ) -> None:
        if overall_per_second <= 0 or per_chat_per_second <= 0 or max_retries < 0:
            raise ValueError("rates must be positive and max_retries not negative")
        self._overall = _Pacer(1 / overall_per_second)
        self._per_chat_interval = 1 / per_chat_per_second
        self._chats: dict[_ChatKey, _ChatState] = {}
        self._held_all_until = 0.0
        self._max_retries = max_retries
        # One claimed request out at a time: a crash leaves at most one message uncertain.
        self._one_out = asyncio.Lock()

    async def initialize(self) -> None:
        """Nothing to set up: state is created per chat on first use."""

    async def shutdown(self) -> None:
        """Forget paces and holds; a restarted bot starts afresh."""
        self._chats.clear()
        self._held_all_until = 0.0
        self._overall = _Pacer(self._overall.interval)
        self._one_out = asyncio.Lock()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | Departure | None,
    ) -> _Result:
        """Wait for this call's turn, make it, and on a 429 hold its chat and retry (a
        :class:`Departure`'s call is raised instead, the chat held all the same)."""
        departure = rate_limit_args if isinstance(rate_limit_args, Departure) else None
        max_retries = rate_limit_args if isinstance(rate_limit_args, int) else self._max_retries
        chat = _chat_key(data.get("chat_id"))
        if departure is not None:
            return await self._claimed_call(callback, args, kwargs, endpoint, chat, departure)
        for attempt in itertools.count(1):
            await self._wait_turn(endpoint, chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                self._hold(chat, seconds)
                if attempt > max_retries:
                    _LOGGER.warning(
                        "%s to chat %s still flood-limited after %d retries; giving up",
                        endpoint,
                        chat,
                        max_retries,
                    )
                    raise
                _LOGGER.info(
                    "%s to chat %s flood-limited; holding %s for %.1fs (retry %d of %d)",
                    endpoint,
                    chat,
                    "it" if chat is not None else "all chats",
                    seconds,
                    attempt,
                    max_retries,
                )
        raise AssertionError("unreachable")  # itertools.count never ends

    async def _claimed_call(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        chat: _ChatKey | None,
        departure: Departure,
    ) -> _Result:
        """A Departure's call: claimed as its slot is granted, out alone (no other claimed
        call leaves until it is settled), and a 429 raised to its sender after holding the
        chat."""
        if not await self._wait_turn(endpoint, chat, departure):
            raise NotClaimed(endpoint)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as error:
            self._hold(chat, retry_after_seconds(error))
            raise

    def _hold(self, chat: _ChatKey | None, seconds: float) -> None:
        until = asyncio.get_running_loop().time() + seconds
        if chat is None:
            self._held_all_until = max(self._held_all_until, until)
        else:
            state = self._chat_state(chat)
            state.held_until = max(state.held_until, until)

    def is_held(self, chat_id: int | str | None = None) -> bool:
        """Whether calls to ``chat_id`` (or to every chat, for None) wait out a 429 now."""
        chat = _chat_key(chat_id)
        return self._held_until(chat) > asyncio.get_running_loop().time()

    def _held_until(self, chat: _ChatKey | None) -> float:
        own = self._chats[chat].held_until if chat in self._chats else 0.0
        return max(self._held_all_until, own)

    async def _wait_turn(
        self, endpoint: str, chat: _ChatKey | None, departure: Departure | None = None
    ) -> bool:
        """Wait until the call may leave; False if its departure's claim refused it. A
        departure that leaves holds `_one_out` until it is settled."""
        loop = asyncio.get_running_loop()
        paced = is_message_call(endpoint)
        state = self._chat_state(chat) if paced and chat is not None else None
        turn: AbstractAsyncContextManager[Any] = state.turn if state else nullcontext()
        async with turn:
            while True:
                hold = self._held_until(chat) - loop.time()
                if hold > 0:
                    await asyncio.sleep(hold)
                    continue
                if state is not None and state.next_free > loop.time():
                    await asyncio.sleep(state.next_free - loop.time())
                    continue  # a 429 may have come meanwhile
                went = await self._depart(paced, chat, departure)
                if went is None:
                    return False
                if not went:
                    continue  # held while queueing: the departure goes to the next caller
                if state is not None:
                    state.next_free = loop.time() + self._per_chat_interval
                return True

    async def _depart(
        self, paced: bool, chat: _ChatKey | None, departure: Departure | None
    ) -> bool | None:
        """Take a departure in the overall pace (for message calls), claiming it if the call
        has a departure: True, False if held meanwhile, None if the claim refused."""
        loop = asyncio.get_running_loop()
        if departure is None:
            return not paced or await self._overall.depart(
                lambda: self._held_until(chat) <= loop.time()
            )
        await self._one_out.acquire()
        if paced:
            went = await self._overall.depart(
                lambda: self._held_until(chat) <= loop.time(), departure.claim
            )
        else:
            went = True if await departure.claim() else None
        if went is True:
            departure.hold(self._one_out.release)
        else:
            self._one_out.release()
        return went

    def _chat_state(self, chat: _ChatKey) -> _ChatState:
        state = self._chats.get(chat)
        if state is None:
            if len(self._chats) > _PRUNE_ABOVE:
                self._forget_idle_chats()
            state = self._chats[chat] = _ChatState()
        return state

    def _forget_idle_chats(self) -> None:
        now = asyncio.get_running_loop().time()
        for key, state in list(self._chats.items()):
            if state.idle(now):
                del self._chats[key]


def _chat_key(chat_id: object) -> _ChatKey | None:
    # The same chat may arrive as 42 or "42"; "@channel" names stay strings.
    if chat_id is None or isinstance(chat_id, bool):
        return None
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id)
    return int(text) if text.lstrip("-").isdigit() else text
