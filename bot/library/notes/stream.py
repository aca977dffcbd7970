"""The stream format: paragraphs of quotes, link notes, arXiv picks and a newsletter list.

Paragraphs are separated by blank lines. A paragraph with an arXiv pick is that paper; one with
a link is an article or paper; one without is a quote; a heading about newsletters followed by
numbered ``1、Name https://site`` lines is a list of feeds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.library.items import ItemKind, ListedFeed, ParsedItem, ParsedNotes
from bot.library.notes import links, quotes
from bot.library.notes.text import (
    clean,
    excerpt,
    has_cjk,
    has_venue,
    is_latin_title,
    is_markup_line,
    join_lines,
    venue_year,
)

_PICK = re.compile(
    r"^\[(?P<cat>[A-Za-z.\-]{2,8})\]\s*《(?P<title>[^》]+)》\s*(?P<authors>.*?)\s*"
    r"\[(?P<aff>[^\[\]]+)\]\s*\((?P<year>\d{4})\)\s*$"
)
_DONE = re.compile(r"^✅\s*")
_FEEDS_HEADING = re.compile(r"^#{1,6}\s*.*(?:newsletter|通讯|rss|feeds?\b)", re.IGNORECASE)
# "ã€" is how 、 looks in a file whose repair has not run.
_FEED_LINE = re.compile(
    r"^\d{1,2}\s*(?:[、.．)：:]|ã€)?\s*(?P<name>\S.*?)\s+(?P<site>https?://\S+)\s*$"
)
_ZH_TITLE = re.compile(r"^【(?P<zh>[^】]*)】\s*(?P<rest>.*)$")
_EN_TITLE = re.compile(r"《(?P<en>[^《》]+)》")
_BY = re.compile(r"^\s*by\s+(?P<who>.+)$", re.IGNORECASE)
_YEAR_SUFFIX = re.compile(r"\s*[(（](?P<tag>[^()（）]*?(?P<year>(?:19|20)\d{2}))[)）]\s*$")
_QUOTED = re.compile(r"[“\"](?P<q>[A-Za-z][^“”\"]{8,}?)[”\"]")
_LABEL = re.compile(r"^[^\s]{0,8}?[：:]?\s*$")
_HEADING = re.compile(r"^#{1,6}\s+")
# A Markdown reading list: "- [Title](url)", "* https://…", "> a quoted line".
_MD_LINK = re.compile(r"(?<!!)\[(?P<label>[^\[\]]+)\]\((?P<url>https?://[^\s()]+)\)")
_BULLET = re.compile(r"^[-*+]\s+")
_QUOTE_MARK = re.compile(r"^>\s*")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+")  # "1. Title url": the number is no part of it
TITLE_MAX = 160
TITLE_MAX_CJK = 60


@dataclass(frozen=True, slots=True)
class Line:
    index: int
    text: str


def parse_stream(text: str) -> ParsedNotes:
    return parse_stream_lines(text.split("\n"))


def parse_stream_lines(lines: Sequence[str], offset: int = 0) -> ParsedNotes:
    """Items and feeds from stream-format lines; ``offset`` is the index of the first line."""
    items: list[ParsedItem] = []
    feeds: list[ListedFeed] = []
    for block in _blocks(lines, offset):
        found = _feeds(block)
        if found:
            feeds.extend(found)
        else:
            items.extend(_items(block))
    return ParsedNotes(items=tuple(items), feeds=tuple(feeds))


def _blocks(lines: Sequence[str], offset: int) -> Iterator[list[Line]]:
    block: list[Line] = []
    listed = False  # the line before was a list item
    for index, raw in enumerate(lines, start=offset):
        text = clean(raw)
        bullet = bool(_BULLET.match(text))
        if not text or (bullet and listed):  # each item of a list is a paragraph of its own
            if block:
                yield block
            block = []
        if text and not is_markup_line(text):
            block.append(Line(index, _markdown_read(text, listed=listed)))
        listed = bullet
    if block:
        yield block


def _markdown_read(text: str, *, listed: bool = False) -> str:
    """A Markdown line as the stream reads it: a link as its label then its URL, and a list
    item's bullet gone where it marks a link or follows another item, a quote's ``>`` gone.

    >>> _markdown_read("- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)")
    'Attention Is All You Need https://arxiv.org/abs/1706.03762'
    >>> _markdown_read("- Steve Jobs"), _markdown_read("> Stay hungry.")
    ('- Steve Jobs', 'Stay hungry.')
    """
    text = _MD_LINK.sub(lambda m: f"{m['label']} {m['url']}", text)
    if listed or links.find_urls(text):
        text = _BULLET.sub("", text)
    return clean(_QUOTE_MARK.sub("", text))


def _feeds(block: list[Line]) -> list[ListedFeed]:
    if not _FEEDS_HEADING.match(block[0].text):
        return []
    found = [(line, _FEED_LINE.match(line.text)) for line in block[1:]]
    feeds = [
        ListedFeed(m["name"], links.find_urls(m["site"])[0], line.index) for line, m in found if m
    ]
    return feeds if len(feeds) >= 2 else []


def _items(block: list[Line]) -> list[ParsedItem]:
    if len(block) == 1 and (_HEADING.match(block[0].text) or _header(block)):
        return []  # a heading, or a "Label:" line, alone names what follows: not an item
    pick = next((line for line in block if _PICK.match(_DONE.sub("", line.text))), None)
    if pick:
        return [_pick(block, pick)]
    if not any(links.find_urls(line.text) for line in block):
        return _quotes(block)
    if len(block) > 1 and all(_is_bare_url(line.text) for line in block):
        return [_link([line]) for line in block]  # a list of links, one a line
    segments = _segments(block)
    if len(segments) == 1:
        return [_link(block)]
    topic = _header(block)
    return [_titled_link(seg, topic) for seg in segments]


# --- arXiv picks -------------------------------------------------------------------------


def _pick(block: list[Line], pick: Line) -> ParsedItem:
    match = _PICK.match(_DONE.sub("", pick.text))
    assert match
    urls = [u for line in block for u in links.find_urls(line.text)]
    url = next((u for u in urls if links.arxiv_id(u)), urls[0] if urls else None)
    summary = [links.remove_urls(line.text) for line in block if line is not pick]
    return ParsedItem(
        kind=ItemKind.PAPER,
        title=clean(match["title"]),
        text=join_lines([s for s in summary if s]),
        author=clean(match["authors"]),
        affiliation=clean(match["aff"]),
        year=int(match["year"]),
        url=url,
        arxiv_id=links.arxiv_id(url),
        read=bool(_DONE.match(pick.text)),
        first_line=block[0].index,
        last_line=block[-1].index,
    )


# --- quotes ------------------------------------------------------------------------------


def _quotes(block: list[Line]) -> list[ParsedItem]:
    """One quote per speaker; lines without a speaker continue the quote above."""
    groups: list[list[Line]] = []
    for line in block:
        if not groups or quotes.split_speaker(line.text):
            groups.append([])
        groups[-1].append(line)
    return [_quote(group) for group in groups]


def _quote(group: list[Line]) -> ParsedItem:
    texts = [line.text for line in group]
    author = work = ""
    speaker = quotes.split_speaker(texts[0])
    if speaker:
        author, texts[0] = speaker.author, speaker.text
    for i, text in enumerate(texts):
        said = quotes.split_attribution(text)
        if said and not author:
            author, work, texts[i] = said.author, said.work, said.text
    body = join_lines([t for t in texts if t])
    return ParsedItem(
        kind=ItemKind.QUOTE,
        title=work or excerpt(body),
        text=body,
        author=author,
        first_line=group[0].index,
        last_line=group[-1].index,
    )


# --- links -------------------------------------------------------------------------------


def _is_url_only(text: str) -> bool:
    """A line that is a link, perhaps with a short label such as "代码地址：" or an emoji."""
    return bool(links.find_urls(text)) and bool(_LABEL.match(links.remove_urls(text)))


def _is_bare_url(text: str) -> bool:
    """A line that is one link and nothing else."""
    found = links.find_urls(text)
    return len(found) == 1 and not links.remove_urls(text).strip()


def _is_titled_url(text: str) -> bool:
    return bool(links.find_urls(text)) and not _is_url_only(text)


def _segments(block: list[Line]) -> list[list[Line]]:
    """Split a paragraph that lists several "title link" lines into one segment per link."""
    if sum(_is_titled_url(line.text) for line in block) < 2:
        return [block]
    segments: list[list[Line]] = [[]]
    for line in block:
        segments[-1].append(line)
        if _is_titled_url(line.text):
            segments.append([])
    if not segments[-1]:
        segments.pop()
    if _header(block):
        segments[0] = segments[0][1:]
    return [s for s in segments if s]


def _header(block: list[Line]) -> str:
    first = block[0].text
    if first.endswith(("：", ":")) and not links.find_urls(first):
        return first.rstrip("：:").strip()
    return ""


def _choose_url(block: list[Line]) -> str | None:
    """A paper link first, then a link on a line of its own, then the first link."""
    urls = [u for line in block for u in links.find_urls(line.text)]
    own = [u for line in block if _is_url_only(line.text) for u in links.find_urls(line.text)]
    paper = [u for u in urls if links.is_paper_url(u)]
    return next(iter(paper + own + urls), None)


def _titled_link(segment: list[Line], topic: str) -> ParsedItem:
    title = " ".join(links.remove_urls(line.text) for line in segment).strip("“”\"' ")
    title = _NUMBERED.sub("", title)
    url = _choose_url(segment)
    return _link_item(title, "", url, segment, topic=topic, year=venue_year(title))


def _link(block: list[Line]) -> ParsedItem:
    head = next((line for line in block if not _is_url_only(line.text)), block[0])
    url = _choose_url(block)
    first = _DONE.sub("", _HEADING.sub("", head.text))
    speaker = quotes.split_speaker(links.remove_urls(first))
    if speaker and len(speaker.text) >= 40 and not first.startswith("【"):
        return _quoted_link(block, head, speaker, url)
    line = _NUMBERED.sub("", links.remove_urls(first))
    title, lead, author, year = _title_parts(line)
    rest = [_rest_line(line, url) for line in block if line is not head]
    text = join_lines([lead, *[r for r in rest if r]])
    return _link_item(
        title,
        text,
        url,
        block,
        author=author,
        year=year,
        read=bool(_DONE.match(head.text)),
        paper_hint=has_venue(line),
    )


def _rest_line(line: Line, url: str | None) -> str:
    if _is_url_only(line.text) and url in links.find_urls(line.text):
        return ""
    if url in links.find_urls(line.text):
        return links.remove_urls(line.text)
    return links.mend_urls(line.text)


def _quoted_link(
    block: list[Line], head: Line, speaker: quotes.Attribution, url: str | None
) -> ParsedItem:
    rest = [_rest_line(line, url) for line in block if line is not head]
    text = join_lines([speaker.text, *[r for r in rest if r]])
    return ParsedItem(
        kind=ItemKind.QUOTE,
        title=excerpt(text),
        text=text,
        author=speaker.author,
        url=url,
        first_line=block[0].index,
        last_line=block[-1].index,
    )


def _title_parts(line: str) -> tuple[str, str, str, int | None]:
    """(title, lead for the text, author, year) of a link note's title line.

    The English 《…》 title wins and the Chinese 【…】 title leads the text; a venue tag such
    as "(CVPR 2021)" gives the year and leads the text; a title cut from a long line leaves
    the whole line in the text.
    """
    zh, rest = "", line
    match = _ZH_TITLE.match(line)
    if match:
        zh, rest = clean(match["zh"]), clean(match["rest"])
    author = ""
    en = _EN_TITLE.search(rest)
    if en and (rest.startswith("《") or is_latin_title(en["en"])):
        tail = rest[en.end() :]
        by = _BY.match(tail)
        author = by["who"].strip() if by else ""
        rest = clean(en["en"]) + ("" if by else tail)
    rest = clean(rest.replace("《", "").replace("》", ""))
    year, venue = venue_year(rest), ""
    suffix = _YEAR_SUFFIX.search(rest)
    if suffix:
        year, venue = int(suffix["year"]), suffix["tag"] if has_venue(suffix["tag"]) else ""
        rest = clean(rest[: suffix.start()])
    title = rest or zh
    lead = [zh if title != zh else "", venue]
    if len(title) > TITLE_MAX or (has_cjk(title) and len(title) > TITLE_MAX_CJK):
        quoted = _QUOTED.search(title)
        lead.append(title)
        title = quoted["q"] if quoted else excerpt(title)
    return title, join_lines([p for p in lead if p]), author, year


def _link_item(
    title: str,
    text: str,
    url: str | None,
    lines: list[Line],
    *,
    author: str = "",
    year: int | None = None,
    topic: str = "",
    read: bool = False,
    paper_hint: bool = False,
) -> ParsedItem:
    arxiv = links.arxiv_id(url)
    paper = paper_hint or links.is_paper_url(url) or has_venue(title)
    return ParsedItem(
        kind=ItemKind.PAPER if paper else ItemKind.ARTICLE,
        title=title or (url or "").split("://")[-1],
        text=text,
        author=author,
        year=year or links.arxiv_year(arxiv),
        url=url,
        arxiv_id=arxiv,
        video_url=url if links.is_video_url(url) else None,
        topic=topic,
        read=read,
        first_line=lines[0].index,
        last_line=lines[-1].index,
    )
