"""The collection format: a PDF→Markdown paper collection with numbered sections.

The table of contents (Markdown tables) and everything before the first numbered heading are
skipped. Each numbered heading ("## 3.16 彩票假设") sets the topic: the deepest numbered
heading's text, without its number. Under it, each headline — a short line that is not a
sentence, a ``[title](…)`` link, or an unnumbered heading — starts an item; links and prose
after it belong to it. A Chinese headline followed at once by an English title is one item
titled in English. Content under a topic before any headline is an item titled by its
first line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from bot.library.items import ItemKind, ParsedItem, ParsedNotes
from bot.library.notes import links
from bot.library.notes.text import (
    clean,
    excerpt,
    has_cjk,
    is_latin_title,
    is_markup_line,
    join_lines,
    plain_links,
)

_NUMBERED = re.compile(r"^#{1,6}\s+\d+(?:\.\d+)*\s+(?P<title>\S.*?)\s*$")
_HEADING = re.compile(r"^#{1,6}\s+(?P<title>\S.*?)\s*#*\s*$")
_LINK_LINE = re.compile(
    r"^(?P<label>[^\[]{0,30}?[：:]\s*)?\[(?P<title>[^\]]+)\]\((?P<href>[^)]*)\)$"
)
_LEAD_IN = re.compile(r"^.{1,40}[：:]$")
_NOT_HEADLINE = re.compile(r"^(?:[-*•+]\s|\d+[.、)]\s|==>|推荐|摘要|\$)")
_SENTENCE = re.compile(r"[。；]")
_OPEN_ENDS = ("，", ",", "、", "：", ":")
HEADLINE_MAX_CJK = 90
HEADLINE_MAX_LATIN = 200


@dataclass
class _Draft:
    title: str
    topic: str
    first: int
    latin: bool
    url: str | None = None
    text: list[str] = field(default_factory=list)
    last: int = 0

    def item(self) -> ParsedItem:
        paper = self.latin or links.is_paper_url(self.url)
        arxiv = links.arxiv_id(self.url)
        return ParsedItem(
            kind=ItemKind.PAPER if paper else ItemKind.ARTICLE,
            title=self.title,
            text=join_lines(self.text),
            url=self.url,
            arxiv_id=arxiv,
            year=links.arxiv_year(arxiv),
            topic=self.topic,
            first_line=self.first,
            last_line=max(self.last, self.first),
        )


@dataclass
class _State:
    topic: str = ""
    drafts: list[_Draft] = field(default_factory=list)
    current: _Draft | None = None
    lead_in: list[str] = field(default_factory=list)
    in_code: bool = False


def parse_collection(text: str) -> ParsedNotes:
    state = _State()
    for index, raw in enumerate(text.split("\n")):
        _feed_line(state, index, clean(raw))
    return ParsedNotes(items=tuple(d.item() for d in state.drafts))


def _feed_line(state: _State, index: int, line: str) -> None:
    if line.startswith("```"):
        state.in_code = not state.in_code
        return
    numbered = _NUMBERED.match(line)
    if numbered:
        state.topic, state.current, state.lead_in = _unescape(numbered["title"]), None, []
        return
    if state.in_code or not state.topic or not line or _skipped(line):
        return
    heading = _HEADING.match(line)
    if heading:
        _headline(state, index, _unescape(heading["title"]), None)
    elif _is_url_line(line):
        _link(state, index, line)
    elif link := _LINK_LINE.match(line):
        href = link["href"] if link["href"].startswith("http") else None
        _headline(state, index, _unescape(link["title"]), href)
    elif _LEAD_IN.match(line):
        state.lead_in.append(line)
    elif _is_headline(line):
        _headline(state, index, _unescape(line), None)
    else:
        _prose(state, index, line)


def _skipped(line: str) -> bool:
    # Tables are the table of contents; images and bare HTML carry nothing to read.
    return line.startswith("|") or is_markup_line(line)


def _unescape(text: str) -> str:
    return clean(text.replace("\\_", "_").replace("\\(", "(").replace("\\)", ")"))


def _is_url_line(line: str) -> bool:
    """A link alone on its line, maybe labelled ("Haiku: <https://…>", "[url](url)")."""
    rest = links.remove_urls(re.sub(r"\[[^\]]*\]\([^)]*\)", lambda m: " " + m[0][1:], line))
    return bool(links.find_urls(line)) and len(re.sub(r"[\s<>\[\]()：:\\]", "", rest)) <= 12


def _is_headline(line: str) -> bool:
    if _NOT_HEADLINE.match(line) or _SENTENCE.search(line) or line.endswith(_OPEN_ENDS):
        return False
    limit = HEADLINE_MAX_CJK if has_cjk(line) else HEADLINE_MAX_LATIN
    return len(line) <= limit and not line.endswith((".", "．"))


def _headline(state: _State, index: int, title: str, url: str | None) -> None:
    title = plain_links(title)
    current, latin = state.current, is_latin_title(title)
    if current and latin and not current.latin and not current.text and not current.url:
        # A Chinese headline then the paper's English title: one item, titled in English.
        current.text.insert(0, current.title)
        current.title, current.latin, current.url, current.last = title, True, url, index
        return
    draft = _Draft(title, state.topic, index, latin, url, list(state.lead_in), index)
    state.lead_in = []
    state.drafts.append(draft)
    state.current = draft


def _orphan(state: _State, index: int, title: str) -> _Draft:
    """The item that content under a topic with no headline yet belongs to, titled by that
    content (the topic's own name is a table-of-contents entry, not a title)."""
    if state.current is None:
        _headline(state, index, title, None)
        assert state.current is not None
        state.current = replace(state.current, latin=False)
        state.drafts[-1] = state.current
    return state.current


def _link(state: _State, index: int, line: str) -> None:
    url = links.find_urls(line)[0]
    draft = _orphan(state, index, url.split("://", 1)[-1].rstrip("/"))
    draft.text.extend(state.lead_in)
    state.lead_in = []
    if draft.url is None:
        draft.url = url
    elif url != draft.url:
        draft.text.append(url)
    draft.last = index


def _prose(state: _State, index: int, line: str) -> None:
    draft = _orphan(state, index, excerpt(line))
    draft.text.extend([*state.lead_in, line])
    state.lead_in = []
    draft.last = index
