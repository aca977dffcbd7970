"""Feed bodies into plain-text entries: feedparser on bytes, and nothing else.

feedparser's untyped result ends at this boundary: what leaves is the project's own
:class:`FeedDocument` of :class:`~bot.feeds.results.FeedEntry`. Pure (no network, no store), so
it is tested on bytes alone, and the pull can run it in a process of its own.
"""

from __future__ import annotations

import datetime as dt
import html
import time
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any, NamedTuple

import feedparser
import ftfy

from bot.feeds.results import FeedEntry
from bot.library.repair.text import repair_text

__all__ = [
    "TTL_MAX_MINUTES",
    "TTL_MIN_MINUTES",
    "FeedDocument",
    "NotAFeedError",
    "clean_text",
    "parse_feed",
]

TTL_MIN_MINUTES = 15  # a feed asking for less would be polled harder than the sweep allows
TTL_MAX_MINUTES = 1440  # and one asking for more would go stale for days
TITLE_MAX_CHARS = 300
SUMMARY_MAX_CHARS = 1000
AUTHOR_MAX_CHARS = 200


class NotAFeedError(ValueError):
    """The bytes are no RSS, Atom or RDF document feedparser can read anything from."""


class FeedDocument(NamedTuple):
    """What a feed's body holds: its entries, its <ttl>, whether it was malformed, and the
    feed's own title (plain text; "" when it has none)."""

    entries: tuple[FeedEntry, ...]
    ttl_minutes: int | None
    bozo: bool
    title: str = ""


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


def parse_feed(body: bytes, headers: Mapping[str, str], url: str) -> FeedDocument:
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
    return FeedDocument(
        entries=entries,
        ttl_minutes=_ttl(parsed.feed.get("ttl")),
        bozo=bozo,
        title=_field(parsed.feed, "title", TITLE_MAX_CHARS),
    )
