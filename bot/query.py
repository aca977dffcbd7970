"""Search text → terms, and the ranking both stores share; user text never reaches FTS syntax.

The store only selects candidates (items holding any term); `rank` orders them here, the same
way on SQLite and PostgreSQL, so both return the same ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.tokens import search_tokens

MAX_QUERY_CHARS = 4000
MAX_TERMS = 16
TITLE_WEIGHT = 3
BODY_WEIGHT = 1


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item the store found for some term, with the token columns ranking reads."""

    id: int
    title_tokens: str
    body_tokens: str


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


def _holds(tokens: str) -> Callable[[str], bool]:
    """Whether a term is one of the space-joined `tokens`, without splitting a long string.

    A space-bounded match is a whole token; any other whitespace (never printable) falls back
    to a set of the split tokens, so the answer is always `term in tokens.split()`.
    """
    if tokens.isprintable():
        padded = f" {tokens} "
        return lambda term: f" {term} " in padded
    return set(tokens.split()).__contains__


def _sort_key(terms: tuple[str, ...], candidate: Candidate) -> tuple[int, int, int, int] | None:
    title = candidate.title_tokens.split()
    title_set, in_body_of = set(title), _holds(candidate.body_tokens)
    matched = score = 0
    for term in terms:
        in_title, in_body = term in title_set, in_body_of(term)
        if in_title or in_body:
            matched += 1
            score += TITLE_WEIGHT * in_title + BODY_WEIGHT * in_body
    if not matched:
        return None
    # More distinct terms first, then title hits, then the tighter title, then the older item.
    return (-matched, -score, len(title), candidate.id)


def rank(terms: Iterable[str], candidates: Iterable[Candidate]) -> list[int]:
    """Ids of the candidates holding at least one term as a whole token, best first.

    A candidate a store's parser matched loosely (PostgreSQL splits `gpt-3`) but that holds no
    term as a token is dropped, so both stores agree.

    >>> found = [Candidate(1, "知识", "蒸馏"), Candidate(2, "蒸馏", ""), Candidate(3, "a", "b")]
    >>> rank(["蒸馏"], found)
    [2, 1]
    """
    wanted = tuple(dict.fromkeys(terms))
    keyed = [(key, c.id) for c in candidates if (key := _sort_key(wanted, c)) is not None]
    return [item_id for _, item_id in sorted(keyed)]
