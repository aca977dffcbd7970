"""The owner's curation of the library. A forgotten item is kept but hidden from everyone: no
digest draws it (bot.store.digests.library) and the search index leaves it out (its triggers
follow `forgotten_at`, migration 0014); unforgetting brings it back. A fixed title replaces the
old one, which is kept (`title_before_fix`, and a revision per fix); the new title is searched,
and imports and repairs keep it (bot.store.edits, bot.store.repairs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.library.dedupe import keys_of
from bot.library.tokens import search_tokens
from bot.store.models import Item, ItemKey, ItemRevision

__all__ = ["Curated", "fix_title", "forget", "unforget"]

NAME_CHARS = 200


@dataclass(frozen=True, slots=True)
class Curated:
    """An item curation touched: its title now (`name`: the title, or an untitled quote's
    opening), whether anything changed (False: it already was so), and for a fix the title
    it had."""

    id: int
    title: str
    changed: bool
    before: str = ""
    name: str = ""


def forget(session: Session, item_id: int, now: dt.datetime) -> Curated | None:
    """Hide the item from every reader and every search; None for an unknown id."""
    item = session.get(Item, item_id)
    if item is None:
        return None
    changed = item.forgotten_at is None
    if changed:
        item.forgotten_at = now
    return Curated(item.id, item.title, changed, name=_name(item))


def unforget(session: Session, item_id: int) -> Curated | None:
    """Bring a forgotten item back; None for an unknown id."""
    item = session.get(Item, item_id)
    if item is None:
        return None
    changed = item.forgotten_at is not None
    item.forgotten_at = None
    return Curated(item.id, item.title, changed, name=_name(item))


def fix_title(session: Session, item_id: int, title: str, now: dt.datetime) -> Curated | None:
    """Give the item the owner's title, keeping the old one; None for an unknown id."""
    item = session.get(Item, item_id)
    if item is None:
        return None
    before = item.title
    if title == before:
        return Curated(item.id, title, False, before, title)
    session.add(ItemRevision(item_id=item.id, revised_at=now, previous={"title": before}))
    if item.title_before_fix is None:
        item.title_before_fix = before
    item.title, item.title_tokens = title, search_tokens(title)
    _know_by_title(session, item)
    return Curated(item.id, title, True, before, title)


def _name(item: Item) -> str:
    return item.title or " ".join(item.text[:NAME_CHARS].split())


def _know_by_title(session: Session, item: Item) -> None:
    """The item is also known by its new title, unless another item is: a note or a post
    with that title then joins it. Its old keys stay, so its notes file still finds it."""
    keys = keys_of(item)

    # Only titles long enough to name one work are keys (a quote has none): dedupe's rules.
    for key in (k for k in keys if k.startswith("title:")):
        if session.scalar(select(ItemKey.item_id).where(ItemKey.key == key)) is None:
            session.add(ItemKey(key=key, item_id=item.id))
