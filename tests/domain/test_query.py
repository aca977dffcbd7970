"""Search text → terms, and the ranking both stores share: pure, no database."""

from __future__ import annotations

import sqlite3

import pytest

from bot.library.query import MAX_TERMS, Candidate, fts5_match, query_terms, rank
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


HOSTILE = ['"', "a*", "NEAR(a b)", "a OR b", "x:y", "^a", "'; DROP TABLE items; --", "{a b}"]


@pytest.mark.parametrize("text", HOSTILE)
def test_fts5_reads_any_terms_as_quoted_strings(text: str) -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE f USING fts5(a, b)")
    connection.execute("INSERT INTO f VALUES ('near a b or x y drop table item', '')")
    raw = [text, 'a"b', "NEAR", "OR", "AND", "NOT", "*"]
    for terms in (query_terms(text) or ("empty",), tuple(raw)):
        connection.execute("SELECT rowid FROM f WHERE f MATCH ?", (fts5_match(terms),)).fetchall()


def test_fts5_match_quotes_every_term_and_joins_with_or() -> None:
    assert fts5_match(["蒸馏", 'say "hi"']) == '"蒸馏" OR "say ""hi"""'
    assert fts5_match([]) == ""


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
