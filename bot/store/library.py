"""Writing the library: prepared notes become rows once, deduplicated by every key they carry."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from bot.feeds.newsletters import newsletter_for_site
from bot.library.dedupe import canonical_url
from bot.library.items import Answer, ItemKind, PreparedFile, PreparedItem
from bot.store.chats import ensure_chat
from bot.store.models import Item, ItemKey, ItemState, Source, SourceKind

# Fields a later file may fill in when an earlier one left them blank.
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
KEY_CHUNK = 500


@dataclass
class ImportReport:
    added: Counter[ItemKind] = field(default_factory=Counter)
    feeds: int = 0
    marked_read: int = 0
    duplicates: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "added": {kind.value: self.added[kind] for kind in ItemKind},
            "feeds": self.feeds,
            "marked_read": self.marked_read,
            "duplicates": self.duplicates,
        }


def import_prepared(
    session: Session, files: Sequence[PreparedFile], *, owner_chat_id: int, now: dt.datetime
) -> ImportReport:
    """Add the files' items and feeds; the caller owns the transaction."""
    report = ImportReport()
    ensure_chat(session, owner_chat_id)
    batches = [(_notes_source(session, f.name, now), f.items) for f in files]
    add_items(session, batches, owner_chat_id=owner_chat_id, now=now, report=report)
    for prepared in files:
        for feed in prepared.feeds:
            report.feeds += _add_feed(session, feed.name, feed.site, now)
    return report


class _NewRow(SimpleNamespace):
    """An item not written yet: later entries of the same batch may merge into it, as into a
    stored Item, before every new row is inserted at once."""


def add_items(
    session: Session,
    batches: Sequence[tuple[Source, Sequence[PreparedItem]]],
    *,
    owner_chat_id: int,
    now: dt.datetime,
    report: ImportReport,
) -> None:
    """Add each entry once: a new row, or a merge into the item one of its keys names.

    New rows, their keys and the owner's read marks are written with one multi-row INSERT
    each, not an ORM flush per object: importing a library or a pull of 200 feeds is mostly
    this."""
    keys = (k for _, entries in batches for entry in entries for k in entry.keys)
    by_key: dict[str, Item | _NewRow] = dict(existing_items(session, keys))
    session.flush()  # new sources need their ids
    new_rows: list[_NewRow] = []
    new_keys: list[tuple[str, Item | _NewRow]] = []
    read: dict[int, Item | _NewRow] = {}
    for source, entries in batches:
        for entry in entries:
            item = next((by_key[k] for k in entry.keys if k in by_key), None)
            if item is None:
                item = _new_row(entry, source, now)
                new_rows.append(item)
                report.added[entry.parsed.kind] += 1
            else:
                _merge(item, entry)
                report.duplicates += 1
            for key in entry.keys:
                if key not in by_key:
                    by_key[key] = item
                    new_keys.append((key, item))
            if entry.parsed.read:
                read[id(item)] = item
    if new_rows:
        ids = session.scalars(
            insert(Item).returning(Item.id, sort_by_parameter_order=True),
            [vars(row) for row in new_rows],
        ).all()
        for row, item_id in zip(new_rows, ids, strict=True):
            row.id = item_id
    if new_keys:
        session.execute(
            insert(ItemKey), [{"key": key, "item_id": item.id} for key, item in new_keys]
        )
    report.marked_read += _mark_read(session, owner_chat_id, [i.id for i in read.values()], now)


def existing_items(session: Session, keys: Iterable[str]) -> dict[str, Item]:
    wanted = sorted(set(keys))
    found: dict[str, Item] = {}
    for start in range(0, len(wanted), KEY_CHUNK):
        chunk = wanted[start : start + KEY_CHUNK]
        rows = session.execute(
            select(ItemKey.key, Item).join(Item).where(ItemKey.key.in_(chunk))
        ).all()
        found.update({key: item for key, item in rows})
    return found


def _notes_source(session: Session, name: str, now: dt.datetime) -> Source:
    key = f"file:{name}"
    source = session.scalar(select(Source).where(Source.key == key))
    if source is None:
        source = Source(kind=SourceKind.NOTES_FILE, key=key, name=name, added_at=now)
        session.add(source)
    return source


