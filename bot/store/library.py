"""Writing the library: prepared notes become rows once, deduplicated by every key they carry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.feeds.newsletters import newsletter_for_site
from bot.library.bibtex import Citation
from bot.library.dedupe import canonical_url
from bot.library.items import Answer, ItemKind, PreparedFile
from bot.store.adding import ImportReport, add_items
from bot.store.chats import ensure_chat
from bot.store.enrichments import FOUND, exported
from bot.store.models import Enrichment, Item, ItemState, Source, SourceKind


def import_prepared(
    session: Session,
    files: Sequence[PreparedFile],
    *,
    owner_chat_id: int,
    now: dt.datetime,
    retire: bool = False,
) -> ImportReport:
    """Add the files' items and feeds; items a re-imported file no longer holds are
    reported, and with `retire` retired. The caller owns the transaction."""
    report = ImportReport()
    ensure_chat(session, owner_chat_id)
    batches = [(_notes_source(session, f.name, now), f.items) for f in files]
    add_items(session, batches, owner_chat_id=owner_chat_id, now=now, report=report, retire=retire)
    for prepared in files:
        for feed in prepared.feeds:
            report.feeds += _add_feed(session, feed.name, feed.site, now)
    return report


def _notes_source(session: Session, name: str, now: dt.datetime) -> Source:
    key = f"file:{name}"
    source = session.scalar(select(Source).where(Source.key == key))
    if source is None:
        source = Source(kind=SourceKind.NOTES_FILE, key=key, name=name, added_at=now)
        session.add(source)
    return source


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
    """Every item as plain data, with the owner's read mark: a backup a user can keep. Items
    the owner forgot are in it too, marked `"forgotten": true`; a fixed title comes with the
    title it replaced (`title_before_fix`)."""
    read = ItemState.status == Answer.READ
    query = (
        select(Item, Source.name, read)
        .outerjoin(Source, Item.source_id == Source.id)
        .outerjoin(ItemState, (ItemState.item_id == Item.id) & (ItemState.chat_id == owner_chat_id))
        .order_by(Item.id)
    )
    if kind is not None:
        query = query.where(Item.kind == kind)
    enriched = exported(session)  # what arXiv says, apart from the owner's words
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
            **({"enriched": enriched[item.id]} if item.id in enriched else {}),
            **({"forgotten": True} if item.forgotten_at is not None else {}),
            **({"title_before_fix": item.title_before_fix} if item.title_before_fix else {}),
        }
        for item, source_name, is_read in session.execute(query)
    ]


def citations(session: Session) -> list[Citation]:
    """Every paper as BibTeX cites it: the owner's title, authors and year, else arXiv's."""
    query = (
        select(Item, Enrichment)
        .outerjoin(Enrichment, (Enrichment.item_id == Item.id) & (Enrichment.status == FOUND))
        .where(Item.kind == ItemKind.PAPER)
        .order_by(Item.id)
    )
    found = []
    for item, arxiv in session.execute(query):
        found.append(
            Citation(
                id=item.id,
                title=item.title or (arxiv.title if arxiv else ""),
                authors=item.author or (arxiv.authors if arxiv else ""),
                year=item.year or (arxiv.year if arxiv else None),
                url=item.url,
                arxiv_id=item.arxiv_id or (arxiv.arxiv_id if arxiv else None),
                abstract=arxiv.abstract if arxiv else "",
            )
        )
    return found


def list_feeds(session: Session) -> list[Source]:
    return list(
        session.scalars(select(Source).where(Source.kind == SourceKind.FEED).order_by(Source.id))
    )


def count_items(session: Session) -> dict[ItemKind, int]:
    rows = session.execute(select(Item.kind, func.count()).group_by(Item.kind)).all()
    counts = dict.fromkeys(ItemKind, 0)
    counts.update({kind: n for kind, n in rows})
    return counts
