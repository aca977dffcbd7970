"""Search candidates: items holding any of the terms, by FTS5 on SQLite or GIN on PostgreSQL.

The store only selects; bot.library.query ranks, the same way on both backends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import TextClause, select, text
from sqlalchemy.orm import Session

from bot.library.query import Candidate, fts5_match, query_terms, rank
from bot.store.models import Item, Search

# Enough for a personal library; candidates are taken in id order so both stores see the same.
CANDIDATE_LIMIT = 5000


@dataclass(frozen=True)
class SearchPage:
    """One page of ranked results and how many there are in all."""

    total: int
    items: list[Item] = field(default_factory=list)


def search_candidates(
    session: Session, terms: Sequence[str], *, limit: int = CANDIDATE_LIMIT
) -> list[Candidate]:
    """Items whose title or body holds any term (OR), in id order; every value is bound.

    Each row comes with the numbers ranking reads (`Candidate.of`), computed by the database
    from the token columns: the token strings themselves never cross to Python, which was
    most of a search's time for a common word."""
    if not terms:
        return []
    params: dict[str, object] = {"limit": limit}
    params.update({f"p{i}": f" {term} " for i, term in enumerate(terms)})
    if session.get_bind().dialect.name == "sqlite":
        params["match"] = fts5_match(terms)
        query = _sqlite_query(len(terms))
    else:
        # Plan for these very terms: psycopg prepares a repeated statement, and PostgreSQL's
        # generic plan for it scans every row instead of using the GIN indexes.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        params.update({f"t{i}": term for i, term in enumerate(terms)})
        query = _postgres_query(len(terms))
    return [Candidate(*row) for row in session.execute(query, params).all()]


def _hits(column: str, count: int, find: str) -> str:
    """SQL for the bitmask of terms the space-padded column holds as whole tokens: what
    `Candidate.of` computes, with the dialect's substring search (instr / strpos)."""
    padded = f"(' ' || {column} || ' ')"
    return " + ".join(
        f"(CASE WHEN {find}({padded}, :p{i}) > 0 THEN {1 << i} ELSE 0 END)" for i in range(count)
    )


def _ranked_columns(count: int, find: str) -> str:
    title, body = "items.title_tokens", "items.body_tokens"
    spaces = f"length({title}) - length(replace({title}, ' ', ''))"
    return (
        f"{_hits(title, count, find)}, {_hits(body, count, find)},"
        f" CASE WHEN {title} = '' THEN 0 ELSE {spaces} + 1 END"
    )


def _sqlite_query(count: int) -> TextClause:
    # Ordered by the FTS rowid (the same as items.id): FTS5 yields matches in rowid order and
    # stops at the limit, where ORDER BY items.id would sort every match first.
    return text(
        f"SELECT items.id, {_ranked_columns(count, 'instr')} FROM items_fts"
        " JOIN items ON items.id = items_fts.rowid"
        " WHERE items_fts MATCH :match ORDER BY items_fts.rowid LIMIT :limit"
    )


def _postgres_query(count: int) -> TextClause:
    # The expressions match the GIN indexes of migration 0003; each term is parsed by
    # plainto_tsquery, so operators in it are plain text.
    tsquery = " || ".join(f"plainto_tsquery('simple'::regconfig, :t{i})" for i in range(count))
    return text(
        f"SELECT id, {_ranked_columns(count, 'strpos')} FROM items"
        f" WHERE to_tsvector('simple'::regconfig, title_tokens) @@ ({tsquery})"
        f" OR to_tsvector('simple'::regconfig, body_tokens) @@ ({tsquery})"
        " ORDER BY id LIMIT :limit"
    )


def search(session: Session, query: str, *, limit: int = 10, offset: int = 0) -> SearchPage:
    """The items best matching `query`, ranked; any text is safe (no terms: an empty page)."""
    ranked = rank(search_candidates(session, query_terms(query)))
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
