"""Library search over the index of migration 0006: the best page of every match, and how many.

The index (`items_fts_terms`) lists each term's items in ranking order for that term. A search
reads the head of each term's list, looks up every term for the items met there (the index's
primary key again), ranks them as bot.library.query does, and stops once nothing below the
heads can rank on the page; otherwise it reads heads four times longer. So the page is the
ranking of every match, the same on SQLite and PostgreSQL, in a few index reads however common
the words.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from bot.library.query import Candidate, SortKey, Tier, query_terms, sort_key, tier_key
from bot.store.models import Item, Search

# Totals are counted up to here, then shown as "10,000+": counting further reads every match.
TOTAL_CAP = 10_000
FIRST_READ = 64  # index rows read per term at first; each further read is four times more
# Scoring an item from its row costs as much as reading a hundred index rows: a search scores
# a few of the most promising items met, then reads on, which settles most of the rest.
SCORED_AT_ONCE = 256
SCORINGS_PER_READ = 3


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
    page_ids, total = _best(session, terms, start + max(limit, 0))
    total = _count(session, terms) if total is None else total
    found = SearchPage(total=min(total, TOTAL_CAP), capped=total > TOTAL_CAP)
    page_ids = page_ids[start:]
    if not page_ids:
        return found
    rows = {item.id: item for item in session.scalars(select(Item).where(Item.id.in_(page_ids)))}
    found.items.extend(rows[i] for i in page_ids if i in rows)
    return found


def _best(session: Session, terms: Sequence[str], wanted: int) -> tuple[list[int], int | None]:
    """The ids of the `wanted` best matches, best first; and how many match, if all were met.

    Reads each term's list further each round, until the page's last known key ranks before
    anything unread, and every item met whose key is unknown could not rank before it."""
    reading = _Reading(session, terms, wanted)
    count = max(FIRST_READ, wanted)
    while wanted:
        reading.read(count)
        bound = reading.bound()
        if bound is None:
            return reading.best(), len(reading.held)
        for _ in range(SCORINGS_PER_READ):
            if reading.settle(bound):
                return reading.best(), None
        count *= 4
    return [], None


@dataclass
class _TermList:
    """One term's index rows, read from the top: how far, and whether to the end."""

    term: str
    at: tuple[int, int, int] = (Tier.BOTH, -1, -1)  # (tier, title length, id) last read
    done: bool = False

    def read(self, session: Session, count: int) -> list[tuple[int, int, int]]:
        tier, length, item_id = self.at
        params = {"term": self.term, "tier": tier, "len": length, "id": item_id, "count": count}
        rows = [(row[0], row[1], row[2]) for row in session.execute(_READ, params)]
        if rows:
            self.at = rows[-1]
        self.done = len(rows) < count
        return rows


_READ = text(
    "SELECT tier, title_length, item_id FROM items_fts_terms"
    " WHERE term = :term AND (tier, title_length, item_id) > (:tier, :len, :id)"
    " ORDER BY tier, title_length, item_id LIMIT :count"
)


