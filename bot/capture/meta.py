"""What a web page says of itself (pure, bytes in): its title and description, the feed it
offers, and whether it is a scholarly paper; and whether a body is a feed rather than a page.

Titles come from Open Graph first (``og:title``, ``og:description``: what a page wants shown
when shared), then ``<title>`` and ``<meta name="description">``. Parsing is selectolax's
(lexbor, an HTML5 parser): the charset is the Content-Type's when it names one, else the
page's own ``<meta charset>`` (or a BOM), as browsers decide, else UTF-8.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from bot.digests.fitting import shorten

__all__ = ["PageMeta", "charset_of", "is_html", "looks_like_feed", "page_meta"]

TITLE_MAX = 300
DESCRIPTION_MAX = 1000
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_XML_TYPES = ("application/xml", "text/xml", *_FEED_TYPES)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# The start of a feed document, after an XML prolog, comments or a BOM.
_FEED_START = re.compile(rb"^(?:\s|<\?[^>]*\?>|<!--.*?-->)*<(?:rss|feed|rdf:RDF)\b", re.S)


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What a page says of itself; "" where it says nothing."""

    title: str = ""
    description: str = ""
    feed_url: str | None = None  # the feed it offers (<link rel="alternate" type="…rss+xml">)
    paper: bool = False  # scholarly metadata (citation_title / citation_doi) marks a paper
    doi: str | None = None  # its citation_doi, lowercased
    site_name: str = ""  # og:site_name: what the site calls itself (a feed's name)


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def charset_of(content_type: str) -> str | None:
    """The charset a Content-Type names, when Python knows it.

    >>> charset_of('text/html; charset="GBK"'), charset_of("text/html; charset=nope")
    ('gbk', None)
    """
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1)).name
    except LookupError:
        return None


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """A feed by its type (RSS, Atom, RDF) or, served as XML or anything else, by its start.

    >>> looks_like_feed("text/html", b"<!doctype html><html>"), looks_like_feed("", b"<rss>")
    (False, True)
    """
    kind = media_type(content_type)
    if kind in _FEED_TYPES:
        return True
    if kind in _HTML_TYPES:
        return False
    return bool(_FEED_START.match(body[:4096].lstrip(b"\xef\xbb\xbf")))


def is_html(content_type: str, body: bytes) -> bool:
    """An HTML page by its type, or by its start when the type says nothing useful.

    >>> is_html("text/html; charset=utf-8", b""), is_html("application/pdf", b"%PDF-1.7")
    (True, False)
    """
    kind = media_type(content_type)
    if kind in _HTML_TYPES:
        return True
    if kind and kind not in ("application/octet-stream", "text/plain"):
        return False
    start = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<title", b"<meta"))


def page_meta(body: bytes, content_type: str, url: str) -> PageMeta:
    """Title, description, offered feed and paper marks of an HTML page at ``url``.

    >>> page = page_meta(b'<title> A &amp; B </title><meta property="og:title" content="Ogg">'
    ...                  b'<link rel="alternate" type="application/rss+xml" href="/feed">',
    ...                  "text/html", "https://example.org/post")
    >>> page.title, page.feed_url
    ('Ogg', 'https://example.org/feed')
    """
    charset = charset_of(content_type)
    if charset:
        tree = LexborHTMLParser(body.decode(charset, errors="replace"))
    else:
        tree = LexborHTMLParser(body, encoding=True)
    title = _meta(tree, "og:title") or _text(tree, "title") or _meta(tree, "citation_title")
    description = _meta(tree, "og:description") or _meta(tree, "description")
    found_doi = _meta(tree, "citation_doi").lower().removeprefix("doi:") or None
    return PageMeta(
        title=shorten(title, TITLE_MAX),
        description=shorten(description, DESCRIPTION_MAX),
        feed_url=_feed_link(tree, url),
        paper=bool(_meta(tree, "citation_title") or found_doi),
        doi=found_doi,
        site_name=shorten(_meta(tree, "og:site_name"), 256),
    )


def _meta(tree: LexborHTMLParser, name: str) -> str:
    """The content of the first <meta> naming ``name`` (as property= or name=) that has one."""
    for node in tree.css(f'meta[property="{name}" i], meta[name="{name}" i]'):
        content = node.attributes.get("content")
        if content and content.strip():
            return content
    return ""


def _text(tree: LexborHTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    return node.text() if node is not None else ""


def _feed_link(tree: LexborHTMLParser, url: str) -> str | None:
    for node in tree.css('link[rel~="alternate" i][href]'):
        kind = (node.attributes.get("type") or "").strip().lower()
        href = (node.attributes.get("href") or "").strip()
        if kind in _FEED_TYPES and href:
            found = urljoin(url, href)
            return found if found.startswith(("http://", "https://")) else None
    return None
