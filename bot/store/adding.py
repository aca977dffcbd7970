"""Adding entries to the library: each a new row, a merge into the item one of its keys
names, or (for an item its notes file held before) that item as the file now says. What was
added, merged, updated and is gone comes back as an ImportReport."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bot.library.dedupe import fit_key, normalized_title
from bot.library.items import Answer, ItemKind, PreparedItem
from bot.library.sameness import Sighting, same_work
from bot.store.edits import FILLABLE, gone_from, pair_edits, revise
from bot.store.models import Item, ItemKey, ItemState, Source, SourceKind

KEY_CHUNK = 500


@dataclass(frozen=True)
class Merge:
    """A note that joined an item already in the library, and the key they share."""

    kept: str  # the item's title
    merged: str  # where the note was: "file:line title"
    key: str

    def as_json(self) -> dict[str, str]:
        return {"kept": self.kept, "from": self.merged, "key": self.key}


@dataclass(frozen=True)
class Gone:
    """An item a re-imported notes file no longer holds."""

    id: int
    title: str


@dataclass
class ImportReport:
    added: Counter[ItemKind] = field(default_factory=Counter)
    feeds: int = 0
    marked_read: int = 0
    duplicates: int = 0
    merges: list[Merge] = field(default_factory=list)
    updated: int = 0  # items of a re-imported file that the owner edited
    gone: list[Gone] = field(default_factory=list)  # items no longer in their file
    retired: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "added": {kind.value: self.added[kind] for kind in ItemKind},
            "feeds": self.feeds,
            "marked_read": self.marked_read,
            "duplicates": self.duplicates,
            "merged": [merge.as_json() for merge in self.merges],
            "updated": self.updated,
            "gone": [{"id": gone.id, "title": gone.title} for gone in self.gone],
            "retired": self.retired,
        }


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
    retire: bool = False,
) -> list[int]:
    """Add each entry once: a new row, a merge into the item one of its keys names, or, for
    an item its notes file held before, that item as the file now says. Items a notes file
    no longer holds are reported (retired too, with `retire`). Returns the id of the item
    each entry went into, in the batches' order.

    New rows, their keys and the owner's read marks are written with one multi-row INSERT
    each, not an ORM flush per object: importing a library or a pull of 200 feeds is mostly
    this."""
    keys = (k for _, entries in batches for entry in entries for k in entry.keys)
    adding = _Adding(session, dict(existing_items(session, keys)), report, now)
    session.flush()  # new sources need their ids
    for source, entries in batches:
        for entry in entries:
            adding.take(source, entry)
    for source, _ in batches:
        if source.kind is SourceKind.NOTES_FILE:
            adding.follow_edits(source, retire=retire)
    adding.write()
    read = [item.id for item in adding.read.values()]
    report.marked_read += _mark_read(session, owner_chat_id, read, now)
    return [item.id for item in adding.placed]


class _Adding:
    """One import's progress: which key names which item, the rows still to insert."""

    def __init__(
        self,
        session: Session,
        by_key: dict[str, Item | _NewRow],
        report: ImportReport,
        now: dt.datetime,
    ) -> None:
        self.session, self.by_key, self.report, self.now = session, by_key, report, now
        self.new_rows: dict[int, tuple[_NewRow, PreparedItem, Source]] = {}
        self.new_keys: dict[str, Item | _NewRow] = {}
        self.read: dict[int, Item | _NewRow] = {}
        self.sighted: set[int] = set()  # stored items met in this import
        self.placed: list[Item | _NewRow] = []  # the item each entry went into, in order

    def take(self, source: Source, entry: PreparedItem) -> None:
        found = _same_work(self.by_key, entry)
        if found is None:
            row = _new_row(entry, source, self.now, _free_key(entry, self.by_key))
            self.new_rows[id(row)] = (row, entry, source)
            item: Item | _NewRow = row
            self.report.added[entry.parsed.kind] += 1
        else:
            key, item = found
            self._sighted(item, key, source, entry)
        for key in entry.keys:
            if key not in self.by_key:
                self.by_key[key] = self.new_keys[key] = item
        if entry.parsed.read:
            self.read[id(item)] = item
        self.placed.append(item)

    def _sighted(self, item: Item | _NewRow, key: str, source: Source, entry: PreparedItem) -> None:
        """A note of an item already known: its own file's again (edits win), or another."""
        if isinstance(item, Item):
            own = item.source_id == source.id and source.kind is SourceKind.NOTES_FILE
            first = item.id not in self.sighted
            self.sighted.add(item.id)
            item.retired_at = None  # listed again
            if own and first and revise(self.session, item, entry, self.now):
                self.report.updated += 1
                return
            if own and first:
                self.report.duplicates += 1
                return
            if not own:
                self.report.merges.append(Merge(item.title, _where(source, entry), key))
        _merge(item, entry)  # another note of the item: it fills blanks, adds notes
        self.report.duplicates += 1

    def follow_edits(self, source: Source, *, retire: bool) -> None:
        """Items of a re-imported file that it no longer holds: the ones a new note of the file
        is an edit of become that note; the rest are reported gone."""
        gone = gone_from(self.session, source.id, self.sighted)
        added = [(r, e) for r, e, s in self.new_rows.values() if s is source]
        pairs = pair_edits(gone, [entry for _, entry in added]) if gone and added else []
        rows = {id(entry): row for row, entry in added}
        for item, entry in pairs:
            row = rows[id(entry)]
            del self.new_rows[id(row)]
            self.report.added[entry.parsed.kind] -= 1
            self.report.updated += revise(self.session, item, entry, self.now)
            for key, holder in self.new_keys.items():
                if holder is row:
                    self.by_key[key] = self.new_keys[key] = item
            if self.read.pop(id(row), None) is not None:
                self.read[id(item)] = item
            self.placed = [item if placed is row else placed for placed in self.placed]
            self.sighted.add(item.id)
        for item in gone:
            if item.id not in self.sighted:
                self.report.gone.append(Gone(item.id, item.title))
                if retire:
                    item.retired_at = self.now
                    self.report.retired += 1

    def write(self) -> None:
        rows = [row for row, _, _ in self.new_rows.values()]
        if rows:
            ids = self.session.scalars(
                insert(Item).returning(Item.id, sort_by_parameter_order=True),
                [vars(row) for row in rows],
            ).all()
            for row, item_id in zip(rows, ids, strict=True):
                row.id = item_id
        fresh = [{"key": key, "item_id": item.id} for key, item in self.new_keys.items()]
        if fresh:
            self.session.execute(insert(ItemKey), fresh)


