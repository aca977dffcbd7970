"""The post format: a Jekyll/Markdown post with ``##`` sections of notes, maybe with tables.

Front matter and template markup are skipped; what comes before the first ``##`` is read as a
stream. Without tables, each ``##`` section with content is one paper (an article when it is a
talk or report) whose notes are the section. With tables (a video table 日期/标题/时长/视频 and
paper tables 已录制/年份/名字/简介), the tables give one set of papers and talks, and each
section's notes go to the video it matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from itertools import pairwise

from bot.library.items import ItemKind, ParsedItem, ParsedNotes
from bot.library.notes import links
from bot.library.notes.stream import parse_stream_lines
from bot.library.notes.tables import Row, find_tables
from bot.library.notes.text import (
    clean,
    is_latin_title,
    is_markup_line,
    join_lines,
    loose_key,
    without_templates,
)
from bot.library.notes.videos import VideoRow, match_paper, talk_or_papers

_FRONT_MATTER_FENCE = "---"
_SECTION = re.compile(r"^##\s+(?P<title>\S.*?)\s*$")
_DURATION = re.compile(r"^(?:\d{1,2}:)?\d{1,2}:\d{2}$")
_TRAILING_DURATION = re.compile(r"\s+(?P<d>(?:\d{1,2}:)?\d{1,2}:\d{2})$")
_EN_TITLE = re.compile(r"《(?P<en>[^《》]+)》")
_HEAD_SPLIT = re.compile(r"[，,：:]")
_REFERENCES = frozenset({"参考资料", "参考", "参考文献", "references", "reference", "links"})
_TALK_WORDS = ("报告", "串讲", "综述", "如何", "研究的艺术")
HEAD_MAX = 30
MATCH_MIN = 0.6
# A top-level bullet of a Markdown list ("- ", "* ", "• "), not an indented one.
_BULLET = re.compile(r"^[-*•][ \t]+")
SAME_DURATION = 2  # seconds: headings and tables disagree by a second now and then


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    duration: int | None
    notes: str
    first_line: int
    last_line: int
    has_table: bool


def parse_post(text: str) -> ParsedNotes:
    lines = text.split("\n")
    start = _body_start(lines)
    first_section = next(
        (i for i in range(start, len(lines)) if _SECTION.match(lines[i])), len(lines)
    )
    preamble = _preamble(lines, start, first_section)
    sections = _sections(lines, first_section)
    video_rows, paper_rows = _table_rows(lines)
    if video_rows or paper_rows:
        items = _from_tables(video_rows, paper_rows, sections)
    else:
        items = [item for s in sections for item in _section_items(lines, s)]
    return ParsedNotes(items=(*preamble.items, *items), feeds=preamble.feeds)


def _preamble(lines: Sequence[str], start: int, end: int) -> ParsedNotes:
    """The notes before the first section. A bulleted list there is a note per bullet, each
    without its dash; an indented bullet belongs to the one above it."""
    chunks: list[tuple[int, list[str]]] = []
    for index in range(start, end):
        line = lines[index]
        bullet = _BULLET.match(line)
        if bullet or not chunks:
            chunks.append((index, []))
        chunks[-1][1].append(line[bullet.end() :] if bullet else line)
    parsed = [parse_stream_lines(chunk, offset=offset) for offset, chunk in chunks]
    return ParsedNotes(
        items=tuple(item for notes in parsed for item in notes.items),
        feeds=tuple(feed for notes in parsed for feed in notes.feeds),
    )


def _body_start(lines: Sequence[str]) -> int:
    if not lines or lines[0].strip() != _FRONT_MATTER_FENCE:
        return 0
    closing = next(
        (i for i in range(1, len(lines)) if lines[i].strip() == _FRONT_MATTER_FENCE), None
    )
    return closing + 1 if closing is not None else 0


# --- sections ----------------------------------------------------------------------------


def _seconds(text: str | None) -> int | None:
    if not text:
        return None
    total = 0
    for part in text.split(":"):
        total = total * 60 + int(part)
    return total


def _sections(lines: Sequence[str], start: int) -> list[Section]:
    bounds = [i for i in range(start, len(lines)) if _SECTION.match(lines[i])] + [len(lines)]
    return [_section(lines, a, b) for a, b in pairwise(bounds)]


def _section(lines: Sequence[str], first: int, end: int) -> Section:
    match = _SECTION.match(lines[first])
    assert match
    heading, duration = clean(without_templates(match["title"])), None
    trailing = _TRAILING_DURATION.search(heading)
    if trailing:
        heading, duration = heading[: trailing.start()].strip(), _seconds(trailing["d"])
    kept: list[str] = []
    for raw in lines[first + 1 : end]:
        line = clean(raw)
        if _DURATION.match(line):
            duration = duration or _seconds(line)
        elif not is_markup_line(line):
            kept.append(re.sub(r"\s+\]", "]", without_templates(raw)))
    body = [i for i in range(first + 1, end) if lines[i].strip()]
    return Section(
        heading=heading,
        duration=duration,
        notes=join_lines(kept),
        first_line=first,
        last_line=body[-1] if body else first,
        has_table=any(lines[i].lstrip().startswith("|") for i in range(first + 1, end)),
    )


def _section_items(lines: Sequence[str], section: Section) -> list[ParsedItem]:
    """A section's items: a list of links is one item per link, under the section's heading
    (a reading list's "## Papers"); any other section is one paper or talk."""
    body = lines[section.first_line + 1 : section.last_line + 1]
    if _is_link_list(body):
        listed = parse_stream_lines(body, offset=section.first_line + 1).items
        return [replace(item, topic=item.topic or section.heading) for item in listed]
    item = _section_item(section)
    return [item] if item else []


def _is_link_list(body: Sequence[str]) -> bool:
    """Lines that are all bullets with a link ("- [Title](url)"), two or more."""
    lines = [line.strip() for line in body if line.strip()]
    return len(lines) >= 2 and all(_BULLET.match(ln) and links.find_urls(ln) for ln in lines)


def _section_item(section: Section) -> ParsedItem | None:
    """A section of its own: a paper (or a talk) whose notes are the section's content."""
    if not section.notes or loose_key(section.heading) in _REFERENCES:
        return None
    title, lead = _heading_title(section.heading)
    talk = any(word in section.heading for word in _TALK_WORDS)
    return ParsedItem(
        kind=ItemKind.ARTICLE if talk else ItemKind.PAPER,
        title=title,
        notes=join_lines([lead, section.notes]),
        read=True,
        first_line=section.first_line,
        last_line=section.last_line,
    )


def _heading_title(heading: str) -> tuple[str, str]:
    """A heading's title and the rest of it: "ResNet，解决…" → ("ResNet", "解决…")."""
    en = _EN_TITLE.search(heading)
    if en and is_latin_title(en["en"]):
        return clean(en["en"]), ""
    parts = _HEAD_SPLIT.split(heading, maxsplit=1)
    if len(parts) == 2 and len(parts[0].strip()) <= HEAD_MAX and parts[1].strip():
        return parts[0].strip(), parts[1].strip()
    return heading, ""


# --- tables ------------------------------------------------------------------------------


def _table_rows(lines: Sequence[str]) -> tuple[list[VideoRow], list[Row]]:
    videos: list[VideoRow] = []
    papers: list[Row] = []
    for table in find_tables(lines):
        if table.has("标题", "视频"):
            videos.extend(VideoRow.from_row(row) for row in table.rows)
        elif table.has("名字"):
            papers.extend(row for row in table.rows if clean(row.cells.get("名字", "")))
    return videos, papers


def _paper_item(row: Row) -> ParsedItem:
    name_cell = row.cells.get("名字", "")
    name_match = re.match(r"^\[(?P<name>[^\]]+)\](?:\((?P<href>[^)]*)\))?", name_cell)
    name = name_match["name"] if name_match else name_cell
    href = name_match["href"] if name_match and name_match["href"] else None
    year = row.cells.get("年份", "").strip()
    url = href if href and href.startswith("http") else None
    return ParsedItem(
        kind=ItemKind.PAPER,
        title=clean(name),
        text=clean(row.cells.get("简介", "")),
        year=int(year) if year.isdigit() else None,
        url=url,
        arxiv_id=links.arxiv_id(url),
        topic=clean(row.topic),
        first_line=row.line,
        last_line=row.line,
    )


def _from_tables(
    video_rows: list[VideoRow], paper_rows: list[Row], sections: list[Section]
) -> list[ParsedItem]:
    items = [_paper_item(row) for row in paper_rows]
    owners: dict[int, list[int]] = {}  # video row → indexes of its items
    for number, video in enumerate(video_rows):
        owners[number] = _place_video(video, items)
    for section in sections:
        if section.has_table:
            continue
        best = _best_video(section, video_rows)
        if best is None:
            own = _section_item(section)
            items.extend([own] if own else [])
            continue
        for index in owners[best]:
            items[index] = _with_notes(items[index], section.notes)
    return items


def _place_video(video: VideoRow, items: list[ParsedItem]) -> list[int]:
    """Attach a video row to the items it covers, adding them when the tables lack them."""
    found = talk_or_papers(video)
    if isinstance(found, ParsedItem):
        items.append(found)
        return [len(items) - 1]
    placed = []
    for name, href in found:
        index = match_paper(name, href, items)
        if index is None:
            items.append(video.paper(name, href))
            index = len(items) - 1
        elif items[index].video_url is None:
            items[index] = replace(items[index], video_url=video.video_url)
        placed.append(index)
    return placed


def _with_notes(item: ParsedItem, notes: str) -> ParsedItem:
    if not notes:
        return item
    return replace(item, notes=join_lines([item.notes, "", notes]), read=True)


def _best_video(section: Section, videos: list[VideoRow]) -> int | None:
    """The video a section discusses: similar title, same duration, or the name inside."""
    heading = loose_key(section.heading)
    best, best_score = None, MATCH_MIN
    similarity = SequenceMatcher(None, heading)
    for number, video in enumerate(videos):
        score = 0.0
        if section.duration and video.duration:
            score += 0.5 if abs(section.duration - video.duration) <= SAME_DURATION else 0
        if any(len(key) >= 3 and key in heading for key in video.name_keys()):
            score += 0.3
        similarity.set_seq2(loose_key(video.title))
        # quick_ratio bounds ratio from above: most titles cannot win, and ratio is the cost.
        if score + similarity.quick_ratio() <= best_score:
            continue
        score += similarity.ratio()
        if score > best_score:
            best, best_score = number, score
    return best
