"""Search candidates: items holding any of the terms, by FTS5 on SQLite or GIN on PostgreSQL.

The store only selects; bot.query ranks, the same way on both backends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import TextClause, select, text
from sqlalchemy.orm import Session

from bot.query import Candidate, fts5_match, query_terms, rank
from bot.store.models import Item, Search

# Enough for a personal library; candidates are taken in id order so both stores see the same.
CANDIDATE_LIMIT = 5000

# Ordered by the FTS rowid (the same as items.id): FTS5 yields matches in rowid order and stops
# at the limit, where ORDER BY items.id sorts every match first (60 ms for a common word in
# 100,000 items, against 15; bench/search_library.py).
_SQLITE = text(
    "SELECT items.id, items.title_tokens, items.body_tokens FROM items_fts"
    " JOIN items ON items.id = items_fts.rowid"
    " WHERE items_fts MATCH :match ORDER BY items_fts.rowid LIMIT :limit"
)


@dataclass(frozen=True)
class SearchPage:
    """One page of ranked results and how many there are in all."""

    total: int
    items: list[Item] = field(default_factory=list)


def search_candidates(
    session: Session, terms: Sequence[str], *, limit: int = CANDIDATE_LIMIT
) -> list[Candidate]:
    """Items whose title or body holds any term (OR), in id order; every value is bound."""
    if not terms:
        return []
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(_SQLITE, {"match": fts5_match(terms), "limit": limit})
    else:
        # Plan for these very terms: psycopg prepares a repeated statement, and PostgreSQL's
        # generic plan for it scans every row instead of using the GIN indexes.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        rows = session.execute(_postgres_query(len(terms)), _postgres_params(terms, limit))
    return [Candidate(row[0], row[1] or "", row[2] or "") for row in rows]


def _postgres_query(count: int) -> TextClause:
    # The expressions match the GIN indexes of migration 0003; each term is parsed by
    # plainto_tsquery, so operators in it are plain text.
    tsquery = " || ".join(f"plainto_tsquery('simple'::regconfig, :t{i})" for i in range(count))
    return text(
        "SELECT id, title_tokens, body_tokens FROM items"
        f" WHERE to_tsvector('simple'::regconfig, title_tokens) @@ ({tsquery})"
        f" OR to_tsvector('simple'::regconfig, body_tokens) @@ ({tsquery})"
        " ORDER BY id LIMIT :limit"
    )


def _postgres_params(terms: Sequence[str], limit: int) -> dict[str, object]:
    return {"limit": limit, **{f"t{i}": term for i, term in enumerate(terms)}}


def search(session: Session, query: str, *, limit: int = 10, offset: int = 0) -> SearchPage:
    """The items best matching `query`, ranked; any text is safe (no terms: an empty page)."""
    ranked = rank(terms := query_terms(query), search_candidates(session, terms))
    page_ids = ranked[max(offset, 0) : max(offset, 0) + max(limit, 0)]
    if not page_ids:
        return SearchPage(total=len(ranked))
    rows = {item.id: item for item in session.scalars(select(Item).where(Item.id.in_(page_ids)))}
    return SearchPage(total=len(ranked), items=[rows[i] for i in page_ids if i in rows])


def save_search(session: Session, chat_id: int, text: str, now: dt.datetime) -> int:
    """Keep a chat's search so its page buttons can name it by id."""
    saved = Search(chat_id=chat_id, text=text, created_at=now)
    session.add(saved)
    session.flush()
    return saved.id


def saved_search(session: Session, search_id: int, chat_id: int) -> str | None:
    """A search's text, only for the chat that made it."""
    saved = session.get(Search, search_id)
    return saved.text if saved is not None and saved.chat_id == chat_id else None
