"""Reading a captured link: one bounded GET with the feeds' limits (bot.feeds.download), then
the page's own title and description, or the feed it is.

Never raises for a network or page problem: a page that cannot be read comes back with the
reason, and the link is filed all the same.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, field

import httpx

from bot.capture.meta import PageMeta, is_html, looks_like_feed, media_type, page_meta
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
from bot.feeds.results import FetchFailure
from bot.resources import PRODUCT

__all__ = ["Page", "Unread", "page_limits", "read_page"]

ACCEPT = (
    "text/html, application/xhtml+xml;q=0.9, application/rss+xml;q=0.8, "
    "application/atom+xml;q=0.8, */*;q=0.5"
)
USER_AGENT = f"{PRODUCT} (self-hosted Telegram reading bot; reads a page its owner saved)"


class Unread(enum.StrEnum):
    """Why a page's title could not be read."""

    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    HTTP_ERROR = "http_error"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    CONNECT = "connect"
    UNDECODABLE = "undecodable"  # a corrupt compressed body
    NOT_HTML = "not_html"  # a PDF, an image, …: nothing says its title


_FROM_FETCH = {
    FetchFailure.TIMEOUT: Unread.TIMEOUT,
    FetchFailure.TOO_LARGE: Unread.TOO_LARGE,
    FetchFailure.HTTP_ERROR: Unread.HTTP_ERROR,
    FetchFailure.TOO_MANY_REDIRECTS: Unread.TOO_MANY_REDIRECTS,
    FetchFailure.CONNECT: Unread.CONNECT,
    FetchFailure.NOT_A_FEED: Unread.UNDECODABLE,
}


@dataclass(frozen=True, slots=True)
class Page:
    """What reading a link found: the page's metadata, or the feed it is, or why neither."""

    url: str  # where it ended, after redirects
    meta: PageMeta = field(default_factory=PageMeta)
    feed: FeedDocument | None = None
    unread: Unread | None = None
    detail: str = ""  # for the log: the status, the exception
    status: int | None = None  # the last HTTP status seen
    media_type: str = ""


def page_limits(timeout: float, max_bytes: int = FetchLimits().max_bytes) -> FetchLimits:
    """The feeds' limits, with the whole read bounded by ``timeout`` seconds (the owner is
    waiting for the answer)."""
    return FetchLimits(
        max_bytes=max_bytes,
        connect_timeout=timeout,
        read_timeout=timeout,
        total_timeout=timeout,
    )


async def read_page(client: httpx.AsyncClient, url: str, limits: FetchLimits) -> Page:
    """GET ``url`` within ``limits``: its title and description, or the feed it is."""
    trail = Trail(url)
    budget = BodyBudget(limits.max_bytes, limits.max_bytes)
    headers = request_headers(ACCEPT, user_agent=USER_AGENT)

    async def finish(response: httpx.Response) -> Page:
        status = response.status_code
        if not 200 <= status < 300:
            detail = f"HTTP {status} {response.reason_phrase}".strip()
            raise FetchFailed(FetchFailure.HTTP_ERROR, detail)
        async with budget.reader() as reader:
            body = await read_capped(response, limits.max_bytes, budget, reader)
        content_type = response.headers.get("content-type", "")
        # Parsing is CPU: off the event loop, which serves everyone else's updates meanwhile.
        return await asyncio.to_thread(_understand, body, content_type, trail.url)

    found = await guarded(limits, lambda: follow_redirects(client, trail, headers, limits, finish))
    if isinstance(found, FetchFailed):
        unread = _FROM_FETCH[found.kind]
        return Page(trail.url, unread=unread, detail=found.detail, status=trail.status)
    return found


def _understand(body: bytes, content_type: str, url: str) -> Page:
    kind = media_type(content_type)
    if looks_like_feed(content_type, body):
        try:
            return Page(url, feed=parse_feed(body, {"content-type": content_type}, url))
        except NotAFeedError:
            pass  # XML, but no feed: perhaps a page after all
    if is_html(content_type, body):
        return Page(url, meta=page_meta(body, content_type, url), media_type=kind)
    return Page(url, unread=Unread.NOT_HTML, detail=kind or "no Content-Type", media_type=kind)
