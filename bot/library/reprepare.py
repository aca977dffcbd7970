"""Repairs of stored items: running the current repair over an item's raw text again, and
what a reviewer is shown of a doubtful repair (pure)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol

from bot.library.importer import ImportFileError, prepare_text
from bot.library.items import ItemKind, PreparedItem
from bot.library.repair.text import Choice, LineRepair, Vocabulary, repair_text
from bot.library.tokens import search_tokens

__all__ = ["Doubt", "RepairedFields", "doubts", "reprepare"]


class RepairedFields(Protocol):
    """What an item holds that a re-run of the repair reads."""

    kind: ItemKind
    raw_text: str | None
    title: str
    text: str
    notes: str
    author: str
    affiliation: str
    topic: str


def reprepare(item: RepairedFields, vocabulary: Vocabulary | None) -> PreparedItem | None:
    """The item as the current repair reads its raw text; None if that is no longer one item
    of its kind. Fields the raw text does not give (topic, notes from other files) are kept."""
    if not item.raw_text:
        return None
    try:
        found = prepare_text("raw text", item.raw_text, vocabulary).items
    except ImportFileError:
        return None
    if len(found) != 1 or found[0].parsed.kind is not item.kind:
        return None
    entry = found[0]
    new = {
        name: getattr(entry.parsed, name) or getattr(item, name)
        for name in ("title", "text", "author", "affiliation")
    }
    body = " ".join(p for p in (new["text"], item.notes, new["author"], item.topic) if p)
    return dataclasses.replace(
        entry,
        parsed=dataclasses.replace(entry.parsed, **new),
        title_tokens=search_tokens(new["title"]),
        body_tokens=search_tokens(body),
    )


@dataclass(frozen=True, slots=True)
class Doubt:
    """One repaired line of an item, with its guessed characters."""

    before: str
    after: str
    confidence: float
    choices: tuple[Choice, ...]


def doubts(raw_text: str, vocabulary: Vocabulary | None = None) -> list[Doubt]:
    """The repaired lines of an item's raw text, least sure first."""
    lines: tuple[LineRepair, ...] = repair_text(raw_text, vocabulary=vocabulary).lines
    ordered = sorted(lines, key=lambda r: r.confidence)
    return [Doubt(r.before, r.after, r.confidence, r.choices) for r in ordered]
