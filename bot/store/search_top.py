"""The top matches of a search with many index rows: each term's rows read from the top.

The index lists each term's items in ranking order for that term (tier, title length, id). A
search reads every term's list from the top, a longer stretch each round; an item's key is known
once every list has shown it or passed where it would stand, and the few items met that could
still make the page otherwise are scored from their token columns. It stops once the page's last
key ranks before anything not read yet (a threshold algorithm, after Fagin): the page is the
ranking of every match, from a few index reads however common the words.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from bot.library.query import Candidate, MatchTier, SortKey, sort_key, tier_key

FIRST_READ = 64  # index rows read per term at first
READ_GROWTH = 4  # each further read is this many times longer
# Scoring an item from its row costs as much as reading a hundred index rows: a search scores
# a few of the most promising items met, then reads on, which settles most of the rest.
SCORED_AT_ONCE = 256
SCORINGS_PER_READ = 3
# Index rows one search reads at most, past those its page needs (several common words: the
# lists are long and rarely agree at the top). Within it a page is exact; past it, approximate.
ROW_BUDGET = 10_000


def term_params(terms: Sequence[str]) -> dict[str, object]:
    """The terms as bound values :t0, :t1, …"""
    return {f"t{i}": term for i, term in enumerate(terms)}


def top_matches(
    session: Session, terms: Sequence[str], wanted: int
) -> tuple[list[int], int | None]:
    """The ids of the `wanted` best matches, best first; and how many match, if all were met.

    Reads each term's list further each round, until the page's last known key ranks before
    anything unread, and every item met whose key is unknown could not rank before it. After
    the first round, the items holding every term in title and body (the best any item can
    rank) may fill the page by themselves. A search that would read more than its budget of
    rows (many common words) ranks the items met so far instead, by what the rows read show."""
    reading = _Reading(session, terms, wanted)
    first = count = max(FIRST_READ, wanted)
    budget = ROW_BUDGET + wanted * len(terms)
    while wanted:
        reading.read(count)
        bound = reading.bound()
        if bound is None:
            return reading.best(), len(reading.held)
        if reading.settle(bound):
            return reading.best(), None
        if count == first and len(terms) > 1:
            best = _best_of_all(session, terms, reading.sparsest(), wanted)
            if len(best) == wanted:
                return best, None
        room = (budget - reading.rows) // sum(not t.done for t in reading.lists)
        if room < FIRST_READ:
            return reading.best(partly=True), None
        count = min(count * READ_GROWTH, room)
    return [], None


def _best_of_all(session: Session, terms: Sequence[str], sparse: int, wanted: int) -> list[int]:
    """The first `wanted` of the items holding every term in title and body, in ranking order
    (title length, id): one term's rows at that tier, each looked up under the other terms.
    The term read first is the one with the fewest rows there, as far as the first read saw."""
    held = " ".join(
        f"AND EXISTS (SELECT 1 FROM items_fts_terms o WHERE o.term = :t{i} AND o.tier = 0"
        " AND o.title_length = d.title_length AND o.item_id = d.item_id)"
        for i in range(len(terms))
        if i != sparse
    )
    query = text(
        f"SELECT d.item_id FROM items_fts_terms d WHERE d.term = :t{sparse} AND d.tier = 0"
        f" {held} ORDER BY d.title_length, d.item_id LIMIT :wanted"
    )
    return list(session.execute(query, term_params(terms) | {"wanted": wanted}).scalars())


@dataclass
class _TermList:
    """One term's index rows, read from the top: how far (the last row's tier, title length and
    id), and whether to the end."""

    at: tuple[int, int, int] = (MatchTier.BOTH, -1, -1)
    done: bool = False


def _read(
    session: Session, terms: Sequence[str], lists: Sequence[_TermList], count: int
) -> list[tuple[int, int, int, int]]:
    """The next `count` rows of every unfinished list, as (list, tier, title length, id), in
    one statement; each list learns how far it got."""
    arms: list[str] = []
    params: dict[str, object] = {"count": count}
    for i, term_list in enumerate(lists):
        if not term_list.done:
            arms.append(
                f"SELECT * FROM (SELECT {i} AS list, tier, title_length, item_id"
                f" FROM items_fts_terms WHERE term = :t{i}"
                f" AND (tier, title_length, item_id) > (:tier{i}, :len{i}, :id{i})"
                f" ORDER BY tier, title_length, item_id LIMIT :count) AS list{i}"
            )
            params |= {f"t{i}": terms[i], f"tier{i}": term_list.at[0]}
            params |= {f"len{i}": term_list.at[1], f"id{i}": term_list.at[2]}
    rows = [
        (r[0], r[1], r[2], r[3]) for r in session.execute(text(" UNION ALL ".join(arms)), params)
    ]
    read: dict[int, list[tuple[int, int, int]]] = {}
    for i, *place in rows:
        read.setdefault(i, []).append((place[0], place[1], place[2]))
    for i, term_list in enumerate(lists):
        if not term_list.done:
            term_list.at = max(read.get(i, []), default=term_list.at)
            term_list.done = len(read.get(i, [])) < count
    return rows


class _Reading:
    """What one search has read of its terms' lists: each item met, its title length and the
    tier it holds each term at, as far as read; the items whose sort key is known; and, for the
    others that could still make the page, the best key each may have (as of when it was last
    looked at: keys only get worse as the lists are read further, so an old one still bounds)."""

    def __init__(self, session: Session, terms: Sequence[str], wanted: int) -> None:
        self.session, self.terms, self.wanted = session, terms, wanted
        self.lists = [_TermList() for _ in terms]
        self.held: dict[int, dict[int, int]] = {}
        self.lengths: dict[int, int] = {}
        self.keys: dict[int, SortKey] = {}
        self.open: dict[int, SortKey] = {}
        self.out: set[int] = set()  # could not make the page
        self.rows = 0
        self.unfinished: list[tuple[int, tuple[int, int, int]]] = []

    def read(self, count: int) -> None:
        """The next `count` rows of every unfinished list, then what is known of the items read
        (of every item met, when a list has ended: those it did not show do not hold its term)."""
        unfinished = sum(not t.done for t in self.lists)
        rows = _read(self.session, self.terms, self.lists, count)
        self.rows += len(rows)
        met: set[int] = set()
        for index, tier, length, item_id in rows:
            self.held.setdefault(item_id, {})[index] = tier
            self.lengths[item_id] = length
            met.add(item_id)
        self.unfinished = [(i, t.at) for i, t in enumerate(self.lists) if not t.done]
        if len(self.unfinished) < unfinished:
            met |= self.open.keys()
        for item_id in met - self.keys.keys() - self.out:
            self._know(item_id)

    def _know(self, item_id: int) -> None:
        """The item's key if every unfinished list has shown it (a finished list that did not,
        does not hold it); else the best it may have: it holds each other term at most where
        that list stands, and a tier lower if it would have been read there already."""
        held, length = self.held[item_id], self.lengths[item_id]
        tiers = list(held.values())
        known = True
        for index, (tier, at_length, at_id) in self.unfinished:
            if index not in held:
                known = False
                tier += (at_length, at_id) >= (length, item_id)
                tiers += [tier] if tier <= MatchTier.BODY else []
        key = tier_key(item_id, length, tiers)
        if known:
            self.keys[item_id] = key
            self.open.pop(item_id, None)
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
        still rank before that. Until then, the items met that could are looked at again and,
        if they still could, scored from their token columns: the best possible first,
        SCORED_AT_ONCE at a time (a few times)."""
        for _ in range(SCORINGS_PER_READ):
            last = self.last()
            if last is not None:
                self.out.update(i for i, key in self.open.items() if key > last)
                self.open = {i: key for i, key in self.open.items() if key < last}
            below = bound if last is None else min(last, bound)
            pending = heapq.nsmallest(SCORED_AT_ONCE, (k for k in self.open.values() if k < below))
            if not pending:
                return last is not None and last <= bound
            for best in pending:
                self._know(best[3])
            ids = [best[3] for best in pending if self.open.get(best[3], below) < below]
            for candidate in scored(self.session, self.terms, ids) if ids else []:
                if (key := sort_key(candidate)) is not None:
                    self.keys[candidate.id] = key
                self.open.pop(candidate.id, None)
        return False

    def last(self) -> SortKey | None:
        """The page's last key among the known ones, if that many are known."""
        if len(self.keys) < self.wanted:
            return None
        return heapq.nsmallest(self.wanted, self.keys.values())[-1]

    def sparsest(self) -> int:
        """The list whose rows at the best tier run out soonest: it got furthest (or ended)."""
        return max(
            range(len(self.lists)),
            key=lambda i: (self.lists[i].done, self.lists[i].at[0], self.lists[i].at[1:]),
        )

    def best(self, *, partly: bool = False) -> list[int]:
        """The page: the best known keys; `partly`, with the items whose key is unknown ranked
        by the terms the rows read show they hold."""
        keys = list(self.keys.values())
        if partly:
            keys += [tier_key(i, self.lengths[i], self.held[i].values()) for i in self.open]
        return [key[3] for key in heapq.nsmallest(self.wanted, keys)]


def scored(session: Session, terms: Sequence[str], ids: Iterable[int]) -> list[Candidate]:
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
