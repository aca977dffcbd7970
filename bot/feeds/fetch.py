"""Newsletter feeds over HTTP: conditional GET, a hard size cap, timeouts, redirects.

The adapter never touches the store and never raises for a network or feed problem: every
fetch ends in a :class:`~bot.feeds.results.FetchResult`, and a failure carries a named
:class:`~bot.feeds.results.FetchFailure`, so one broken feed cannot end a pull. The caller
builds the ``httpx.AsyncClient`` (``trust_env`` makes it honour ``HTTPS_PROXY`` /
``ALL_PROXY``) and decides what to store and when to try again (``bot.digests.schedule``,
which honours the ``Retry-After`` of a 429/503 kept in the result). The body is parsed by
:func:`bot.feeds.parse.parse_feed`, off the event loop; the bounded GET itself (redirects,
size cap, timeouts) is bot.feeds.download's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import BrokenExecutor, Executor
from typing import Any, NamedTuple

import httpx

from bot.feeds.budget import BodyBudget
from bot.feeds.download import (
    FetchFailed,
    FetchLimits,
    Trail,
    follow_redirects,
    guarded,
    read_capped,
    request_headers,
)
from bot.feeds.parse import FeedDocument, NotAFeedError, parse_feed
from bot.feeds.results import FetchFailure, FetchResult

__all__ = ["FeedRequest", "FetchLimits", "fetch_as_done", "fetch_feed", "fetch_many"]

log = logging.getLogger(__name__)

_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


class FeedRequest(NamedTuple):
    """One feed to fetch and the validators stored from its last fetch."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


async def _finish(
    response: httpx.Response,
    trail: Trail,
    validators: tuple[str | None, str | None],
    limits: FetchLimits,
    parser: Executor | None,
    budget: BodyBudget,
) -> FetchResult:
    etag, last_modified = validators
    status = response.status_code
    new_etag = response.headers.get("etag") or etag
    new_modified = response.headers.get("last-modified") or last_modified
    if status == 304:  # nothing new: the body (if any) is not even read
        return _result(trail, not_modified=True, etag=new_etag, last_modified=new_modified)
    if not 200 <= status < 300:
        detail = f"HTTP {status} {response.reason_phrase}".strip()
        if status in (429, 503) and "retry-after" in response.headers:
            # The host says when to come back; the schedule honours it within bounds.
            trail.retry_after = response.headers["retry-after"]
            detail += f" (Retry-After: {trail.retry_after})"
        raise FetchFailed(FetchFailure.HTTP_ERROR, detail)
    async with budget.reader() as reader:  # held until the body is parsed
        body = await read_capped(response, limits.max_bytes, budget, reader)
        try:
            parsed = await _parse(body, response.headers, trail.url, parser)
        except NotAFeedError as exc:
            raise FetchFailed(FetchFailure.NOT_A_FEED, str(exc)) from exc
    return _result(
        trail,
        entries=parsed.entries,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        ttl_minutes=parsed.ttl_minutes,
        bozo=parsed.bozo,
    )


async def _parse(
    body: bytes, headers: httpx.Headers, url: str, parser: Executor | None
) -> FeedDocument:
    """feedparser is CPU-bound: in the pull's parser process when there is one (the GIL makes
    threads take turns), else in a thread, so a big feed never stalls the other fetches."""
    if parser is not None:
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(parser, parse_feed, body, dict(headers), url)
        except BrokenExecutor:
            log.warning("the feed parser process is gone; parsing in this one")
    return await asyncio.to_thread(parse_feed, body, headers, url)


def _result(trail: Trail, **fields: Any) -> FetchResult:
    values: dict[str, Any] = {
        "url": trail.url,
        "status": trail.status,
        "not_modified": False,
        "entries": (),
        "etag": None,
        "last_modified": None,
        "moved_permanently_to": trail.moved_permanently_to,
        "ttl_minutes": None,
        "error": None,
        "detail": "",
        "bozo": False,
    }
    values.update(fields)
    return FetchResult(**values)


