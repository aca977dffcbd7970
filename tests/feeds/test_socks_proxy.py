"""`ALL_PROXY=socks5://…` is honoured, as the README says: the feed client and the Bot API's
requests build with it (httpx[socks] is installed), and a socks proxy that is down makes a feed
fail with a named error, not a traceback."""

from __future__ import annotations

import asyncio

import pytest

from bot.feeds.fetch import fetch_feed
from bot.feeds.pull import feed_client
from bot.feeds.results import FetchFailure, FetchResult
from bot.telegram.heartbeat import polling_request
from bot.telegram.request import TelegramRequest
from tests.support.feedserver import LIMITS, FeedServer

DEAD_SOCKS = "socks5://127.0.0.1:1"  # nothing listens on port 1


@pytest.fixture
def socks_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("ALL_PROXY", DEAD_SOCKS)


@pytest.mark.usefixtures("socks_env")
def test_the_feed_client_and_the_bot_api_requests_build_behind_a_socks_proxy() -> None:
    async def build() -> None:
        async with feed_client():
            pass
        for request in (TelegramRequest(), polling_request(None)):
            await request.initialize()
            await request.shutdown()

    asyncio.run(build())  # an ImportError (no socksio) would end the test here


@pytest.mark.usefixtures("socks_env")
def test_a_feed_behind_a_dead_socks_proxy_fails_as_a_connect_error() -> None:
    async def fetch() -> FetchResult:
        async with feed_client() as client:
            return await fetch_feed(client, newsletter.url("/rss"), limits=LIMITS)

    with FeedServer() as newsletter:
        result = asyncio.run(fetch())
        assert newsletter.recorder.requests == []  # it went to the proxy, not straight there
    assert result.error is FetchFailure.CONNECT
    assert result.detail
