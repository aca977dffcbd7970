"""Items the mojibake repair changed: the owner's clean text the repair learns from, the least
certain repairs for review, and re-running the repair over the raw text kept with each item."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.library.items import PreparedItem
from bot.store.models import Item, ItemKey, Source, SourceKind

__all__ = ["ReapplyReport", "clean_texts", "least_certain", "reapply", "repaired_items"]

# Fields a re-run of the repair may rewrite; the rest (topic, links, notes gathered from other
# files, read state) stays as it is.
REPAIRED_FIELDS = ("title", "text", "author", "affiliation")


def clean_texts(session: Session) -> list[str]:
    """Text of the notes items the repair never touched: the owner's own vocabulary."""
    rows = session.execute(
        select(Item.title, Item.text, Item.notes, Item.author)
        .join(Source, Item.source_id == Source.id)
        .where(Item.raw_text.is_(None), Source.kind == SourceKind.NOTES_FILE)
    )
    return ["\n".join(part for part in row if part) for row in rows]


def least_certain(session: Session, *, limit: int) -> Sequence[Item]:
    """Repaired items, the least sure repair first."""
    return session.scalars(
        select(Item)
        .where(Item.raw_text.is_not(None), Item.repair_confidence.is_not(None))
        .order_by(Item.repair_confidence, Item.id)
        .limit(limit)
    ).all()


def repaired_items(session: Session) -> Sequence[Item]:
    """Every item whose text came out of a repair (it keeps the raw text)."""
    return session.scalars(select(Item).where(Item.raw_text.is_not(None)).order_by(Item.id)).all()


@dataclass
class ReapplyReport:
    checked: int = 0
    updated: int = 0
    skipped: int = 0  # the raw text no longer parses as one item of its kind


def reapply(session: Session, reprepare: Callable[[Item], PreparedItem | None]) -> ReapplyReport:
    """Re-run the repair over every item's raw text; the caller owns the transaction.

    ``reprepare`` repairs and parses one item's raw text. Raw text and read state stay; the
    item keeps its keys and gains the new text's, so importing the file again finds it.
    """
    report = ReapplyReport()
    taken = set(session.scalars(select(ItemKey.key)))
    new_keys: list[dict[str, object]] = []
    for item in repaired_items(session):
        report.checked += 1
        entry = reprepare(item)
        if entry is None or entry.parsed.kind is not item.kind:
            report.skipped += 1
            continue
        fixed = item.title_before_fix is not None  # the owner's title stays
        changed = False
        for name in REPAIRED_FIELDS:
            value = getattr(entry.parsed, name)
            if value and value != getattr(item, name) and not (fixed and name == "title"):
                setattr(item, name, value)
                changed = True
        if entry.repair_confidence is not None:
            item.repair_confidence = entry.repair_confidence
        if changed:
            report.updated += 1
            item.title_tokens = item.title_tokens if fixed else entry.title_tokens
            item.body_tokens = entry.body_tokens
        for key in entry.keys:
            if key not in taken:
                taken.add(key)
                new_keys.append({"key": key, "item_id": item.id})
    if new_keys:
        session.execute(insert(ItemKey), new_keys)
    return report
