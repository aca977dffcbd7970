"""Bounded HTTP GETs: redirects followed by hand, a hard cap on the decompressed body, timeouts,
and every network failure turned into a named :class:`~bot.feeds.results.FetchFailure`.

Feeds (bot.feeds.fetch) and captured pages (bot.capture.page) both read the web through this
one set of limits; each decides what a response means (its ``finish``). The caller builds the
``httpx.AsyncClient``: ``trust_env`` (the default) makes it honour ``HTTPS_PROXY`` /
``ALL_PROXY``, socks5:// included.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from bot.feeds.budget import BodyBudget, BodyReader
from bot.feeds.results import FetchFailure
from bot.resources import PRODUCT

__all__ = [
    "USER_AGENT",
    "FetchFailed",
    "FetchLimits",
    "Trail",
    "follow_redirects",
    "guarded",
    "read_capped",
    "request_headers",
]

USER_AGENT = f"{PRODUCT} (self-hosted Telegram reading bot; feed reader)"

T = TypeVar("T")


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


class FetchFailed(Exception):
    """Ends a fetch with a named failure."""

    def __init__(self, kind: FetchFailure, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass
class Trail:
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
    raise FetchFailed(FetchFailure.NOT_A_FEED, f"unsupported Content-Encoding {content_encoding!r}")


async def read_capped(
    response: httpx.Response, max_bytes: int, budget: BodyBudget, reader: BodyReader
) -> bytes:
    """The decoded body, or TOO_LARGE as soon as it passes ``max_bytes``; each piece is
    reserved from the pull's ``budget`` before it is kept."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailed(
            FetchFailure.TOO_LARGE, f"Content-Length {declared} is over the {max_bytes}-byte cap"
        )
    decoder = _decoder(response.headers.get("content-encoding", ""))
    body = bytearray()
    try:
        # Raw bytes: httpx's own decoder would inflate a whole chunk at once, unbounded.
        async for chunk in response.aiter_raw():
            piece = decoder.decompress(chunk, max_bytes - len(body) + 1)
            if len(body) + len(piece) > max_bytes:
                raise FetchFailed(
                    FetchFailure.TOO_LARGE, f"the body is over the {max_bytes}-byte cap"
                )
            await budget.take(reader, len(piece))
            body += piece
    except zlib.error as exc:
        detail = f"the compressed body is corrupt: {exc}"
        raise FetchFailed(FetchFailure.NOT_A_FEED, detail) from exc
    return bytes(body)


def request_headers(
    accept: str,
    etag: str | None = None,
    last_modified: str | None = None,
    user_agent: str = USER_AGENT,
) -> dict[str, str]:
    headers = {
        "User-Agent": user_agent,
        "Accept": accept,
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


async def follow_redirects(
    client: httpx.AsyncClient,
    trail: Trail,
    headers: dict[str, str],
    limits: FetchLimits,
    finish: Callable[[httpx.Response], Awaitable[T]],
) -> T:
    """GET ``trail.url``, following redirects within the limits, and hand the first response
    that is no redirect to ``finish`` (its body still unread)."""
    permanent = True  # every hop so far was a permanent redirect
    trail.seen.append(trail.url)
    while True:
        request = client.build_request("GET", trail.url, headers=headers, timeout=_timeout(limits))
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            trail.status = response.status_code
            if not response.has_redirect_location:
                return await finish(response)
            target = str(request.url.join(response.headers["location"]).copy_with(fragment=None))
        finally:
            await response.aclose()
        if target in trail.seen:
            raise FetchFailed(
                FetchFailure.TOO_MANY_REDIRECTS,
                "redirect loop: " + " → ".join([*trail.seen, target]),
            )
        if len(trail.seen) > limits.max_redirects:
            raise FetchFailed(
                FetchFailure.TOO_MANY_REDIRECTS, f"more than {limits.max_redirects} redirects"
            )
        permanent = permanent and response.status_code in (301, 308)
        if permanent:
            trail.moved_permanently_to = target
        trail.url = target
        trail.seen.append(target)


async def guarded(limits: FetchLimits, fetch: Callable[[], Awaitable[T]]) -> T | FetchFailed:
    """What ``fetch`` returns within ``limits.total_timeout``, or the failure that ended it:
    a network or HTTP problem never raises out of here."""
    try:
        async with asyncio.timeout(limits.total_timeout):
            return await fetch()
    except FetchFailed as failure:
        return failure
    except TimeoutError:
        return FetchFailed(
            FetchFailure.TIMEOUT, f"not done within {limits.total_timeout:g} s in all"
        )
    except httpx.TimeoutException as exc:
        return FetchFailed(FetchFailure.TIMEOUT, f"{type(exc).__name__}: {exc}".rstrip(": "))
    except httpx.TooManyRedirects as exc:
        return FetchFailed(FetchFailure.TOO_MANY_REDIRECTS, str(exc))
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        # TransportError (refused, DNS, TLS, protocol) and unusable URLs alike.
        return FetchFailed(FetchFailure.CONNECT, f"{type(exc).__name__}: {exc}".rstrip(": "))
