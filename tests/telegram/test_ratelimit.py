"""LamplightRateLimiter keeps to Telegram's limits and holds only the chat that hit a 429."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter, ExtBot

from bot.digests.departure import Departure, NotClaimed
from bot.telegram.ratelimit import _CATCH_UP, LamplightRateLimiter
from tests.support.botapi import TOKEN, FakeBotAPI, wait_for_async

ALICE = 5101
BOB = 5102
CROWD = list(range(6001, 6041))  # 40 chats

# Where timing is not the point, pace fast so the tests stay quick.
FAST = {"overall_per_second": 1000, "per_chat_per_second": 1000}


def run_with_limiter(
    botapi: FakeBotAPI,
    limiter: BaseRateLimiter[int],
    use: Callable[[ExtBot[Any]], Awaitable[Any]],
) -> Any:
    async def main() -> Any:
        async with botapi.bot(rate_limiter=limiter) as bot:
            return await use(bot)

    return asyncio.run(main())


def test_a_broadcast_plus_a_busy_chat_stays_within_telegrams_limits(botapi: FakeBotAPI) -> None:
    for chat in [*CROWD, ALICE]:
        botapi.add_chat(chat)
    botapi.enforce_limits(per_chat_per_second=1, global_per_second=30)  # exact, no slack

    async def use(bot: ExtBot[Any]) -> None:
        sends = [bot.send_message(ALICE, f"part {n}") for n in (1, 2, 3)]
        sends += [bot.send_message(chat, f"digest for {chat}") for chat in CROWD]
        await asyncio.gather(*sends)

    run_with_limiter(botapi, LamplightRateLimiter(), use)

    assert botapi.calls("sendMessage", ok=False) == []
    assert len(botapi.calls("sendMessage", ok=True)) == 43
    assert botapi.sent_texts(ALICE) == ["part 1", "part 2", "part 3"]


def test_after_the_event_loop_stalls_messages_still_leave_spaced() -> None:
    """A stall (hundreds of sends starting at once, a slow commit) must not release the calls
    that came due meanwhile in one burst: a sliding count on Telegram's side refuses it."""
    rate = 20
    limiter = LamplightRateLimiter(overall_per_second=rate, per_chat_per_second=1000)

    async def main() -> list[float]:
        loop = asyncio.get_running_loop()
        departures: list[float] = []

        async def call() -> bool:
            departures.append(loop.time())
            return True

        sends = [
            asyncio.create_task(
                limiter.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, None)
            )
            for chat in CROWD[:6]
        ]
        await asyncio.sleep(0)  # every send is waiting for its turn
        time.sleep(0.3)  # the loop stalls past several turns
        await asyncio.gather(*sends)
        return departures

    departures = asyncio.run(main())

    assert len(departures) == 6
    # However late each one wakes, no two leave closer than their turns allow, give or take
    # the limiter's tolerance for timer lateness.
    for k, earlier in enumerate(departures):
        for j in range(k + 1, len(departures)):
            assert departures[j] - earlier >= (j - k) / rate - _CATCH_UP - 0.001


def test_ptbs_aio_rate_limiter_lets_a_private_chat_flood(botapi: FakeBotAPI) -> None:
    """Why lamplight has its own limiter (DESIGN, Decisions: rate limits)."""
    botapi.add_chat(ALICE)
    botapi.enforce_limits(per_chat_per_second=1, global_per_second=30)

    async def use(bot: ExtBot[Any]) -> list[Any]:
        sends = [bot.send_message(ALICE, f"part {n}") for n in (1, 2, 3)]
        return await asyncio.gather(*sends, return_exceptions=True)

    results = run_with_limiter(botapi, AIORateLimiter(), use)

    assert any(isinstance(result, RetryAfter) for result in results)


