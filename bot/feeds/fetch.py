"""Newsletter feeds over HTTP: conditional GET, a hard size cap, timeouts, feedparser on bytes.

The adapter never touches the store and never raises for a network or feed problem: every
fetch ends in a :class:`FetchResult`, and a failure carries a named :class:`FetchError`, so one
broken feed cannot end a pull. The caller builds the ``httpx.AsyncClient`` (``trust_env`` makes
it honour ``HTTPS_PROXY`` / ``ALL_PROXY``) and decides what to store and when to try again
(``bot.digests.schedule.next_feed_check``).

:func:`parse_feed` is the pure half: it turns the body's bytes and the response headers into
plain-text entries, and is tested without a network.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import html
import logging
import time
import zlib
from collections.abc import AsyncIterator, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, NamedTuple

import feedparser
import ftfy
import httpx

from bot.library.repair.text import repair_text

__all__ = [
    "TTL_MAX_MINUTES",
    "TTL_MIN_MINUTES",
    "FeedEntry",
    "FeedRequest",
    "FetchError",
    "FetchLimits",
    "FetchResult",
    "NotAFeedError",
    "ParsedFeed",
    "clean_text",
    "fetch_as_done",
    "fetch_feed",
    "fetch_many",
    "parse_feed",
]

log = logging.getLogger(__name__)

TTL_MIN_MINUTES = 15  # a feed asking for less would be polled harder than the sweep allows
TTL_MAX_MINUTES = 1440  # and one asking for more would go stale for days
TITLE_MAX_CHARS = 300
SUMMARY_MAX_CHARS = 1000
AUTHOR_MAX_CHARS = 200
USER_AGENT = "lamplight/0.1 (self-hosted Telegram reading bot; feed reader)"
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


class FetchError(enum.StrEnum):
    """Why a fetch gave no entries; the pull decides what each means for the feed."""

    TIMEOUT = "timeout"  # no answer, or no whole body, within the limits
    TOO_LARGE = "too_large"  # the (decompressed) body passed FetchLimits.max_bytes
    HTTP_ERROR = "http_error"  # an HTTP status other than 2xx / 304 (status is set)
    TOO_MANY_REDIRECTS = "too_many_redirects"  # a loop, or more hops than allowed
    CONNECT = "connect"  # DNS, refused, TLS, a broken connection, an unusable URL
    NOT_A_FEED = "not_a_feed"  # an HTML page, garbage, an undecodable body


class NotAFeedError(ValueError):
    """The bytes are no RSS, Atom or RDF document feedparser can read anything from."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One post of a feed, as plain text."""

    guid: str | None  # the feed's own id for the entry (RSS guid, Atom id), if it has one
    title: str  # plain text, repaired, one line, at most TITLE_MAX_CHARS
    link: str | None  # absolute URL of the post
    summary: str  # plain text: HTML stripped, entities decoded, repaired, collapsed, capped
    author: str  # "" when the feed names nobody
    published: dt.datetime | None  # UTC; the updated date when no published date is given


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch found. Exactly one of: error set, not_modified, or entries read."""

    url: str  # the final URL, after redirects
    status: int | None  # the last HTTP status seen; None when no response came
    not_modified: bool  # 304 to the conditional request: nothing was parsed
    entries: tuple[FeedEntry, ...]
    etag: str | None  # validators to send next time (kept from the request on a 304)
    last_modified: str | None
    moved_permanently_to: str | None  # where a 301/308 chain from `url` ended, if elsewhere
    ttl_minutes: int | None  # the feed's <ttl>, clamped to TTL_MIN..TTL_MAX_MINUTES
    error: FetchError | None
    detail: str  # a short human-readable reason; "" on success
    bozo: bool  # the feed was not well-formed, but entries were read from it
    retry_after: str | None = (
        None  # a 429/503's Retry-After, as sent (bot.digests.schedule reads it)
    )

    @property
    def ok(self) -> bool:
        return self.error is None


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
    # sizes it from this). Bodies in flight are capped at max_bytes each.
    overall: int = 256


class FeedRequest(NamedTuple):
    """One feed to fetch and the validators stored from its last fetch."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


class ParsedFeed(NamedTuple):
    entries: tuple[FeedEntry, ...]
    ttl_minutes: int | None
    bozo: bool


