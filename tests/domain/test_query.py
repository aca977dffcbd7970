"""Search text → terms, and the ranking both stores share: pure, no database."""

from __future__ import annotations

import pytest

from bot.library.query import (
    MAX_TERM_CHARS,
    MAX_TERMS,
    TIER_WEIGHTS,
    Candidate,
    MatchTier,
    query_terms,
    rank,
    sort_key,
    tier_key,
)
from bot.library.tokens import search_tokens


def test_terms_are_the_tokens_items_are_indexed_by() -> None:
    text = "知识蒸馏 for Neural Networks"
    assert " ".join(query_terms(text)) == search_tokens(text)


def test_terms_are_lowercase_folded_and_distinct() -> None:
    assert query_terms("Transformers TRANSFORMER transformer") == ("transformer",)
    assert query_terms("GANs gan") == ("gan",)


def test_terms_are_capped_in_and_out() -> None:
    many = " ".join(f"word{n}" for n in range(100))
    assert len(query_terms(many)) == MAX_TERMS
    assert "tail" not in query_terms("x" * 3998 + " tail")  # it lies past 4,000 characters


@pytest.mark.parametrize("text", ["", "   ", "🙂🔥", "*", '"', "()", "\x00", "、。！"])
def test_text_without_words_has_no_terms(text: str) -> None:
    assert query_terms(text) == ()


def test_a_term_longer_than_the_index_keeps_is_dropped() -> None:
    long = "x" * (MAX_TERM_CHARS + 1)
    assert query_terms(f"{long} short {'y' * MAX_TERM_CHARS}") == ("short", "y" * MAX_TERM_CHARS)


def test_a_tier_weighs_what_ranking_adds_for_a_term_held_there() -> None:
    for tier, title, body in [
        (MatchTier.BOTH, "t", "t"),
        (MatchTier.TITLE, "t", ""),
        (MatchTier.BODY, "", "t"),
    ]:
        key = sort_key(Candidate.of(1, ["t"], title, body))
        assert key is not None and key[:2] == (-1, -TIER_WEIGHTS[tier])
    assert list(TIER_WEIGHTS) == sorted(TIER_WEIGHTS, reverse=True) and len(TIER_WEIGHTS) == 3


def test_the_index_side_key_is_the_ranking_key() -> None:
    for first in (*MatchTier, None):
        for second in (*MatchTier, None):
            held = [tier for tier in (first, second) if tier is not None]
            key = sort_key(Candidate(9, *_hits(first, second), 4))
            assert key == (tier_key(9, 4, held) if held else None), (first, second)


def test_a_worse_tier_or_none_never_ranks_an_item_higher() -> None:
    """So the key of the best tiers an item may still hold its terms at bounds its own."""
    for best in MatchTier:
        for actual in (*MatchTier, None):
            if actual is None or actual >= best:
                held = [MatchTier.BOTH] + ([actual] if actual is not None else [])
                assert tier_key(5, 3, held) >= tier_key(5, 3, [MatchTier.BOTH, best])


def _hits(first: MatchTier | None, second: MatchTier | None) -> tuple[int, int]:
    """Title and body bitmasks of an item holding term 0 at `first` and term 1 at `second`."""
    in_title, in_body = (MatchTier.BOTH, MatchTier.TITLE), (MatchTier.BOTH, MatchTier.BODY)
    title = (first in in_title) + 2 * (second in in_title)
    body = (first in in_body) + 2 * (second in in_body)
    return title, body


def c(id_: int, title: str, body: str = "") -> tuple[int, str, str]:
    return (id_, title, body)


def ranked(terms: list[str], found: list[tuple[int, str, str]]) -> list[int]:
    return rank(Candidate.of(i, terms, title, body) for i, title, body in found)


def test_title_hits_weigh_more_than_body_hits() -> None:
    assert ranked(["蒸馏"], [c(1, "知识", "蒸馏"), c(2, "知识 蒸馏", "")]) == [2, 1]


def test_more_distinct_terms_come_first() -> None:
    found = [c(1, "a", ""), c(2, "x", "a b"), c(3, "a a a", "")]
    assert ranked(["a", "b"], found) == [2, 1, 3]


def test_a_tighter_title_then_the_older_item_break_ties() -> None:
    found = [c(5, "alexnet", ""), c(3, "before alexnet", ""), c(4, "alexnet", "")]
    assert ranked(["alexnet"], found) == [4, 5, 3]


def test_candidates_holding_no_term_as_a_whole_token_are_dropped() -> None:
    # PostgreSQL's parser splits `gpt-3`; a loose match there is not a hit here.
    assert ranked(["gpt"], [c(1, "gpt-3"), c(2, "gpt"), c(3, "")]) == [2]
    assert ranked([], [c(1, "a")]) == []


def test_ranking_ignores_the_order_candidates_arrive_in() -> None:
    found = [c(i, "a" if i % 2 else "b", "a b" if i % 3 else "") for i in range(30)]
    assert ranked(["a", "b"], found) == ranked(["a", "b"], list(reversed(found)))