def _new_row(entry: PreparedItem, source: Source, now: dt.datetime) -> _NewRow:
    p = entry.parsed
    return _NewRow(
        kind=p.kind,
        title=p.title,
        text=p.text,
        notes=p.notes,
        author=p.author,
        affiliation=p.affiliation,
        year=p.year,
        url=p.url,
        arxiv_id=p.arxiv_id,
        video_url=p.video_url,
        topic=p.topic,
        published_at=p.published_at,
        source_id=source.id,
        canonical_key=entry.keys[0],
        raw_text=entry.raw_text,
        repair_confidence=entry.repair_confidence,
        title_tokens=entry.title_tokens,
        body_tokens=entry.body_tokens,
        added_at=now,
    )


def _merge(item: Item | _NewRow, entry: PreparedItem) -> None:
    """A second sighting fills blanks and adds notes; it never overwrites what is there."""
    p = entry.parsed
    filled = {
        name
        for name in FILLABLE
        if getattr(item, name) in (None, "") and getattr(p, name) not in (None, "")
    }
    for name in filled:
        setattr(item, name, getattr(p, name))
    if "title" in filled:
        item.title_tokens = entry.title_tokens  # a title found later is searched as one
    new_notes = bool(p.notes) and p.notes not in item.notes
    if new_notes:
        item.notes = f"{item.notes}\n\n{p.notes}" if item.notes else p.notes
    if new_notes or filled & {"text", "author", "affiliation", "topic"}:
        item.body_tokens = f"{item.body_tokens} {entry.body_tokens}".strip()
    if p.kind is ItemKind.PAPER and item.kind is ItemKind.ARTICLE:
        item.kind = ItemKind.PAPER


def _mark_read(session: Session, chat_id: int, item_ids: list[int], now: dt.datetime) -> int:
    """Mark the owner's reads; returns how many changed."""
    if not item_ids:
        return 0
    session.flush()  # merges into stored items, before their states are read
    known = dict(
        session.execute(
            select(ItemState.item_id, ItemState.status).where(
                ItemState.chat_id == chat_id, ItemState.item_id.in_(item_ids)
            )
        ).all()
    )
    fresh = [i for i in item_ids if i not in known]
    if fresh:
        session.execute(
            insert(ItemState),
            [
                {"chat_id": chat_id, "item_id": i, "status": Answer.READ, "answered_at": now}
                for i in fresh
            ],
        )
    changed = [i for i, status in known.items() if status is not Answer.READ]
    if changed:
        session.execute(
            update(ItemState)
            .where(ItemState.chat_id == chat_id, ItemState.item_id.in_(changed))
            .values(status=Answer.READ, answered_at=now)
        )
    return len(fresh) + len(changed)


def _add_feed(session: Session, name: str, site: str, now: dt.datetime) -> int:
    key = f"feed:{canonical_url(site)}"
    if session.scalar(select(Source.id).where(Source.key == key)) is not None:
        return 0
    known = newsletter_for_site(site)
    session.add(
        Source(
            kind=SourceKind.FEED,
            key=key,
            name=name,
            site=site,
            feed_url=known.feed_url if known else None,
            added_at=now,
        )
    )
    return 1


def export_items(
    session: Session, *, owner_chat_id: int, kind: ItemKind | None = None
) -> list[dict[str, Any]]:
    """Every item as plain data, with the owner's read mark: a backup a user can keep."""
    read = ItemState.status == Answer.READ
    query = (
        select(Item, Source.name, read)
        .outerjoin(Source, Item.source_id == Source.id)
        .outerjoin(ItemState, (ItemState.item_id == Item.id) & (ItemState.chat_id == owner_chat_id))
        .order_by(Item.id)
    )
    if kind is not None:
        query = query.where(Item.kind == kind)
    return [
        {
            "kind": item.kind.value,
            "title": item.title,
            "text": item.text,
            "notes": item.notes,
            "author": item.author,
            "affiliation": item.affiliation,
            "year": item.year,
            "url": item.url,
            "topic": item.topic,
            "source": source_name,
            "read": bool(is_read),
        }
        for item, source_name, is_read in session.execute(query)
    ]


def list_feeds(session: Session) -> list[Source]:
    return list(
        session.scalars(select(Source).where(Source.kind == SourceKind.FEED).order_by(Source.id))
    )


def count_items(session: Session) -> dict[ItemKind, int]:
    rows = session.execute(select(Item.kind, func.count()).group_by(Item.kind)).all()
    counts = dict.fromkeys(ItemKind, 0)
    counts.update({kind: n for kind, n in rows})
    return counts
