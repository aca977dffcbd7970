"""Filing what an admin sends: a page read for its title, a paper looked up on arXiv, a DOI or
a quote, added as an import adds a note; a feed offered to follow; and the pace of it all.

Collaborators come as arguments (the store, the settings, an HTTP client, the time), so the
Telegram handler stays thin and tests pass their own. The store is reached from a thread and
the web is awaited: nothing here holds up the bot's other updates.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from bot.capture.page import Page, page_limits, read_page
from bot.capture.rules import Origin, Target, TargetKind, as_item, prepare
from bot.config import Settings
from bot.enrich.run import enrich_library
from bot.feeds.download import FetchLimits
from bot.library.items import Answer, LibraryItem
from bot.library.quota import WINDOW, wait_seconds
from bot.store import captures, digests
from bot.store.db import Store
from bot.store.feeds import followed

__all__ = ["ArxivLookup", "Captured", "FeedOffer", "SlowDown", "capture", "wait_to_capture"]

log = logging.getLogger(__name__)


class ArxivLookup(enum.StrEnum):
    """What asking arXiv about a captured paper gave."""

    FOUND = "found"
    NOT_FOUND = "not_found"  # arXiv knows no such id
    FAILED = "failed"  # arXiv could not be asked now; the scheduled enrichment asks again
    OFF = "off"  # ENRICH=off
    KNOWN = "known"  # asked before (the paper was in the library): nothing asked now


@dataclass(frozen=True, slots=True)
class FeedOffer:
    """A feed a capture found: the link itself, or the one a page offers."""

    url: str
    name: str
    posts: int | None = None  # how many posts it holds, when the link was the feed itself
    followed: bool = False  # followed already: nothing to offer


@dataclass(frozen=True, slots=True)
class Captured:
    """What a capture did: the item filed (None when the link was a feed), how the page or
    arXiv answered, and a feed to follow."""

    target: Target
    capture_id: int
    item: LibraryItem | None = None
    created: bool = False
    answer: Answer | None = None  # the chat's answer to an item it had already
    answered_at: dt.datetime | None = None
    page: Page | None = None
    arxiv: ArxivLookup | None = None
    feed: FeedOffer | None = None


@dataclass(frozen=True, slots=True)
class SlowDown:
    """Too many captures (or searches) this minute: the next one in this many seconds."""

    seconds: int


def wait_to_capture(store: Store, chat_id: int, now: dt.datetime, per_minute: int) -> int | None:
    """Seconds before this chat may capture again; None: now."""
    with store.transaction() as session:
        recent = captures.recent_captures(session, chat_id, now - WINDOW)
    return wait_seconds(recent, now, per_minute)


async def capture(
    target: Target,
    *,
    chat_id: int,
    store: Store,
    settings: Settings,
    client: httpx.AsyncClient,
    now: dt.datetime,
) -> Captured | SlowDown:
    """File ``target`` for ``chat_id``: read its page or ask arXiv first, then add it as an
    import adds a note (an item already in the library is found, not doubled)."""
    wait = await asyncio.to_thread(
        wait_to_capture, store, chat_id, now, settings.captures_per_minute
    )
    if wait is not None:
        return SlowDown(wait)
    page = None
    if target.kind is TargetKind.PAGE and target.url:
        limits = page_limits(settings.capture_timeout_seconds)
        page = await read_page(client, target.url, limits)
        if page.unread is not None:
            log.info("captured page %s not read (%s): %s", page.url, page.unread, page.detail)
        if page.feed is not None:
            return await asyncio.to_thread(_offer_feed, store, target, page, chat_id, now)
    filed = await asyncio.to_thread(_file, store, settings, target, page, chat_id, now)
    lookup = None
    if target.kind is TargetKind.ARXIV:
        lookup = await _ask_arxiv(store, settings, filed.item_id)
    item = await asyncio.to_thread(_library_item, store, filed.item_id)
    offer = await asyncio.to_thread(_offered, store, filed.capture_id, page)
    return Captured(
        target,
        filed.capture_id,
        item,
        filed.created,
        filed.answer,
        filed.answered_at,
        page,
        lookup,
        offer,
    )


def _file(
    store: Store,
    settings: Settings,
    target: Target,
    page: Page | None,
    chat_id: int,
    now: dt.datetime,
) -> captures.Filed:
    meta = page.meta if page is not None else None
    item = as_item(
        target,
        title=meta.title if meta else "",
        description=meta.description if meta else "",
        paper=meta.paper if meta else False,
    )
    keys = [f"doi:{target.doi}"] if target.doi else []
    keys += [f"doi:{meta.doi}"] if meta and meta.doi else []
    with store.transaction() as session:
        return captures.file_item(
            session,
            prepare(item, keys),
            chat_id=chat_id,
            source=source_of(target.origin),
            asked=target.url or target.text,
            owner_chat_id=settings.owner_chat_id,
            now=now,
        )


def source_of(origin: Origin | None) -> tuple[str, str]:
    """The (key, name) of the source a capture's item is filed under: the owner in Telegram,
    or the channel or person a message was forwarded from."""
    if origin is None:
        return captures.OWN
    return origin.key, origin.name


def _offer_feed(
    store: Store, target: Target, page: Page, chat_id: int, now: dt.datetime
) -> Captured:
    """The link is a feed: nothing to file, a feed to follow."""
    assert page.feed is not None and target.url
    name = page.feed.title or _host(target.url)
    with store.transaction() as session:
        known = followed(session, target.url)
        capture_id = captures.offer_feed(
            session, chat_id=chat_id, url=target.url, name=name, asked=target.url, now=now
        )
    offer = FeedOffer(target.url, name, len(page.feed.entries), known)
    return Captured(target, capture_id, page=page, feed=offer)


def _offered(store: Store, capture_id: int, page: Page | None) -> FeedOffer | None:
    """The feed a filed page offers, kept with its capture for the Follow button."""
    if page is None or not page.meta.feed_url:
        return None
    url = page.meta.feed_url
    name = page.meta.site_name or _host(page.url)
    with store.transaction() as session:
        known = followed(session, url)
        if not known:
            captures.remember_feed(session, capture_id, url, name)
    return FeedOffer(url, name, followed=known)


async def _ask_arxiv(store: Store, settings: Settings, item_id: int) -> ArxivLookup:
    """Ask arXiv about the one paper now, within the capture's time (its turn kept with every
    other process's), so the answer shows its title and abstract."""
    if not settings.enrich:
        return ArxivLookup.OFF
    timeout = settings.capture_timeout_seconds
    limits = FetchLimits(connect_timeout=timeout, read_timeout=timeout, total_timeout=timeout)
    report = await enrich_library(store, settings, limits=limits, only=[item_id])
    if report.found:
        return ArxivLookup.FOUND
    if report.not_found:
        return ArxivLookup.NOT_FOUND
    if report.requests or report.error or report.waiting_until:
        return ArxivLookup.FAILED
    return ArxivLookup.KNOWN


def _library_item(store: Store, item_id: int) -> LibraryItem | None:
    with store.transaction() as session:
        found = digests.library(session, [item_id])
    return found[0] if found else None


def _host(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")
