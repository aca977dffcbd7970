"""One send's outcome, named by what Telegram may have seen: never sent → retry; written and
its answer lost → uncertain (never repeated); Telegram's own answers as they say."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest
from telegram.error import NetworkError, TimedOut

from bot.digests.departure import Outcome, SendResult
from bot.telegram.request import TelegramRequest
from bot.telegram.sending import network_outcome, send_html
from tests.support.botapi import FakeBotAPI

ALICE = 7101


def send_once(bot: Any, text: str = "<b>hello</b>") -> SendResult:
    async def main() -> SendResult:
        await bot.request.initialize()  # not the bot: its getMe would be the call under test
        try:
            return await send_html(bot, ALICE, text)
        finally:
            await bot.request.shutdown()

    return asyncio.run(main())


def caused_by(error: Exception) -> NetworkError:
    wrapped = TimedOut() if isinstance(error, httpx.TimeoutException) else NetworkError("x")
    wrapped.__cause__ = error
    return wrapped


@pytest.mark.parametrize(
    "cause",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow connect"),
        httpx.PoolTimeout("pool full"),
        httpx.WriteError("broken pipe"),
        httpx.WriteTimeout("slow write"),
        httpx.ProxyError("proxy said no"),
    ],
    ids=type,
)
def test_errors_before_the_request_was_written_are_retried(cause: Exception) -> None:
    assert network_outcome(caused_by(cause)) is Outcome.RETRY


@pytest.mark.parametrize(
    "cause",
    [
        httpx.ReadTimeout("no answer"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("server disconnected without sending a response"),
    ],
    ids=type,
)
def test_errors_after_the_request_was_written_are_uncertain(cause: Exception) -> None:
    assert network_outcome(caused_by(cause)) is Outcome.UNCERTAIN


def test_a_refused_connection_is_retried() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    from telegram.ext import ExtBot

    bot = ExtBot("1:x", base_url=f"http://127.0.0.1:{port}/bot", request=TelegramRequest())
    result = send_once(bot)
    assert result.outcome is Outcome.RETRY
    assert "ConnectError" in result.error


def test_a_429_is_retried_after_what_it_asks(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", 429, retry_after=4)
    result = send_once(botapi.bot())
    assert (result.outcome, result.retry_after) == (Outcome.RETRY, 4)
    assert botapi.sent_texts(ALICE) == []


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_retried(botapi: FakeBotAPI, status: int) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", status)
    assert send_once(botapi.bot(request=TelegramRequest())).outcome is Outcome.RETRY


def test_a_gateway_timeout_is_uncertain(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", 504)
    assert send_once(botapi.bot(request=TelegramRequest())).outcome is Outcome.UNCERTAIN


def test_an_answer_that_never_comes_is_uncertain(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.hang_next("sendMessage", 1.5, deliver=True)
    bot = botapi.bot(request=TelegramRequest(read_timeout=0.5))
    result = send_once(bot)
    assert result.outcome is Outcome.UNCERTAIN
    assert "ReadTimeout" in result.error
    botapi.wait_for(lambda: botapi.sent_texts(ALICE), 5, what="the message Telegram took")


def test_blocked_and_refused_messages_are_named(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", 403)
    assert send_once(botapi.bot()).outcome is Outcome.BLOCKED
    assert send_once(botapi.bot(), "<script>").outcome is Outcome.REFUSED
