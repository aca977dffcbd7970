"""Re-importing a notes file: the items that came from it follow the owner's edits (their new
text wins, what they held before is kept as a revision, read state stays), and the items no
longer in it are reported and, when asked, retired: kept, searchable, never drawn again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.library.dedupe import normalized_title
from bot.library.items import PreparedItem
from bot.store.models import Item, ItemRevision

# Fields a later note may fill in when an earlier one left them blank.
FILLABLE = (
    "title",
    "text",
    "author",
    "affiliation",
    "year",
    "url",
    "arxiv_id",
    "video_url",
    "topic",
)
# What the owner writes of an item: a re-import of its file may change these (notes are
# added to by other notes, never filled).
EDITABLE = (*FILLABLE, "notes")
# A new note at least this alike (title and text) an item gone from the same file is that
# item edited so far that none of its keys is left (a quote's wording, a retyped title).
EDIT_LIKENESS = 0.6


def revise(session: Session, item: Item, entry: PreparedItem, now: dt.datetime) -> bool:
    """Give `item` the fields `entry` states where they differ, keeping the former values as
    a revision; a field the entry leaves blank stays (another file may have filled it).
    Returns whether anything changed."""
    p = entry.parsed
    previous: dict[str, Any] = {
        name: getattr(item, name)
        for name in EDITABLE
        if getattr(p, name) not in (None, "") and getattr(p, name) != getattr(item, name)
    }
    if p.notes and p.notes in item.notes:
        previous.pop("notes", None)  # the file's notes, with another file's after them
    if item.title_before_fix is not None:
        previous.pop("title", None)  # the owner fixed it: their title stays
    if entry.raw_text is not None and entry.raw_text != item.raw_text:
        previous["raw_text"] = item.raw_text
    if not previous:
        return False
    for name in previous:
        setattr(item, name, entry.raw_text if name == "raw_text" else getattr(p, name))
    if item.title_before_fix is None:
        item.title_tokens = entry.title_tokens
    item.body_tokens = entry.body_tokens
    session.add(ItemRevision(item_id=item.id, revised_at=now, previous=previous))
    return True


def gone_from(session: Session, source_id: int, sighted: Collection[int]) -> list[Item]:
    """The live items that came from the source and were not sighted in this import."""
    items = session.scalars(
        select(Item).where(Item.source_id == source_id, Item.retired_at.is_(None))
    )
    return [item for item in items if item.id not in sighted]


def _likeness(item: Item, entry: PreparedItem) -> float:
    # A title the owner fixed is compared as the file had it.
    mine = normalized_title(f"{item.title_before_fix or item.title} {item.text[:300]}")
    theirs = normalized_title(f"{entry.parsed.title} {entry.parsed.text[:300]}")
    matcher = SequenceMatcher(None, mine, theirs, autojunk=False)
    # The cheap upper bounds first: most pairs are nothing alike.
    if matcher.real_quick_ratio() < EDIT_LIKENESS or matcher.quick_ratio() < EDIT_LIKENESS:
        return 0.0
    return matcher.ratio()


def pair_edits(
    gone: Sequence[Item], added: Sequence[PreparedItem]
) -> list[tuple[Item, PreparedItem]]:
    """Gone items and new notes of one file that are one item edited: same kind, alike
    enough; each pairs once, the most alike first."""
    scored = sorted(
        (
            (score, i, j)
            for i, item in enumerate(gone)
            for j, entry in enumerate(added)
            if item.kind is entry.parsed.kind and (score := _likeness(item, entry)) >= EDIT_LIKENESS
        ),
        reverse=True,
    )
    used_items: set[int] = set()
    used_entries: set[int] = set()
    pairs = []
    for _, i, j in scored:
        if i not in used_items and j not in used_entries:
            used_items.add(i)
            used_entries.add(j)
            pairs.append((gone[i], added[j]))
    return pairs
