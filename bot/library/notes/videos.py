"""Rows of a paper-reading video table (日期/标题/时长/视频): which papers, or which talk, each
video is about, and how their names match the paper table's (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.library.items import ItemKind, ParsedItem
from bot.library.notes import links
from bot.library.notes.tables import Row
from bot.library.notes.text import clean, loose_key, without_templates

_BRACKET = re.compile(r"(?<!!)\[(?!\^)(?P<name>[^\]]+)\](?:\((?P<href>[^)]*)\))?")
_SERIES = re.compile(r"【[^】]*】")
_PAREN = re.compile(r"[（(][^（）()]*[）)]")
# Bracketed names in these rows are topics, books or reports, not papers.
_TALK_MARKERS = ("串讲", "综述", "报告", "吗？", "吗?")
MIN_SUFFIX = 5


@dataclass(frozen=True, slots=True)
class VideoRow:
    line: int
    cell: str
    title: str
    duration: int | None
    video_url: str | None

    @classmethod
    def from_row(cls, row: Row) -> VideoRow:
        cell = without_templates(row.cells.get("标题", "")).split("<br>")[0]
        title = clean(_BRACKET.sub(lambda m: m["name"], cell))
        urls = links.find_urls(row.cells.get("视频", ""))
        return cls(
            row.line, cell, title, _seconds(row.cells.get("时长", "")), next(iter(urls), None)
        )

    def names(self) -> list[tuple[str, str | None]]:
        series = [m.span() for m in _SERIES.finditer(self.cell)]
        found = []
        for m in _BRACKET.finditer(self.cell):
            if any(a <= m.start() < b for a, b in series):
                continue
            href = m["href"] if m["href"] and m["href"].startswith("http") else None
            found.append((clean(m["name"]), href))
        return found

    def name_keys(self) -> list[str]:
        return [paper_key(name) for name, _ in self.names()]

    def paper(self, name: str, href: str | None) -> ParsedItem:
        return ParsedItem(
            kind=ItemKind.PAPER,
            title=name,
            url=href,
            arxiv_id=links.arxiv_id(href),
            video_url=self.video_url,
            first_line=self.line,
            last_line=self.line,
        )

    def talk(self) -> ParsedItem:
        href = next((h for _, h in self.names() if h), None)
        return ParsedItem(
            kind=ItemKind.ARTICLE,
            title=self.title,
            url=href,
            video_url=self.video_url,
            first_line=self.line,
            last_line=self.line,
        )


def _seconds(text: str) -> int | None:
    parts = text.strip().split(":")
    if not all(p.isdigit() for p in parts) or len(parts) < 2:
        return None
    total = 0
    for part in parts:
        total = total * 60 + int(part)
    return total


def paper_key(name: str) -> str:
    """A name's key without its aside: 参数服务器（Parameter Server） is 参数服务器."""
    return loose_key(_PAREN.sub("", name)) or loose_key(name)


def talk_or_papers(video: VideoRow) -> ParsedItem | list[tuple[str, str | None]]:
    """The talk a video is, or the (name, link) of each paper it reads."""
    names = video.names()
    if not names or any(marker in video.title for marker in _TALK_MARKERS):
        return video.talk()
    return names


def match_paper(name: str, href: str | None, items: list[ParsedItem]) -> int | None:
    """The paper item a video's name means: same name, its v1, the same link, or a name that
    ends with it ("OpenAI Codex" → "Codex")."""
    key = paper_key(name)
    papers = [(i, paper_key(item.title)) for i, item in enumerate(items) if item.kind == "paper"]
    for i, other in papers:
        if other in (key, key + "v1"):
            return i
    for i, _ in papers:
        if href and items[i].url == href:
            return i
    for i, other in papers:
        if len(other) >= MIN_SUFFIX and key.endswith(other):
            return i
    return None
