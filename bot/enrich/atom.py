"""arXiv's answers (Atom) as :class:`Paper` values: pure, feedparser's untyped result read here
and nowhere else.

An answer that is no well-formed Atom document raises :class:`MalformedAnswer`: a half-read
answer is not taken for "not found". Entries without an arXiv id (arXiv's error entries) are
left out.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import feedparser

from bot.enrich.matching import Paper
from bot.library.dedupe import arxiv_id

__all__ = ["MalformedAnswer", "parse_answer"]

TITLE_MAX_CHARS = 500
ABSTRACT_MAX_CHARS = 5000
MAX_AUTHORS = 25  # a collaboration's paper names thousands; the first few say who wrote it


class MalformedAnswer(ValueError):
    """The answer is not the Atom document arXiv sends."""


def parse_answer(body: bytes) -> tuple[Paper, ...]:
    """The papers of an arXiv API answer, in its order."""
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    version = parsed.get("version") or ""
    if not version.startswith("atom"):
        reason = parsed.get("bozo_exception") or "no Atom feed"
        raise MalformedAnswer(f"not an Atom document ({reason})")
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(exc, feedparser.ThingsNobodyCaresAboutButMe):
        raise MalformedAnswer(f"the Atom document is malformed ({exc})")
    papers = (_paper(entry) for entry in parsed.entries)
    return tuple(paper for paper in papers if paper is not None)


def _paper(entry: Mapping[str, Any]) -> Paper | None:
    found = arxiv_id(_text(entry.get("id")))
    if found is None:
        return None
    return Paper(
        arxiv_id=found,
        title=_cap(_text(entry.get("title")), TITLE_MAX_CHARS),
        abstract=_cap(_text(entry.get("summary")), ABSTRACT_MAX_CHARS),
        authors=_authors(entry.get("authors")),
        year=_year(entry.get("published_parsed")),
    )


def _text(value: object) -> str:
    """One line of plain text: arXiv wraps titles and abstracts as they were typed."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _authors(value: object) -> str:
    if not isinstance(value, list):
        return ""
    names = [
        name
        for author in value
        if isinstance(author, Mapping)
        if (name := _text(author.get("name")))
    ]
    shown = ", ".join(names[:MAX_AUTHORS])
    return f"{shown}, et al." if len(names) > MAX_AUTHORS else shown


def _year(value: object) -> int | None:
    return value.tm_year if isinstance(value, time.struct_time) else None