def test_a_429_holds_only_its_chat_and_the_call_is_retried(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.add_chat(BOB)
    botapi.fail_next("sendMessage", status=429, retry_after=1, chat_id=ALICE)

    limiter = LamplightRateLimiter(**FAST)

    async def use(bot: ExtBot[Any]) -> None:
        to_alice = asyncio.create_task(bot.send_message(ALICE, "held"))
        await wait_for_async(lambda: limiter.is_held(ALICE), what="Alice's chat to be held")
        assert not limiter.is_held(BOB)
        await bot.send_message(BOB, "flows")  # while Alice's chat is held
        assert not to_alice.done()
        await to_alice

    run_with_limiter(botapi, limiter, use)

    calls = botapi.calls("sendMessage")
    assert [(c.chat_id, c.status) for c in calls] == [(ALICE, 429), (BOB, 200), (ALICE, 200)]
    # Held for the retry_after Telegram asked for (the fake's clock, not a sleep of ours).
    assert calls[2].at - calls[0].at >= 0.95
    assert botapi.sent_texts(ALICE) == ["held"]


def test_a_429_without_a_chat_holds_every_chat(botapi: FakeBotAPI) -> None:
    botapi.add_chat(BOB)
    botapi.fail_next("setMyCommands", status=429, retry_after=1)
    limiter = LamplightRateLimiter(**FAST)

    async def use(bot: ExtBot[Any]) -> None:
        commands = asyncio.create_task(bot.set_my_commands([("start", "Start")]))
        await wait_for_async(limiter.is_held, what="the limiter to hold everything")
        assert limiter.is_held(BOB)
        await bot.send_message(BOB, "waits too")
        await commands

    run_with_limiter(botapi, limiter, use)

    [refused, _] = botapi.calls("setMyCommands")
    [sent] = botapi.calls("sendMessage")
    assert refused.status == 429
    assert sent.ok and sent.at - refused.at >= 0.95


def test_after_max_retries_the_429_reaches_the_caller(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", status=429, retry_after=1, times=2)

    with pytest.raises(RetryAfter):
        run_with_limiter(
            botapi,
            LamplightRateLimiter(**FAST, max_retries=1),
            lambda bot: bot.send_message(ALICE, "twice refused"),
        )
    assert [c.status for c in botapi.calls("sendMessage")] == [429, 429]


def test_a_call_can_ask_for_fewer_retries(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", status=429, retry_after=1, times=2)

    with pytest.raises(RetryAfter):
        run_with_limiter(
            botapi,
            LamplightRateLimiter(**FAST, max_retries=3),
            lambda bot: bot.send_message(ALICE, "one retry only", rate_limit_args=1),
        )
    assert len(botapi.calls("sendMessage")) == 2


def test_other_errors_pass_through_untouched(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", status=403)

    with pytest.raises(Exception, match="blocked"):
        run_with_limiter(
            botapi, LamplightRateLimiter(**FAST), lambda bot: bot.send_message(ALICE, "hi")
        )
    assert len(botapi.calls("sendMessage")) == 1


def test_the_limiter_logs_holds_without_the_token(
    botapi: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", status=429, retry_after=1)

    with caplog.at_level(logging.DEBUG, logger="bot.telegram.ratelimit"):
        run_with_limiter(
            botapi, LamplightRateLimiter(**FAST), lambda bot: bot.send_message(ALICE, "hi")
        )

    ours = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.ratelimit"]
    assert ours and str(ALICE) in ours[0]
    assert not any(TOKEN in line or TOKEN.split(":")[1] in line for line in ours)


def test_rates_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        LamplightRateLimiter(overall_per_second=0)


# --- calls whose message is claimed as its slot is granted ---


def test_a_claim_runs_only_once_the_slot_is_granted_and_the_next_waits_for_the_record() -> None:
    """Two messages into one chat: the second is claimed a chat interval after the first
    really left, never while it waits; each request leaves as soon as it is claimed; and no
    claimed message leaves before the one before it is recorded (settled)."""
    limiter = LamplightRateLimiter(overall_per_second=1000, per_chat_per_second=5)

    async def main() -> list[tuple[str, float]]:
        loop = asyncio.get_running_loop()
        events: list[tuple[str, float]] = []

        async def send(n: int, chat: int) -> None:
            async def claim() -> bool:
                events.append((f"claim {n}", loop.time()))
                return True

            async def call() -> bool:
                events.append((f"send {n}", loop.time()))
                return True

            departure = Departure(claim)
            data = {"chat_id": chat}
            await limiter.process_request(call, (), {}, "sendMessage", data, departure)
            await asyncio.sleep(0.3)  # the sender records the outcome
            events.append((f"recorded {n}", loop.time()))
            departure.settled()

        await asyncio.gather(send(1, ALICE), send(2, ALICE), send(3, BOB))
        return events

    events = asyncio.run(main())

    names = [name for name, _ in events]
    # Bob's, ready at once, waits for Alice's first to be recorded (one out at a time);
    # Alice's second waits for her chat's interval too, unclaimed, and goes last.
    assert names == [
        "claim 1", "send 1", "recorded 1", "claim 3", "send 3", "recorded 3",
        "claim 2", "send 2", "recorded 2",
    ]  # fmt: skip
    at = dict(events)
    assert at["claim 2"] - at["send 1"] >= 0.2 - 0.001
    assert at["send 2"] - at["claim 2"] < 0.05  # left at once once claimed


def test_a_refused_claim_sends_nothing_and_leaves_the_slot_to_the_next(
    botapi: FakeBotAPI,
) -> None:
    botapi.add_chat(ALICE)
    botapi.add_chat(BOB)

    async def refuse() -> bool:
        return False

    async def agree() -> bool:
        return True

    async def use(bot: ExtBot[Any]) -> Any:
        refused = bot.send_message(
            ALICE, "taken by another sender", rate_limit_args=Departure(refuse)
        )
        sent = bot.send_message(BOB, "mine", rate_limit_args=Departure(agree))
        return await asyncio.gather(refused, sent, return_exceptions=True)

    refused, sent = run_with_limiter(botapi, LamplightRateLimiter(**FAST), use)

    assert isinstance(refused, NotClaimed)
    assert sent.text == "mine"
    assert botapi.sent_texts(ALICE) == [] and botapi.sent_texts(BOB) == ["mine"]


def test_a_429_for_a_claimed_message_is_not_retried_but_holds_its_chat(
    botapi: FakeBotAPI,
) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", status=429, retry_after=1, chat_id=ALICE)
    limiter = LamplightRateLimiter(**FAST, max_retries=3)
    claims: list[str] = []

    async def claim() -> bool:
        claims.append("claimed")
        return True

    async def use(bot: ExtBot[Any]) -> Any:
        departure = Departure(claim)
        first = await asyncio.gather(
            bot.send_message(ALICE, "refused", rate_limit_args=departure),
            return_exceptions=True,
        )
        departure.settled()
        assert limiter.is_held(ALICE)
        await bot.send_message(ALICE, "after the hold")
        return first[0]

    error = run_with_limiter(botapi, limiter, use)

    assert isinstance(error, RetryAfter)
    assert claims == ["claimed"]  # once: the sender decides what to do with it
    refused, sent = botapi.calls("sendMessage")
    assert refused.status == 429 and sent.ok and sent.at - refused.at >= 0.95
    assert botapi.sent_texts(ALICE) == ["after the hold"]