# --- parsing (pure) ---------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    """Visible text of an HTML fragment; block elements become line breaks."""

    _BLOCKS = frozenset(
        {"p", "br", "div", "li", "ul", "ol", "blockquote", "pre", "tr", "table", "hr"}
        | {"h1", "h2", "h3", "h4", "h5", "h6", "section", "article"}
    )
    _HIDDEN = frozenset(("script", "style", "template"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _strip_html(fragment: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(fragment)
    extractor.close()
    return "".join(extractor.parts)


def _repair(text: str) -> str:
    # ftfy undoes the common UTF-8-read-as-cp1252 case; repair_text also re-inserts bytes a
    # cp1254 decoding lost. Both leave clean text as it is.
    return repair_text(ftfy.fix_encoding(text)).text


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:  # end on a word when one ends near the cap
        cut = cut[:space]
    return cut.rstrip() + "…"


def clean_text(value: str, *, is_html: bool, limit: int) -> str:
    """Plain, repaired, single-spaced text of a feed field, at most ``limit`` characters.

    >>> clean_text("<p>Reading &amp; <b>notes</b></p><p>on attention</p>", is_html=True, limit=80)
    'Reading & notes on attention'
    >>> clean_text("Why a < b  matters", is_html=False, limit=80)
    'Why a < b matters'
    >>> clean_text("A long title about scaling", is_html=False, limit=20)
    'A long title about…'
    """
    text = _strip_html(value) if is_html else html.unescape(value)
    text = _repair(text)
    return _cap(" ".join(text.split()), limit)


_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _field(entry: Mapping[str, Any], name: str, limit: int) -> str:
    value = entry.get(name) or ""
    if not isinstance(value, str):
        return ""
    detail = entry.get(f"{name}_detail") or {}
    # feedparser marks a field's type; an RSS description is HTML even when it says nothing.
    is_html = detail.get("type", "text/html") in _HTML_TYPES
    return clean_text(value, is_html=is_html, limit=limit)


def _summary(entry: Mapping[str, Any]) -> str:
    summary = _field(entry, "summary", SUMMARY_MAX_CHARS)
    if summary:
        return summary
    for content in entry.get("content") or ():
        value = content.get("value") or ""
        text = clean_text(
            value, is_html=content.get("type", "text/html") in _HTML_TYPES, limit=SUMMARY_MAX_CHARS
        )
        if text:
            return text
    return ""


def _published(entry: Mapping[str, Any]) -> dt.datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        # `in` first: feedparser's get() would hand back published_parsed for updated_parsed.
        parsed = entry.get(name) if name in entry else None
        if isinstance(parsed, time.struct_time):
            try:
                return dt.datetime(*parsed[:6], tzinfo=dt.UTC)  # feedparser normalises to UTC
            except ValueError:
                continue
    return None


def _text_or_none(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _entry(entry: Mapping[str, Any]) -> FeedEntry:
    return FeedEntry(
        guid=_text_or_none(entry.get("id")),
        title=_field(entry, "title", TITLE_MAX_CHARS),
        link=_text_or_none(entry.get("link")),
        summary=_summary(entry),
        author=_field(entry, "author", AUTHOR_MAX_CHARS),
        published=_published(entry),
    )


def _ttl(value: object) -> int | None:
    """The feed's <ttl> in minutes, clamped; None when absent or meaningless.

    >>> [_ttl(v) for v in ("60", " 5 ", "100000", "0", "soon", None)]
    [60, 15, 1440, None, None, None]
    """
    if not isinstance(value, str):
        return None
    try:
        minutes = int(value.strip())
    except ValueError:
        return None
    if minutes <= 0:
        return None
    return min(max(minutes, TTL_MIN_MINUTES), TTL_MAX_MINUTES)


def parse_feed(body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """Entries, ttl and bozo flag of a feed body; raises NotAFeedError for anything else.

    feedparser reads the bytes with the response headers, so a charset in Content-Type or in
    the XML prolog (GB18030, Windows-1252, ...) decides the decoding, as it should.
    """
    response_headers = {key.lower(): value for key, value in headers.items()}
    response_headers.setdefault("content-location", url)  # base for relative links
    # Entries' HTML becomes plain text here (_strip_html drops scripts and styles too), so
    # feedparser's own sanitising and link rewriting of it would be a fifth of its time spent
    # on markup that is thrown away.
    parsed = feedparser.parse(
        body, response_headers=response_headers, sanitize_html=False, resolve_relative_uris=False
    )
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise NotAFeedError(f"no RSS, Atom or RDF feed found ({reason or 'empty document'})")
    exc = parsed.get("bozo_exception")
    # Notices about the declared content type or charset are not a malformed document.
    bozo = bool(parsed.get("bozo")) and not isinstance(exc, feedparser.ThingsNobodyCaresAboutButMe)
    entries = tuple(_entry(entry) for entry in parsed.entries)
    return ParsedFeed(entries=entries, ttl_minutes=_ttl(parsed.feed.get("ttl")), bozo=bozo)


# --- fetching ---------------------------------------------------------------------------------


class _Failure(Exception):
    """Internal: ends a fetch with a named error."""

    def __init__(self, kind: FetchError, detail: str) -> None:
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
    raise _Failure(FetchError.NOT_A_FEED, f"unsupported Content-Encoding {content_encoding!r}")


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, or TOO_LARGE as soon as it passes ``max_bytes``."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _Failure(
            FetchError.TOO_LARGE, f"Content-Length {declared} is over the {max_bytes}-byte cap"
        )
    decoder = _decoder(response.headers.get("content-encoding", ""))
    body = bytearray()
    try:
        # Raw bytes: httpx's own decoder would inflate a whole chunk at once, unbounded.
        async for chunk in response.aiter_raw():
            body += decoder.decompress(chunk, max_bytes - len(body) + 1)
            if len(body) > max_bytes:
                raise _Failure(FetchError.TOO_LARGE, f"the body is over the {max_bytes}-byte cap")
    except zlib.error as exc:
        raise _Failure(FetchError.NOT_A_FEED, f"the compressed body is corrupt: {exc}") from exc
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
                return await _finish(response, trail, etag, last_modified, limits, parser)
            target = str(request.url.join(response.headers["location"]).copy_with(fragment=None))
        finally:
            await response.aclose()
        if target in trail.seen:
            raise _Failure(
                FetchError.TOO_MANY_REDIRECTS, "redirect loop: " + " → ".join([*trail.seen, target])
            )
        if len(trail.seen) > limits.max_redirects:
            raise _Failure(
                FetchError.TOO_MANY_REDIRECTS, f"more than {limits.max_redirects} redirects"
            )
        permanent = permanent and response.status_code in (301, 308)
        if permanent:
            trail.moved_permanently_to = target
        trail.url = target
        trail.seen.append(target)


async def _finish(
    response: httpx.Response,
    trail: _Trail,
    etag: str | None,
    last_modified: str | None,
    limits: FetchLimits,
    parser: Executor | None,
) -> FetchResult:
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
        raise _Failure(FetchError.HTTP_ERROR, detail)
    body = await _read_capped(response, limits.max_bytes)
    try:
        parsed = await _parse(body, response.headers, trail.url, parser)
    except NotAFeedError as exc:
        raise _Failure(FetchError.NOT_A_FEED, str(exc)) from exc
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
) -> ParsedFeed:
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


def _failed(trail: _Trail, kind: FetchError, detail: str) -> FetchResult:
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
) -> FetchResult:
    """GET one feed, conditionally when validators are given; never raises for a bad feed.
    ``parser`` (a process pool) parses the body where given, else a thread does."""
    trail = _Trail(url)
    try:
        async with asyncio.timeout(limits.total_timeout):
            return await _fetch(client, trail, etag, last_modified, limits, parser)
    except _Failure as failure:
        return _failed(trail, failure.kind, failure.detail)
    except TimeoutError:
        return _failed(
            trail, FetchError.TIMEOUT, f"not done within {limits.total_timeout:g} s in all"
        )
    except httpx.TimeoutException as exc:
        return _failed(trail, FetchError.TIMEOUT, f"{type(exc).__name__}: {exc}".rstrip(": "))
    except httpx.TooManyRedirects as exc:
        return _failed(trail, FetchError.TOO_MANY_REDIRECTS, str(exc))
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        # TransportError (refused, DNS, TLS, protocol) and unusable URLs alike.
        return _failed(trail, FetchError.CONNECT, f"{type(exc).__name__}: {exc}".rstrip(": "))


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

    async def one(index: int, request: FeedRequest) -> tuple[int, FetchResult]:
        url, etag, last_modified = request
        host = per_host.setdefault(_host_key(url), asyncio.Semaphore(limits.per_host))
        async with host, overall:  # the host first, so a busy host does not hold overall slots
            try:
                return index, await fetch_feed(
                    client, url, etag=etag, last_modified=last_modified, limits=limits,
                    parser=parser,
                )  # fmt: skip
            except Exception as exc:  # a bug must not end the whole pull
                log.exception("fetching %s failed unexpectedly", url)
                return index, _failed(_Trail(url), FetchError.CONNECT, f"unexpected {exc!r}")

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
