"""Newsletter feeds over HTTP: conditional GET, a hard size cap, timeouts, redirects.

The adapter never touches the store and never raises for a network or feed problem: every
fetch ends in a :class:`~bot.feeds.results.FetchResult`, and a failure carries a named
:class:`~bot.feeds.results.FetchFailure`, so one broken feed cannot end a pull. The caller
builds the ``httpx.AsyncClient`` (``trust_env`` makes it honour ``HTTPS_PROXY`` /
``ALL_PROXY``) and decides what to store and when to try again (``bot.digests.schedule``,
which honours the ``Retry-After`` of a 429/503 kept in the result). The body is parsed by
:func:`bot.feeds.parse.parse_feed`, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import httpx

from bot.feeds.budget import BodyBudget, Reader
from bot.feeds.parse import FeedDocument, NotAFeedError, parse_feed
from bot.feeds.results import FetchFailure, FetchResult

__all__ = ["FeedRequest", "FetchLimits", "fetch_as_done", "fetch_feed", "fetch_many"]

log = logging.getLogger(__name__)

USER_AGENT = "lamplight/0.1 (self-hosted Telegram reading bot; feed reader)"
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Bounds of one fetch; tests pass short ones."""

    max_bytes: int = 5 * 1024 * 1024  # of the decompressed body
    connect_timeout: float = 10.0  # seconds to open the connection
    read_timeout: float = 20.0  # seconds of silence allowed between two reads
    total_timeout: float = 60.0  # seconds for the whole fetch: redirects, body, parsing
    max_redirects: int = 5
    per_host: int = 2  # requests in flight to one (host, port) in fetch_many
    # Requests in flight in a pull. Waiting on a feed costs a socket, not a thread, and most
    # feeds are on hosts of their own, so with a slot for each a pull of a few hundred takes
    # about as long as the slowest one; httpx's pool holds as many connections (pull_and_tell
    # sizes it from this). Bodies in flight are capped at max_bytes each, and all together
    # at body_budget: a reader over it waits (and so does its host) until others are parsed.
    overall: int = 256
    body_budget: int = 64 * 1024 * 1024


class FeedRequest(NamedTuple):
    """One feed to fetch and the validators stored from its last fetch."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


class _FetchFailed(Exception):
    """Internal: ends a fetch with a named failure."""

    def __init__(self, kind: FetchFailure, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass
class _Trail:
    """Where a fetch has got to, so a failure can still say which URL and status."""

    url: str
    status: int | None = None
    moved_permanently_to: str | None = None
    seen: list[str] = field(default_factory=list)
    retry_after: str | None = None


class _Inflate:
    """gzip / deflate decoding with bounded output, so a small bomb cannot grow in memory."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._started = False
        self._decoder = zlib.decompressobj(wbits)

    def decompress(self, data: bytes, limit: int) -> bytes:
        out = bytearray()
        while data and len(out) < limit:  # max_length 0 would mean "unbounded"
            try:
                out += self._decoder.decompress(data, limit - len(out))
            except zlib.error:
                if self._started or self._wbits != zlib.MAX_WBITS:
                    raise
                # "deflate" is meant to be zlib-wrapped, but some servers send it raw.
                self._wbits = -zlib.MAX_WBITS
                self._decoder = zlib.decompressobj(self._wbits)
                continue
            self._started = True
            if self._decoder.eof:  # another gzip member may follow
                data = self._decoder.unused_data
                self._decoder = zlib.decompressobj(self._wbits)
            else:
                data = self._decoder.unconsumed_tail
        return bytes(out)


class _Identity:
    def decompress(self, data: bytes, limit: int) -> bytes:
        return data


