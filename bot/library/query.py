"""Search text → terms, and the ranking both stores share; user text is only ever a bound value.

`rank` defines the order, the same on SQLite and PostgreSQL, so both return the same ids. The
store's search index lists each term's items in that order for one term (`MatchTier`, then the
title's length, then the id), and `tier_key` ranks from what it lists.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Self

from bot.library.tokens import search_tokens

MAX_QUERY_CHARS = 4000
MAX_TERMS = 16
MAX_TERM_CHARS = 64  # the search index keeps no longer token (migration 0006)
TITLE_WEIGHT = 3
BODY_WEIGHT = 1

SortKey = tuple[int, int, int, int]


class MatchTier(IntEnum):
    """Where an item holds a term, in the order ranking prefers (the index stores the number)."""

    BOTH = 0
    TITLE = 1
    BODY = 2


# What holding a term at each tier adds to an item's score (a tuple: searches sum it a lot).
TIER_WEIGHTS = (TITLE_WEIGHT + BODY_WEIGHT, TITLE_WEIGHT, BODY_WEIGHT)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item the store found for some term: which terms its title and body hold as whole
    tokens (bit i for term i) and how many tokens its title has — all that ranking reads."""

    id: int
    title_hits: int
    body_hits: int
    title_length: int

    @classmethod
    def of(cls, item_id: int, terms: Sequence[str], title_tokens: str, body_tokens: str) -> Self:
        """The candidate as ranking sees it; the stores compute the same numbers in SQL.

        >>> Candidate.of(7, ["蒸馏", "gpt"], "知识 蒸馏", "gpt-3 gpt")
        Candidate(id=7, title_hits=1, body_hits=2, title_length=2)
        """
        title, body = f" {title_tokens} ", f" {body_tokens} "
        return cls(
            item_id,
            sum(1 << i for i, term in enumerate(terms) if f" {term} " in title),
            sum(1 << i for i, term in enumerate(terms) if f" {term} " in body),
            len(title_tokens.split()),
        )


def query_terms(text: str) -> tuple[str, ...]:
    """The distinct search tokens of `text`, in order: the same tokens items are indexed by.

    >>> query_terms("知识蒸馏 for Neural Networks networks")
    ('知识', '蒸馏', 'for', 'neural', 'network')
    >>> query_terms('"; DROP TABLE items; --')
    ('drop', 'table', 'item')
    >>> query_terms("🙂 *")
    ()
    """
    tokens = search_tokens(text[:MAX_QUERY_CHARS]).split()
    # A longer token is in no item's index entries: it could match nothing.
    terms = dict.fromkeys(token for token in tokens if len(token) <= MAX_TERM_CHARS)
    return tuple(terms)[:MAX_TERMS]


def sort_key(candidate: Candidate) -> SortKey | None:
    """Where the candidate ranks (smaller first), or None if it holds no term as a token."""
    matched = (candidate.title_hits | candidate.body_hits).bit_count()
    if not matched:
        return None
    score = TITLE_WEIGHT * candidate.title_hits.bit_count()
    score += BODY_WEIGHT * candidate.body_hits.bit_count()
    # More distinct terms first, then title hits, then the tighter title, then the older item.
    return (-matched, -score, candidate.title_length, candidate.id)


def rank(candidates: Iterable[Candidate]) -> list[int]:
    """Ids of the candidates holding at least one term as a whole token, best first.

    A candidate holding no term as a whole token (only inside one, as `gpt` in `gpt-3`) is
    dropped.

    >>> pairs = [(1, "知识", "蒸馏"), (2, "蒸馏", ""), (3, "a", "b")]
    >>> rank(Candidate.of(i, ["蒸馏"], title, body) for i, title, body in pairs)
    [2, 1]
    """
    keyed = [(key, c.id) for c in candidates if (key := sort_key(c)) is not None]
    return [item_id for _, item_id in sorted(keyed)]


def tier_key(item_id: int, title_length: int, tiers: Collection[int]) -> SortKey:
    """`sort_key` from the index's side: the key of an item holding one term at each tier.

    Holding a term at a worse tier, or not at all, never makes a key smaller; so with, for
    each term, the best tier an item may still hold it at, this is the best key it may have.

    >>> best = tier_key(7, 3, [MatchTier.BOTH, MatchTier.BODY])
    >>> best == sort_key(Candidate.of(7, "ab", "a x y", "a b"))
    True
    """
    return (-len(tiers), -sum(TIER_WEIGHTS[tier] for tier in tiers), title_length, item_id)