def _same_work(
    by_key: dict[str, Item | _NewRow], entry: PreparedItem
) -> tuple[str, Item | _NewRow] | None:
    """The first item one of the entry's keys names that is the same work, with that key."""
    p = entry.parsed
    new = Sighting(p.title, p.year, p.kind is ItemKind.PAPER)
    for key in entry.keys:
        item = by_key.get(key)
        if item is None:
            continue
        # A title the owner fixed is compared as its notes or feed had it.
        title = getattr(item, "title_before_fix", None) or item.title
        if same_work(key, Sighting(title, item.year, item.kind is ItemKind.PAPER), new):
            return key, item
    return None


def _free_key(entry: PreparedItem, by_key: dict[str, Item | _NewRow]) -> str:
    """The entry's first key no other work holds; when a related work holds them all (two
    papers behind one shared link and a short title), its dedupe key with its title's."""
    free = next((key for key in entry.keys if key not in by_key), None)
    if free is not None:
        return free
    title = normalized_title(entry.parsed.title) or str(entry.parsed.first_line)
    return fit_key(f"{entry.keys[0]}|title:{title}")


def _where(source: Source, entry: PreparedItem) -> str:
    """Where a note was: "file:line title" (lines counted from 1), or "feed title"."""
    p = entry.parsed
    line = f":{p.first_line + 1}" if source.kind is SourceKind.NOTES_FILE else ""
    return f"{source.name}{line} {p.title}".rstrip()


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


def _new_row(entry: PreparedItem, source: Source, now: dt.datetime, canonical_key: str) -> _NewRow:
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
        canonical_key=canonical_key,
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
