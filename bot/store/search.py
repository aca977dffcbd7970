"""Library search over the index of migration 0006: the best page of every match, and how many.

The index (`items_fts_terms`) holds a row per item and term: the term, where the item holds it
(`MatchTier`), the title's length and the item's id, in that order. A search with few rows for all
its terms ranks them in one statement; otherwise bot.store.search_top reads each term's rows
from the top until it knows the page (or, for many common words, its reading budget runs out).
Either way the page is bot.library.query's ranking, the same on SQLite and PostgreSQL; the total
is counted up to TOTAL_CAP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.library.query import TIER_WEIGHTS, Candidate, MatchTier, query_terms
from bot.store.chats import ensure_chat
from bot.store.models import Item, Search
from bot.store.raw_rows import aware
from bot.store.search_top import term_params, top_matches

# Totals are counted up to here, then shown as "10,000+": counting further reads every match.
TOTAL_CAP = 10_000
# Up to this many index rows for all of a search's terms, the database ranks them all at once;
# past it, a search reads each term's rows from the top until it knows the page (search_top).
ALL_AT_ONCE = 10_000


@dataclass(frozen=True)
class SearchPage:
    """One page of ranked results and how many there are in all: `total` is exact up to
    TOTAL_CAP; `capped` says there are more than that."""

    total: int
    items: list[Item] = field(default_factory=list)
    capped: bool = False

    def total_text(self) -> str:
        """The total as shown: `1,234`, or `10,000+` past the cap."""
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"


def search(session: Session, query: str, *, limit: int = 10, offset: int = 0) -> SearchPage:
    """The items best matching `query`, ranked; any text is safe (no terms: an empty page)."""
    terms = query_terms(query)
    start = max(offset, 0)
    if not terms:
        return SearchPage(total=0)
    wanted = start + max(limit, 0)
    if len(terms) > 1 and _rows(session, terms) <= ALL_AT_ONCE:
        page_ids, total = _ranked_at_once(session, terms, wanted)
    else:
        page_ids, every = top_matches(session, terms, wanted)
        total = _count(session, terms) if every is None else every
    found = SearchPage(total=min(total, TOTAL_CAP), capped=total > TOTAL_CAP)
    page_ids = page_ids[start:]
    if not page_ids:
        return found
    rows = {item.id: item for item in session.scalars(select(Item).where(Item.id.in_(page_ids)))}
    found.items.extend(rows[i] for i in page_ids if i in rows)
    return found


def _rows(session: Session, terms: Sequence[str]) -> int:
    """The index rows of all terms, counted up to one past ALL_AT_ONCE."""
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    query = text(
        f"SELECT count(*) FROM (SELECT 1 FROM items_fts_terms WHERE term IN ({names})"
        f" LIMIT {ALL_AT_ONCE + 1}) AS hits"
    )
    return int(session.execute(query, term_params(terms)).scalar_one())


def _ranked_at_once(session: Session, terms: Sequence[str], wanted: int) -> tuple[list[int], int]:
    """The ids of the `wanted` best matches and how many match, from all the terms' index rows
    at once: `tier_key` computed and ordered by the database."""
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    weight = " ".join(f"WHEN {tier} THEN {TIER_WEIGHTS[tier]}" for tier in MatchTier)
    query = text(
        "SELECT item_id, count(*) OVER () FROM (SELECT item_id, title_length,"
        f" count(*) AS matched, sum(CASE tier {weight} END) AS score"
        f" FROM items_fts_terms WHERE term IN ({names}) GROUP BY item_id, title_length) AS hits"
        " ORDER BY matched DESC, score DESC, title_length, item_id LIMIT :wanted"
    )
    rows = session.execute(query, term_params(terms) | {"wanted": max(wanted, 1)}).all()
    return [row[0] for row in rows][:wanted], rows[0][1] if rows else 0


def _count(session: Session, terms: Sequence[str]) -> int:
    """How many items hold any term, counted up to one past TOTAL_CAP, in one statement: a term
    with more rows than the cap ends it (the others are not counted); under the cap, the
    distinct items of all terms' rows (a few thousand) are."""
    sizes = [
        f"(SELECT count(*) FROM (SELECT 1 FROM items_fts_terms WHERE term = :t{i}"
        f" LIMIT {TOTAL_CAP + 1}) AS rows{i})"
        for i in range(len(terms))
    ]
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    every = f"(SELECT count(DISTINCT item_id) FROM items_fts_terms WHERE term IN ({names}))"
    past = " ".join(f"WHEN {size} > {TOTAL_CAP} THEN {TOTAL_CAP + 1}" for size in sizes)
    query = text(f"SELECT CASE {past} ELSE {sizes[0] if len(terms) == 1 else every} END")
    return int(session.execute(query, term_params(terms)).scalar_one())


def best_matches(session: Session, query: str) -> set[int]:
    """The items `search` ranks first for `query`: those holding the most of its words as
    whole tokens (all of them, when any item does), retired ones aside. A themed digest draws
    from them."""
    terms = query_terms(query)
    if not terms:
        return set()
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    # An item has one index row per term it holds: its rows count the terms it matches.
    rows = session.execute(
        text(
            "SELECT hits.item_id, count(*) FROM items_fts_terms AS hits"
            " JOIN items ON items.id = hits.item_id"
            f" WHERE hits.term IN ({names}) AND items.retired_at IS NULL"
            " GROUP BY hits.item_id"
        ),
        term_params(terms),
    ).all()
    most = max((matched for _, matched in rows), default=0)
    return {item_id for item_id, matched in rows if matched == most}


def search_candidates(session: Session, terms: Sequence[str]) -> list[Candidate]:
    """Every item holding any of the terms, as ranking sees it, read from the index alone, in
    id order: what `search` ranks, all at once (a reference for tests and the benchmark)."""
    if not terms:
        return []
    bits = " ".join(f"WHEN :t{i} THEN {1 << i}" for i in range(len(terms)))
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    query = text(
        "SELECT item_id, sum(CASE WHEN tier < 2 THEN bit ELSE 0 END),"
        " sum(CASE WHEN tier <> 1 THEN bit ELSE 0 END), title_length FROM"
        f" (SELECT item_id, tier, title_length, CASE term {bits} END AS bit"
        f" FROM items_fts_terms WHERE term IN ({names})) AS hits"
        " GROUP BY item_id, title_length ORDER BY item_id"
    )
    return [Candidate(*row) for row in session.execute(query, term_params(terms)).all()]


def save_search(session: Session, chat_id: int, text: str, now: dt.datetime) -> int:
    """Keep a chat's search so its page buttons can name it by id (an allowed user may
    search before their first /start: their chat's row is made then, not subscribed)."""
    ensure_chat(session, chat_id)
    saved = Search(chat_id=chat_id, text=text, created_at=now)
    session.add(saved)
    session.flush()
    return saved.id


def recent_searches(session: Session, chat_id: int, since: dt.datetime) -> list[dt.datetime]:
    """When this chat searched since ``since``, oldest first (the pace of /search)."""
    rows = session.scalars(
        select(Search.created_at)
        .where(Search.chat_id == chat_id, Search.created_at > since)
        .order_by(Search.created_at)
    )
    return [moment for moment in map(aware, rows) if moment is not None]


def saved_search(session: Session, search_id: int, chat_id: int) -> str | None:
    """A search's text, only for the chat that made it."""
    saved = session.get(Search, search_id)
    return saved.text if saved is not None and saved.chat_id == chat_id else None
