"""Shared values of the domain: what a parsed note is, before the store gives it an id."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import NamedTuple

# Telegram never uses 0 as a chat id, so it names the owner before any admin is configured.
LOCAL_OWNER_CHAT_ID = 0


class ItemKind(enum.StrEnum):
    QUOTE = "quote"
    PAPER = "paper"
    ARTICLE = "article"


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One item as a notes parser found it.

    ``first_line``/``last_line`` are 0-based indexes of the lines it came from, so the importer
    can keep the raw text of lines that repair changed.
    """

    kind: ItemKind
    title: str = ""
    text: str = ""
    notes: str = ""
    author: str = ""
    affiliation: str = ""
    year: int | None = None
    url: str | None = None
    arxiv_id: str | None = None
    video_url: str | None = None
    topic: str = ""
    read: bool = False
    published_at: dt.datetime | None = None
    first_line: int = 0
    last_line: int = 0


@dataclass(frozen=True, slots=True)
class ListedFeed:
    """A newsletter the owner listed: its name and site as written."""

    name: str
    site: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class ParsedNotes:
    """Everything one notes file yields."""

    items: tuple[ParsedItem, ...]
    feeds: tuple[ListedFeed, ...] = ()


@dataclass(frozen=True, slots=True)
class PreparedItem:
    """A parsed item with what the store needs beside it: keys, raw text, search tokens."""

    parsed: ParsedItem
    keys: tuple[str, ...]
    raw_text: str | None
    repair_confidence: float | None
    title_tokens: str
    body_tokens: str


@dataclass(frozen=True, slots=True)
class PreparedFile:
    name: str
    items: tuple[PreparedItem, ...]
    feeds: tuple[ListedFeed, ...]


class Answer(enum.StrEnum):
    """What a reader said about an item.

    Both skips rest the item for a while; only LESS says something about its content.
    """

    READ = "read"
    SKIPPED = "skipped"  # "not now": no judgement of the item (every skip before 0010)
    LESS = "less"  # "less like this": counts against what the item is about


class SourceLevel(enum.StrEnum):
    """How often a reader wants items of one source (a notes file or a feed); NEVER keeps
    them out of that reader's digests altogether."""

    MORE = "more"
    NORMAL = "normal"
    LESS = "less"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class LibraryItem:
    """An item as the digest sees it: what selection weighs and rendering shows."""

    id: int
    kind: ItemKind
    title: str
    text: str = ""
    author: str = ""
    year: int | None = None
    url: str | None = None
    video_url: str | None = None
    topic: str = ""
    source: str = ""
    added_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    notes: str = ""  # the opening of the owner's notes on it (for context)
    # What arXiv says of it (bot.store.enrichments), apart from the owner's fields above: for
    # rendering to show where the owner's own are missing.
    arxiv_id: str | None = None  # the item's own, else the one arXiv found
    abstract: str = ""  # the start of arXiv's abstract
    enriched_title: str = ""
    enriched_authors: str = ""
    enriched_year: int | None = None
    # Its search tokens (title first, then the start of the rest and of arXiv's abstract),
    # space-joined: the words content taste learns from. Empty: taken from the fields above.
    terms: str = ""
    # The store's id of its source (the notes file or feed named ``source``): a reader's level
    # for that source (SourceLevel) is kept by this id, since two sources may share a name.
    source_id: int | None = None


class ItemHistory(NamedTuple):
    """One chat's past with one item (a tuple: a sweep builds one per row of every chat's
    history, and a frozen dataclass costs twice as much to make)."""

    item_id: int
    answer: Answer | None = None
    answered_at: dt.datetime | None = None
    times_shown: int = 0
    last_shown_at: dt.datetime | None = None
