"""OPML subscription lists: the feeds in one, and the followed feeds as one. Pure conversion;
following them is the store's business."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import NamedTuple


class OpmlError(ValueError):
    """The data is not an OPML subscription list lamplight can read."""


class OpmlFeed(NamedTuple):
    name: str | None
    feed_url: str
    site: str | None


def read_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds (outlines with an xmlUrl, nested at any depth) in an OPML 1 or 2 document, in
    document order, each once; outlines without an xmlUrl are skipped.

    >>> read_opml(b'<opml version="2.0"><body><outline text="A" xmlUrl="https://a.org/rss"/>'
    ...           b'</body></opml>')
    [OpmlFeed(name='A', feed_url='https://a.org/rss', site=None)]
    """
    if not data.strip():
        raise OpmlError("it is empty")
    if b"\x00" in data[:1024]:
        raise OpmlError("it is not OPML (binary data)")
    # Imported here: with the HTTP client it brings, a twentieth of a second of every start.
    import listparser

    try:
        parsed = listparser.parse(bytes(data))
    except (UnicodeDecodeError, ValueError) as exc:
        raise OpmlError("it is not OPML (not UTF-8 text)") from exc
    if parsed.get("bozo"):
        raise OpmlError(f"it is not OPML ({parsed.get('bozo_exception')})")
    if not str(parsed.get("version", "")).startswith("opml"):
        raise OpmlError("it is not OPML (no <opml> element)")
    sites = _sites(data)
    feeds: list[OpmlFeed] = []
    for entry in parsed.get("feeds", []):
        url = str(entry.get("url") or "").strip()
        if url:
            name = str(entry.get("title") or "").strip() or None
            feeds.append(OpmlFeed(name, url, sites.get(url)))
    return feeds


def write_opml(feeds: Iterable[OpmlFeed], title: str = "lamplight feeds") -> str:
    """An OPML 2.0 document with one flat outline per feed that has a feed URL.

    >>> opml = write_opml([OpmlFeed("A & B", "https://a.org/rss?x=1&y=2", None)])
    >>> print(opml.splitlines()[6].strip())
    <outline type="rss" text="A &amp; B" title="A &amp; B" xmlUrl="https://a.org/rss?x=1&amp;y=2" />
    """
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        if not feed.feed_url:
            continue
        name = feed.name or feed.feed_url
        attributes = {"type": "rss", "text": name, "title": name, "xmlUrl": feed.feed_url}
        if feed.site:
            attributes["htmlUrl"] = feed.site
        ET.SubElement(body, "outline", attributes)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _sites(data: bytes) -> dict[str, str]:
    """xmlUrl → htmlUrl, which listparser does not keep; best effort (nothing when the XML is
    not well formed, since listparser reads more leniently than ElementTree)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return {}
    sites: dict[str, str] = {}
    for outline in root.iter():
        if not isinstance(outline.tag, str) or outline.tag.rsplit("}", 1)[-1] != "outline":
            continue
        attributes = {key.lower(): value.strip() for key, value in outline.attrib.items()}
        url, site = attributes.get("xmlurl"), attributes.get("htmlurl")
        if url and site:
            sites.setdefault(url, site)
    return sites