def _failed(trail: Trail, kind: FetchFailure, detail: str) -> FetchResult:
    # A redirect that ends in a failure is no address to move the subscription to.
    return _result(
        trail, error=kind, detail=detail, moved_permanently_to=None, retry_after=trail.retry_after
    )


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits = FetchLimits(),
    parser: Executor | None = None,
    budget: BodyBudget | None = None,
) -> FetchResult:
    """GET one feed, conditionally when validators are given; never raises for a bad feed.
    ``parser`` (a process pool) parses the body where given, else a thread does; its body
    counts against ``budget``, the pull's memory for bodies (its own when not given)."""
    trail = Trail(url)
    budget = budget or body_budget(limits, limits.max_bytes)
    headers = request_headers(_ACCEPT, etag, last_modified)

    async def finish(response: httpx.Response) -> FetchResult:
        validators = (etag, last_modified)
        return await _finish(response, trail, validators, limits, parser, budget)

    fetched = await guarded(
        limits, lambda: follow_redirects(client, trail, headers, limits, finish)
    )
    if isinstance(fetched, FetchFailed):
        return _failed(trail, fetched.kind, fetched.detail)
    return fetched


def body_budget(limits: FetchLimits, total: int) -> BodyBudget:
    """A budget of `total` bytes for bodies of these limits; it always holds one whole."""
    return BodyBudget(max(total, limits.max_bytes), limits.max_bytes)


def _host_key(url: str) -> tuple[str, int | None]:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return (url, None)
    default = {"http": 80, "https": 443}.get(parsed.scheme)
    return (parsed.host.lower(), parsed.port or default)


async def fetch_as_done(
    client: httpx.AsyncClient,
    requests: Sequence[FeedRequest | tuple[str, str | None, str | None]],
    limits: FetchLimits = FetchLimits(),
    parser: Executor | None = None,
) -> AsyncIterator[tuple[int, FetchResult]]:
    """Fetch every feed, at most ``limits.overall`` at once and ``limits.per_host`` per
    (host, port); yields ``(index of the request, result)`` as each fetch ends, whatever
    happens to it, so the caller can store early results while slow hosts still answer."""
    overall = asyncio.Semaphore(limits.overall)
    per_host: dict[tuple[str, int | None], asyncio.Semaphore] = {}
    budget = body_budget(limits, limits.body_budget)

    async def one(index: int, request: FeedRequest) -> tuple[int, FetchResult]:
        url, etag, last_modified = request
        host = per_host.setdefault(_host_key(url), asyncio.Semaphore(limits.per_host))
        async with host, overall:  # the host first, so a busy host does not hold overall slots
            try:
                return index, await fetch_feed(
                    client,
                    url,
                    etag=etag,
                    last_modified=last_modified,
                    limits=limits,
                    parser=parser,
                    budget=budget,
                )
            except Exception as exc:  # a bug must not end the whole pull
                log.exception("fetching %s failed unexpectedly", url)
                return index, _failed(Trail(url), FetchFailure.CONNECT, f"unexpected {exc!r}")

    tasks = [asyncio.create_task(one(n, FeedRequest(*r))) for n, r in enumerate(requests)]
    try:
        for done in asyncio.as_completed(tasks):
            yield await done
    finally:
        for task in tasks:  # the caller stopped early: leave nothing running
            task.cancel()


async def fetch_many(
    client: httpx.AsyncClient,
    requests: Sequence[FeedRequest | tuple[str, str | None, str | None]],
    limits: FetchLimits = FetchLimits(),
    parser: Executor | None = None,
) -> list[FetchResult]:
    """Every result of :func:`fetch_as_done`, in the order of the requests."""
    results: list[FetchResult | None] = [None] * len(requests)
    async for index, result in fetch_as_done(client, requests, limits, parser):
        results[index] = result
    return [r for r in results if r is not None]
