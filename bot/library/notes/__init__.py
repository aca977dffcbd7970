"""Notes parsers: one per format the owner writes in, behind ``parse_notes``.

- ``stream``: plain paragraphs of quotes, link notes, arXiv picks and newsletter lists;
- ``collection``: a PDF→Markdown collection with numbered sections and a table of contents;
- ``post``: a Jekyll/Markdown post with ``##`` sections per paper and tables of papers.
"""

from __future__ import annotations

import re

from bot.library.items import ParsedNotes
from bot.library.notes.collection import parse_collection
from bot.library.notes.post import parse_post
from bot.library.notes.stream import parse_stream

_FRONT_MATTER = re.compile(r"\A\s*---\s*\n(?:.*\n)*?---\s*(?:\n|\Z)")
_NUMBERED_HEADING = re.compile(r"^#{1,6}\s+\d+(?:\.\d+)*\s+\S", re.MULTILINE)
_SECTION_HEADING = re.compile(r"^##\s+\S", re.MULTILINE)
# Enough numbered headings to be a collection, not a post that happens to number one.
_MIN_NUMBERED = 3
_MIN_SECTIONS = 2


def detect_format(text: str) -> str:
    """The notes format: "post" (front matter or ``##`` sections), "collection" (numbered
    sections) or "stream" (plain paragraphs)."""
    if _FRONT_MATTER.match(text):
        return "post"
    if len(_NUMBERED_HEADING.findall(text)) >= _MIN_NUMBERED:
        return "collection"
    if len(_SECTION_HEADING.findall(text)) >= _MIN_SECTIONS:
        return "post"
    return "stream"


def parse_notes(text: str) -> ParsedNotes:
    """The items (and newsletter feeds) in one notes file, whatever its format."""
    parser = {"post": parse_post, "collection": parse_collection}.get(
        detect_format(text), parse_stream
    )
    return parser(text)


__all__ = ["detect_format", "parse_notes"]