class _Reading:
    """What one search has read of its terms' lists: each item met, its title length and the
    tier it holds each term at, as far as read; the items whose sort key is known; and the best
    key each other item met may have, while it could still make the page."""

    def __init__(self, session: Session, terms: Sequence[str], wanted: int) -> None:
        self.session, self.terms, self.wanted = session, terms, wanted
        self.lists = [_TermList(term) for term in terms]
        self.held: dict[int, dict[int, int]] = {}
        self.lengths: dict[int, int] = {}
        self.keys: dict[int, SortKey] = {}
        self.open: dict[int, SortKey] = {}
        self.out: set[int] = set()  # could not make the page

    def read(self, count: int) -> None:
        """The next `count` rows of every unfinished list, then what is known of the items."""
        met = set(self.open)
        for index, term_list in enumerate(self.lists):
            for tier, length, item_id in (
                [] if term_list.done else term_list.read(self.session, count)
            ):
                self.held.setdefault(item_id, {})[index] = tier
                self.lengths[item_id] = length
                met.add(item_id)
        unfinished = [(i, t.at) for i, t in enumerate(self.lists) if not t.done]
        self.open = {}
        for item_id in met - self.keys.keys() - self.out:
            self._know(item_id, unfinished)

    def _know(self, item_id: int, unfinished: list[tuple[int, tuple[int, int, int]]]) -> None:
        """The item's key if every unfinished list has shown it (a finished list that did not,
        does not hold it); else the best it may have: it holds each other term at most where
        that list stands, and a tier lower if it would have been read there already."""
        held, length = self.held[item_id], self.lengths[item_id]
        tiers = list(held.values())
        known = True
        for index, (tier, at_length, at_id) in unfinished:
            if index not in held:
                known = False
                tier += (at_length, at_id) >= (length, item_id)
                tiers += [tier] if tier <= Tier.BODY else []
        key = tier_key(item_id, length, tiers)
        if known:
            self.keys[item_id] = key
        else:
            self.open[item_id] = key

    def bound(self) -> SortKey | None:
        """The best key an item not met yet may have (None: all is read). It holds each term
        at most at its list's tier; to equal that, it must stand at every unfinished list's
        tier, after what was read there: past the furthest (title length, id) read."""
        unfinished = [t.at for t in self.lists if not t.done]
        if not unfinished:
            return None
        length, item_id = max(at[1:] for at in unfinished)
        return tier_key(item_id, length, [at[0] for at in unfinished])

    def settle(self, bound: SortKey) -> bool:
        """Whether the page is known: its last key ranks before `bound`, and no item met could
        still rank before that. If not, the items met that could are scored from their token
        columns, the best possible first (SCORED_AT_ONCE at most), for another look."""
        last = self.last()
        if last is not None:
            self.out.update(i for i, key in self.open.items() if key > last)
            self.open = {i: key for i, key in self.open.items() if key < last}
        below = bound if last is None else min(last, bound)
        pending = heapq.nsmallest(SCORED_AT_ONCE, (k for k in self.open.values() if k < below))
        if not pending:
            return last is not None and last <= bound
        for candidate in _scored(self.session, self.terms, [key[3] for key in pending]):
            if (key := sort_key(candidate)) is not None:
                self.keys[candidate.id] = key
        for key in pending:
            del self.open[key[3]]
        return False

    def last(self) -> SortKey | None:
        """The page's last key among the known ones, if that many are known."""
        if len(self.keys) < self.wanted:
            return None
        return heapq.nsmallest(self.wanted, self.keys.values())[-1]

    def best(self) -> list[int]:
        return [key[3] for key in heapq.nsmallest(self.wanted, self.keys.values())]


def _scored(session: Session, terms: Sequence[str], ids: Iterable[int]) -> list[Candidate]:
    """The items as ranking sees them, computed by the database from their token columns."""
    params: dict[str, object] = {f"p{i}": f" {term} " for i, term in enumerate(terms)}
    find = "instr" if session.get_bind().dialect.name == "sqlite" else "strpos"
    query = text(
        f"SELECT items.id, {_ranked_columns(len(terms), find)} FROM items WHERE items.id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    return [Candidate(*row) for row in session.execute(query, params | {"ids": list(ids)}).all()]


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


def _count(session: Session, terms: Sequence[str]) -> int:
    """How many items hold any term, counted up to one past TOTAL_CAP: a term's own rows are
    enough past the cap; under it, the distinct items of all terms' rows (a few thousand)."""
    params: dict[str, object] = {f"t{i}": term for i, term in enumerate(terms)}
    params["cap"] = TOTAL_CAP + 1
    sizes = session.execute(
        text(
            "SELECT "
            + ", ".join(
                f"(SELECT count(*) FROM (SELECT 1 FROM items_fts_terms WHERE term = :t{i}"
                f" LIMIT :cap) AS rows{i})"
                for i in range(len(terms))
            )
        ),
        params,
    ).one()
    if len(terms) == 1 or max(sizes) > TOTAL_CAP:
        return int(max(sizes))
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    query = text(f"SELECT count(DISTINCT item_id) FROM items_fts_terms WHERE term IN ({names})")
    return int(session.execute(query, params).scalar_one())


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
    params = {f"t{i}": term for i, term in enumerate(terms)}
    return [Candidate(*row) for row in session.execute(query, params).all()]


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
