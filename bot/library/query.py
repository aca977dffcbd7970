"""Search text → terms, and the ranking both stores share; user text never reaches FTS syntax.

The store only selects candidates (items holding any term); `rank` orders them here, the same
way on SQLite and PostgreSQL, so both return the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Self

from bot.library.tokens import search_tokens

MAX_QUERY_CHARS = 4000
MAX_TERMS = 16
TITLE_WEIGHT = 3
BODY_WEIGHT = 1


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
    terms = dict.fromkeys(search_tokens(text[:MAX_QUERY_CHARS]).split())
    return tuple(terms)[:MAX_TERMS]


def fts5_match(terms: Iterable[str]) -> str:
    """An FTS5 MATCH expression: each term one quoted string (quotes doubled), joined by OR.

    >>> fts5_match(["near", 'a"b', "or"])
    '"near" OR "a""b" OR "or"'
    """
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _sort_key(candidate: Candidate) -> tuple[int, int, int, int] | None:
    matched = (candidate.title_hits | candidate.body_hits).bit_count()
    if not matched:
        return None
    score = TITLE_WEIGHT * candidate.title_hits.bit_count()
    score += BODY_WEIGHT * candidate.body_hits.bit_count()
    # More distinct terms first, then title hits, then the tighter title, then the older item.
    return (-matched, -score, candidate.title_length, candidate.id)


def rank(candidates: Iterable[Candidate]) -> list[int]:
    """Ids of the candidates holding at least one term as a whole token, best first.

    A candidate a store's parser matched loosely (PostgreSQL splits `gpt-3`) but that holds no
    term as a token is dropped, so both stores agree.

    >>> pairs = [(1, "知识", "蒸馏"), (2, "蒸馏", ""), (3, "a", "b")]
    >>> rank(Candidate.of(i, ["蒸馏"], title, body) for i, title, body in pairs)
    [2, 1]
    """
    keyed = [(key, c.id) for c in candidates if (key := _sort_key(c)) is not None]
    return [item_id for _, item_id in sorted(keyed)]
