"""fetch_feed / fetch_many against a real local HTTP server (tests/support/feedserver.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import feedparser
import httpx
import pytest

from bot.feeds.fetch import FetchLimits, fetch_feed, fetch_many
from bot.feeds.results import FetchFailure, FetchResult
from tests.support.feedserver import (
    BIG_SIZE,
    ETAG,
    GB18030_TITLES,
    LAST_MODIFIED,
    LIMITS,
    MOJIBAKE_TITLES,
    FeedServer,
    Recorder,
)
from tests.support.feedserver import server as server  # the fixture

T = TypeVar("T")


def run(work: Callable[[httpx.AsyncClient], Coroutine[Any, Any, T]]) -> T:
    async def main() -> T:
        # trust_env=False: a developer's proxy must not see the test traffic.
        async with httpx.AsyncClient(trust_env=False) as client:
            return await work(client)

    return asyncio.run(main())


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits = LIMITS,
) -> FetchResult:
    return run(
        lambda client: fetch_feed(
            client, url, etag=etag, last_modified=last_modified, limits=limits
        )
    )


# --- feeds that work --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("/rss", 2),
        ("/atom", 2),
        ("/rdf", 1),
        ("/gb18030", 2),
        ("/gb18030-prolog", 2),
        ("/cp1252", 1),
        ("/mojibake", 2),
        ("/gzip-rss", 2),
        ("/ttl", 1),
    ],
)
def test_each_kind_of_feed_is_read(server: FeedServer, path: str, count: int) -> None:
    result = fetch(server.url(path))

    assert result.error is None, result.detail
    assert result.ok
    assert result.status == 200
    assert len(result.entries) == count
    assert not result.not_modified
    assert not result.bozo
    assert result.url == server.url(path)


def test_gb18030_titles_arrive_intact(server: FeedServer) -> None:
    for path in ("/gb18030", "/gb18030-prolog"):
        assert tuple(e.title for e in fetch(server.url(path)).entries) == GB18030_TITLES


def test_windows_1252_titles_arrive_intact(server: FeedServer) -> None:
    (entry,) = fetch(server.url("/cp1252")).entries

    assert entry.title == "“Naïve” baselines — worth €0?"


def test_mojibaked_titles_come_back_repaired(server: FeedServer) -> None:
    assert tuple(e.title for e in fetch(server.url("/mojibake")).entries) == MOJIBAKE_TITLES


def test_a_not_well_formed_feed_yields_entries_and_bozo(server: FeedServer) -> None:
    result = fetch(server.url("/bozo"))

    assert result.error is None
    assert result.bozo
    assert result.entries[0].title == "Tools & tricks for reading papers fast"


def test_ttl_of_the_feed_is_reported(server: FeedServer) -> None:
    assert fetch(server.url("/ttl")).ttl_minutes == 180
    assert fetch(server.url("/rss")).ttl_minutes is None


# --- conditional GET --------------------------------------------------------------------------


def test_validators_are_returned_and_a_matching_etag_gets_304(server: FeedServer) -> None:
    first = fetch(server.url("/etag"))
    assert (first.etag, first.last_modified) == (ETAG, LAST_MODIFIED)
    assert len(first.entries) == 2

    again = fetch(server.url("/etag"), etag=first.etag, last_modified=first.last_modified)

    assert again.not_modified
    assert again.status == 304
    assert again.error is None
    assert again.entries == ()
    assert (again.etag, again.last_modified) == (ETAG, LAST_MODIFIED)
    sent = server.recorder.headers_for("/etag")[-1]
    assert sent["if-none-match"] == ETAG
    assert sent["if-modified-since"] == LAST_MODIFIED


def test_if_modified_since_alone_also_gets_304(server: FeedServer) -> None:
    result = fetch(server.url("/etag"), last_modified=LAST_MODIFIED)

    assert result.not_modified
    assert "if-none-match" not in server.recorder.headers_for("/etag")[-1]


def test_a_stale_etag_gets_the_feed(server: FeedServer) -> None:
    result = fetch(server.url("/etag"), etag='"old"')

    assert not result.not_modified
    assert len(result.entries) == 2
    assert result.etag == ETAG


def test_304_skips_parsing(server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real_parse = feedparser.parse

    def counting_parse(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(feedparser, "parse", counting_parse)

    assert fetch(server.url("/etag"), etag=ETAG).not_modified
    assert calls == []
    assert fetch(server.url("/etag")).entries  # the same wiring does parse a 200
    assert len(calls) == 1


# --- HTTP failures and redirects --------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 500, 410, 403])
def test_error_statuses_are_http_errors_with_the_status(server: FeedServer, status: int) -> None:
    result = fetch(server.url(f"/status/{status}"))

    assert result.error is FetchFailure.HTTP_ERROR
    assert result.status == status
    assert str(status) in result.detail
    assert result.entries == ()


@pytest.mark.parametrize("status", [429, 503])
def test_a_busy_hosts_retry_after_is_reported(server: FeedServer, status: int) -> None:
    result = fetch(server.url(f"/retry-after/{status}/120"))

    assert result.error is FetchFailure.HTTP_ERROR
    assert result.status == status
    assert result.retry_after == "120"
    assert "Retry-After: 120" in result.detail


def test_a_redirect_loop_is_too_many_redirects(server: FeedServer) -> None:
    result = fetch(server.url("/loop/a"))

    assert result.error is FetchFailure.TOO_MANY_REDIRECTS
    assert "loop" in result.detail


def test_redirects_are_followed_up_to_the_limit(server: FeedServer) -> None:
    assert len(fetch(server.url("/chain/5")).entries) == 2
    assert fetch(server.url("/chain/6")).error is FetchFailure.TOO_MANY_REDIRECTS
    one = dataclasses.replace(LIMITS, max_redirects=1)
    assert fetch(server.url("/chain/1"), limits=one).ok
    assert fetch(server.url("/chain/2"), limits=one).error is FetchFailure.TOO_MANY_REDIRECTS


def test_a_permanent_redirect_chain_reports_where_the_feed_moved(server: FeedServer) -> None:
    result = fetch(server.url("/moved"))  # 301 → 308 → /rss

    assert result.ok
    assert result.moved_permanently_to == server.url("/rss")
    assert result.url == server.url("/rss")
    assert len(result.entries) == 2


def test_a_temporary_redirect_is_no_move(server: FeedServer) -> None:
    result = fetch(server.url("/found"))

    assert result.ok
    assert result.moved_permanently_to is None
    assert result.url == server.url("/rss")


def test_a_move_counts_only_up_to_the_first_temporary_hop(server: FeedServer) -> None:
    result = fetch(server.url("/moved-then-found"))  # 301 → /found, 302 → /rss

    assert result.moved_permanently_to == server.url("/found")
    assert result.url == server.url("/rss")


def test_a_move_that_ends_in_an_error_is_not_reported(server: FeedServer) -> None:
    result = fetch(server.url("/moved-to-404"))

    assert result.error is FetchFailure.HTTP_ERROR
    assert result.status == 404
    assert result.moved_permanently_to is None


# --- timeouts, size, garbage, connections -----------------------------------------------------


def test_a_server_that_never_answers_times_out_within_the_bounds(server: FeedServer) -> None:
    started = time.monotonic()
    result = fetch(server.url("/hang"))
    elapsed = time.monotonic() - started

    assert result.error is FetchFailure.TIMEOUT
    assert result.status is None
    assert elapsed < LIMITS.total_timeout + 2  # a bound, not a benchmark


def test_a_body_that_never_ends_hits_the_total_timeout(server: FeedServer) -> None:
    started = time.monotonic()
    result = fetch(server.url("/drip"))  # every read is quick, the body never completes

    assert result.error is FetchFailure.TIMEOUT
    assert "in all" in result.detail
    assert time.monotonic() - started < LIMITS.total_timeout + 2


def test_a_60_mb_body_is_too_large_without_being_read(server: FeedServer) -> None:
    result = fetch(server.url("/big"))

    assert result.error is FetchFailure.TOO_LARGE
    assert result.status == 200
    assert "Content-Length" in result.detail
    assert server.recorder.bytes_sent["/big"] < BIG_SIZE // 4


def test_a_60_mb_stream_without_length_stops_at_the_cap(server: FeedServer) -> None:
    result = fetch(server.url("/big-chunked"))

    assert result.error is FetchFailure.TOO_LARGE
    assert server.recorder.bytes_sent["/big-chunked"] < BIG_SIZE // 4


def test_a_gzip_bomb_stops_at_the_cap_on_decompressed_bytes(server: FeedServer) -> None:
    result = fetch(server.url("/bomb"))

    assert result.error is FetchFailure.TOO_LARGE
    assert str(LIMITS.max_bytes) in result.detail


def test_a_gzipped_feed_under_the_cap_is_read(server: FeedServer) -> None:
    result = fetch(server.url("/gzip-rss"))

    assert result.ok
    assert server.recorder.headers_for("/gzip-rss")[-1]["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("path", ["/html", "/garbage"])
def test_a_page_that_is_no_feed_is_not_a_feed(server: FeedServer, path: str) -> None:
    result = fetch(server.url(path))

    assert result.error is FetchFailure.NOT_A_FEED
    assert result.status == 200
    assert result.entries == ()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_is_a_connect_error() -> None:
    result = fetch(f"http://127.0.0.1:{_closed_port()}/feed")

    assert result.error is FetchFailure.CONNECT
    assert result.status is None


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/feed", "http://"])
def test_an_unusable_url_is_a_connect_error_not_an_exception(url: str) -> None:
    assert fetch(url).error is FetchFailure.CONNECT


# --- many feeds at once -----------------------------------------------------------------------

EXPECTED: dict[str, FetchFailure | None] = {
    "/rss": None,
    "/atom": None,
    "/rdf": None,
    "/gb18030": None,
    "/cp1252": None,
    "/mojibake": None,
    "/bozo": None,
    "/ttl": None,
    "/gzip-rss": None,
    "/moved": None,
    "/etag": None,
    "/html": FetchFailure.NOT_A_FEED,
    "/garbage": FetchFailure.NOT_A_FEED,
    "/status/404": FetchFailure.HTTP_ERROR,
    "/status/500": FetchFailure.HTTP_ERROR,
    "/loop/a": FetchFailure.TOO_MANY_REDIRECTS,
    "/big": FetchFailure.TOO_LARGE,
    "/big-chunked": FetchFailure.TOO_LARGE,
    "/bomb": FetchFailure.TOO_LARGE,
    "/hang": FetchFailure.TIMEOUT,
    "/drip": FetchFailure.TIMEOUT,
}


def test_fetch_many_returns_one_result_per_feed_whatever_each_does(server: FeedServer) -> None:
    urls = [server.url(path) for path in EXPECTED]
    urls.append(f"http://127.0.0.1:{_closed_port()}/gone")
    urls.append("not a url")
    limits = dataclasses.replace(LIMITS, per_host=8, overall=16)

    results = run(lambda client: fetch_many(client, [(u, None, None) for u in urls], limits))

    assert len(results) == len(urls)
    for path, result in zip(EXPECTED, results, strict=False):
        assert result.error is EXPECTED[path], (path, result.detail)
    assert [r.error for r in results[-2:]] == [FetchFailure.CONNECT, FetchFailure.CONNECT]
    assert results[len(EXPECTED) - 1].url == server.url("/drip")


def _slow_limits(per_host: int, overall: int) -> FetchLimits:
    return FetchLimits(
        connect_timeout=2.0, read_timeout=2.0, total_timeout=5.0, per_host=per_host, overall=overall
    )


def test_fetch_many_keeps_to_the_per_host_limit() -> None:
    with FeedServer() as fresh:
        urls = [(fresh.url(f"/slow/{n}"), None, None) for n in range(6)]

        results = run(lambda client: fetch_many(client, urls, _slow_limits(2, 16)))

        assert all(r.ok for r in results)
        assert fresh.recorder.max_active_by_host[fresh.host] == 2


def test_the_per_host_limit_is_keyed_on_host_and_port() -> None:
    shared = Recorder()
    with FeedServer(shared) as one, FeedServer(shared) as two:
        urls = [(s.url(f"/slow/{n}"), None, None) for n in range(3) for s in (one, two)]

        results = run(lambda client: fetch_many(client, urls, _slow_limits(1, 16)))

        assert all(r.ok for r in results)
        assert shared.max_active_by_host[one.host] == 1
        assert shared.max_active_by_host[two.host] == 1
        assert shared.max_active == 2  # the two ports were served side by side


def test_fetch_many_keeps_to_the_overall_limit() -> None:
    shared = Recorder()
    with FeedServer(shared) as one, FeedServer(shared) as two:
        urls = [(s.url(f"/slow/{n}"), None, None) for n in range(3) for s in (one, two)]

        results = run(lambda client: fetch_many(client, urls, _slow_limits(8, 3)))

        assert all(r.ok for r in results)
        assert shared.max_active == 3


def test_fetch_many_passes_each_feeds_validators(server: FeedServer) -> None:
    results = run(
        lambda client: fetch_many(
            client, [(server.url("/etag"), ETAG, None), (server.url("/etag"), None, None)], LIMITS
        )
    )

    assert [r.not_modified for r in results] == [True, False]