def _decoder(content_encoding: str) -> _Inflate | _Identity:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return _Identity()
    if encoding in ("gzip", "x-gzip"):
        return _Inflate(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _Inflate(zlib.MAX_WBITS)
    raise _FetchFailed(
        FetchFailure.NOT_A_FEED, f"unsupported Content-Encoding {content_encoding!r}"
    )


async def _read_capped(
    response: httpx.Response, max_bytes: int, budget: BodyBudget, reader: Reader
) -> bytes:
    """The decoded body, or TOO_LARGE as soon as it passes ``max_bytes``; each piece is
    reserved from the pull's ``budget`` before it is kept."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _FetchFailed(
            FetchFailure.TOO_LARGE, f"Content-Length {declared} is over the {max_bytes}-byte cap"
        )
    decoder = _decoder(response.headers.get("content-encoding", ""))
    body = bytearray()
    try:
        # Raw bytes: httpx's own decoder would inflate a whole chunk at once, unbounded.
        async for chunk in response.aiter_raw():
            piece = decoder.decompress(chunk, max_bytes - len(body) + 1)
            if len(body) + len(piece) > max_bytes:
                raise _FetchFailed(
                    FetchFailure.TOO_LARGE, f"the body is over the {max_bytes}-byte cap"
                )
            await budget.take(reader, len(piece))
            body += piece
    except zlib.error as exc:
        raise _FetchFailed(
            FetchFailure.NOT_A_FEED, f"the compressed body is corrupt: {exc}"
        ) from exc
    return bytes(body)


def _request_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": _ACCEPT,
        "Accept-Encoding": "gzip, deflate",  # only what _decoder can bound
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _timeout(limits: FetchLimits) -> httpx.Timeout:
    return httpx.Timeout(
        connect=limits.connect_timeout,
        read=limits.read_timeout,
        write=limits.read_timeout,
        pool=limits.connect_timeout,
    )


async def _fetch(
    client: httpx.AsyncClient,
    trail: _Trail,
    etag: str | None,
    last_modified: str | None,
    limits: FetchLimits,
    parser: Executor | None,
    budget: BodyBudget,
) -> FetchResult:
    headers = _request_headers(etag, last_modified)
    permanent = True  # every hop so far was a permanent redirect
    trail.seen.append(trail.url)
    while True:
        request = client.build_request("GET", trail.url, headers=headers, timeout=_timeout(limits))
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            trail.status = response.status_code
            if not response.has_redirect_location:
                return await _finish(response, trail, (etag, last_modified), limits, parser, budget)
            target = str(request.url.join(response.headers["location"]).copy_with(fragment=None))
        finally:
            await response.aclose()
        if target in trail.seen:
            raise _FetchFailed(
                FetchFailure.TOO_MANY_REDIRECTS,
                "redirect loop: " + " → ".join([*trail.seen, target]),
            )
        if len(trail.seen) > limits.max_redirects:
            raise _FetchFailed(
                FetchFailure.TOO_MANY_REDIRECTS, f"more than {limits.max_redirects} redirects"
            )
        permanent = permanent and response.status_code in (301, 308)
        if permanent:
            trail.moved_permanently_to = target
        trail.url = target
        trail.seen.append(target)


async def _finish(
    response: httpx.Response,
    trail: _Trail,
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
        raise _FetchFailed(FetchFailure.HTTP_ERROR, detail)
    async with budget.reader() as reader:  # held until the body is parsed
        body = await _read_capped(response, limits.max_bytes, budget, reader)
        try:
            parsed = await _parse(body, response.headers, trail.url, parser)
        except NotAFeedError as exc:
            raise _FetchFailed(FetchFailure.NOT_A_FEED, str(exc)) from exc
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


def _result(trail: _Trail, **fields: Any) -> FetchResult:
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


def _failed(trail: _Trail, kind: FetchFailure, detail: str) -> FetchResult:
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
    trail = _Trail(url)
    budget = budget or body_budget(limits, limits.max_bytes)
    try:
        async with asyncio.timeout(limits.total_timeout):
            return await _fetch(client, trail, etag, last_modified, limits, parser, budget)
    except _FetchFailed as failure:
        return _failed(trail, failure.kind, failure.detail)
    except TimeoutError:
        return _failed(
            trail, FetchFailure.TIMEOUT, f"not done within {limits.total_timeout:g} s in all"
        )
    except httpx.TimeoutException as exc:
        return _failed(trail, FetchFailure.TIMEOUT, f"{type(exc).__name__}: {exc}".rstrip(": "))
    except httpx.TooManyRedirects as exc:
        return _failed(trail, FetchFailure.TOO_MANY_REDIRECTS, str(exc))
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        # TransportError (refused, DNS, TLS, protocol) and unusable URLs alike.
        return _failed(trail, FetchFailure.CONNECT, f"{type(exc).__name__}: {exc}".rstrip(": "))


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
                return index, _failed(_Trail(url), FetchFailure.CONNECT, f"unexpected {exc!r}")

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
