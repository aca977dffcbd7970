"""Enrichments: what arXiv said of an item, stored apart from what the owner wrote; which items
are still to ask; the search tokens an enrichment adds to its item.

The owner's fields of an item are never written here. The only item column touched is
``body_tokens`` (derived, not the owner's words): an enrichment's tokens are appended to it, so
`/search` finds the words of an abstract, and taken out again when the enrichment changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.enrich.matching import Paper
from bot.enrich.plan import (
    ByIds,
    ByTitle,
    EnrichmentStatus,
    Finding,
    LookupItem,
    Request,
    retry_at,
)
from bot.library.dedupe import normalized_title
from bot.library.items import ItemKind
from bot.library.tokens import search_tokens
from bot.store.models import Enrichment, Item
from bot.store.raw_rows import aware

SOURCE = "arxiv"
# Links that may name an arXiv paper (bot.library.dedupe.arxiv_id reads the id from them).
_ARXIV_LINKS = ("arxiv", "ar5iv", "alphaxiv", "huggingface.co/papers")
FOUND = EnrichmentStatus.FOUND


def lookup_items(session: Session, only: Collection[int] | None = None) -> list[LookupItem]:
    """Every live paper, and every item with an arXiv id or a link that may name one (`only`
    those with these ids), with what was asked of it before."""
    e = Enrichment
    links = [Item.url.contains(link) for link in _ARXIV_LINKS]
    query = (
        select(Item.id, Item.kind, Item.title, Item.year, Item.arxiv_id, Item.url)
        .add_columns(e.status, e.asked, e.retry_at, e.attempts)
        .outerjoin(e, e.item_id == Item.id)
        .where(Item.in_library())
        .where(or_(Item.kind == ItemKind.PAPER, Item.arxiv_id.is_not(None), *links))
        .order_by(Item.id)
    )
    if only is not None:
        query = query.where(Item.id.in_(list(only)))
    rows = session.execute(query)
    return [
        LookupItem(
            row.id,
            row.kind,
            row.title,
            row.year,
            row.arxiv_id,
            row.url,
            row.status,
            row.asked,
            aware(row.retry_at),
            row.attempts or 0,
        )
        for row in rows
    ]


def still_due(session: Session, request: Request, now: dt.datetime) -> Request | None:
    """The request without the items another process answered meanwhile; None if none is
    left. Read just before asking: replicas and a `lamplight enrich` beside the bot may have
    planned the same items."""
    rows = session.execute(
        select(Enrichment.item_id, Enrichment.asked, Enrichment.retry_at).where(
            Enrichment.item_id.in_(request.item_ids)
        )
    )
    done = {
        (item_id, asked) for item_id, asked, retry in rows if (due := aware(retry)) and due > now
    }
    if isinstance(request, ByTitle):
        return None if (request.item_id, f"title:{request.asked}") in done else request
    left = [
        (found, kept)
        for found, items in request.items
        if (kept := tuple(i for i in items if (i, f"id:{found}") not in done))
    ]
    return ByIds(tuple(left)) if left else None


def record(session: Session, results: Sequence[Finding], now: dt.datetime) -> None:
    """Store each item's finding, and its search tokens with its item."""
    ids = [finding.item_id for finding in results]
    stored = {
        e.item_id: e for e in session.scalars(select(Enrichment).where(Enrichment.item_id.in_(ids)))
    }
    items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(ids)))}
    for finding in results:
        item = items.get(finding.item_id)
        if item is None:  # deleted meanwhile
            continue
        row = stored.get(finding.item_id)
        if row is None:
            row = Enrichment(item_id=item.id, source=SOURCE, attempts=0, tokens="")
            session.add(row)
        _settle(row, item, finding, now)


def _settle(row: Enrichment, item: Item, finding: Finding, now: dt.datetime) -> None:
    failed = finding.status is EnrichmentStatus.FAILED
    row.attempts = row.attempts + 1 if failed else 0
    row.fetched_at, row.retry_at = now, retry_at(now, finding.status, row.attempts)
    if failed and row.status is FOUND:
        row.asked = finding.asked  # asked again after the backoff; what was found stays
        return
    item.body_tokens = _without(item.body_tokens, row.tokens)
    row.status, row.asked = finding.status, finding.asked
    paper = finding.paper if finding.status is FOUND else None
    row.arxiv_id = paper.arxiv_id if paper else None
    row.title = paper.title if paper else ""
    row.abstract = paper.abstract if paper else ""
    row.authors = paper.authors if paper else ""
    row.year = paper.year if paper else None
    row.tokens = enrichment_tokens(paper, item.title) if paper else ""
    item.body_tokens = f"{item.body_tokens} {row.tokens}".strip()


def enrichment_tokens(paper: Paper, own_title: str) -> str:
    """Search tokens of what the owner's item does not say already: arXiv's title when it
    differs, the authors, the abstract."""
    title = "" if normalized_title(paper.title) == normalized_title(own_title) else paper.title
    return search_tokens(" ".join(part for part in (title, paper.authors, paper.abstract) if part))


def _without(body: str, tokens: str) -> str:
    if not tokens or tokens not in body:
        return body
    return " ".join(body.replace(tokens, " ", 1).split())


def restore_tokens(session: Session) -> int:
    """Append an enrichment's tokens again where an edit of the item (a re-import, a repair)
    rewrote its body tokens without them; returns how many items."""
    position = func.strpos if session.get_bind().dialect.name == "postgresql" else func.instr
    rows = session.execute(
        select(Item.id, Item.body_tokens, Enrichment.tokens)
        .join(Enrichment, Enrichment.item_id == Item.id)
        .where(Enrichment.status == FOUND, position(Item.body_tokens, Enrichment.tokens) == 0)
    ).all()
    for item_id, body, tokens in rows:
        item = session.get(Item, item_id)
        assert item is not None
        item.body_tokens = f"{body} {tokens}".strip()
    return len(rows)


def exported(session: Session) -> dict[int, dict[str, Any]]:
    """What was found of each item, by item id, for `lamplight export`."""
    rows = session.scalars(select(Enrichment).where(Enrichment.status == FOUND))
    return {
        e.item_id: {
            "source": e.source,
            "arxiv_id": e.arxiv_id,
            "title": e.title,
            "abstract": e.abstract,
            "authors": e.authors,
            "year": e.year,
            "fetched_at": (aware(e.fetched_at) or e.fetched_at).isoformat(),
        }
        for e in rows
    }
