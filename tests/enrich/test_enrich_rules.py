"""The pure half of enriching from arXiv: which titles are asked, which answers are taken, how
requests are batched, and reading arXiv's Atom."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.enrich.arxiv import query_of
from bot.enrich.atom import MalformedAnswer, parse_answer
from bot.enrich.matching import Paper, best_match, lookup_title
from bot.enrich.plan import (
    ID_BATCH,
    ByIds,
    ByTitle,
    EnrichmentStatus,
    LookupItem,
    findings,
    plan_requests,
)
from bot.library.items import ItemKind
from tests.support.arxiv import CATALOGUE, MALFORMED, atom, numbered

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
ATTENTION = Paper("1706.03762", "Attention Is All You Need", year=2017)


def paper(item_id: int, title: str = "", **fields: object) -> LookupItem:
    return LookupItem(item_id, ItemKind.PAPER, title, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("count", "requests"), [(1, 1), (100, 1), (101, 2), (250, 3)])
def test_ids_go_a_hundred_to_a_request(count: int, requests: int) -> None:
    candidates = [paper(n, arxiv_id=f"2301.{n:05d}") for n in range(1, count + 1)]
    plan = plan_requests(candidates, NOW)
    assert len(plan.requests) == requests
    assert all(isinstance(r, ByIds) and len(r.ids) <= ID_BATCH for r in plan.requests)
    assert sum(len(r.item_ids) for r in plan.requests) == plan.items == count


def test_ids_are_asked_before_titles_and_a_limit_counts_items() -> None:
    candidates = [
        paper(1, "Attention Is All You Need"),
        paper(2, arxiv_id="1512.03385"),
        paper(3, "Language Models are Few-Shot Learners"),
    ]
    plan = plan_requests(candidates, NOW, limit=2)
    assert [type(r) for r in plan.requests] == [ByIds, ByTitle]
    assert plan.items == 2


def test_an_article_is_asked_only_when_its_link_names_an_arxiv_paper() -> None:
    linked = LookupItem(1, ItemKind.ARTICLE, "A post", url="https://arxiv.org/abs/2005.14165v3")
    unlinked = LookupItem(2, ItemKind.ARTICLE, "Attention Is All You Need, explained")
    [request] = plan_requests([linked, unlinked], NOW).requests
    assert request == ByIds((("2005.14165", (1,)),))


def test_a_chinese_title_is_never_planned_but_a_chinese_paper_with_an_id_is_asked_by_id() -> None:
    plan = plan_requests(
        [
            paper(1, "注意力机制综述"),
            paper(2, "GPT-4 技术报告"),
            paper(3, "中文", arxiv_id="2303.08774"),
        ],
        NOW,
    )
    assert plan.skipped_chinese == 2
    assert [query_of(r) for r in plan.requests] == [{"id_list": "2303.08774", "max_results": "1"}]


def test_what_was_answered_is_not_asked_again_until_its_retry_time() -> None:
    found = paper(
        1,
        "Attention Is All You Need",
        status=EnrichmentStatus.NOT_FOUND,
        asked="title:attention is all you need",
        retry_at=NOW + dt.timedelta(days=30),
    )
    assert plan_requests([found], NOW).requests == ()
    assert len(plan_requests([found], NOW + dt.timedelta(days=31)).requests) == 1


def test_an_id_the_owner_added_after_a_title_lookup_is_asked_at_once() -> None:
    before = paper(
        1,
        "Attention Is All You Need",
        arxiv_id="1706.03762",
        status=EnrichmentStatus.NOT_FOUND,
        asked="title:attention is all you need",
        retry_at=NOW + dt.timedelta(days=30),
    )
    [request] = plan_requests([before], NOW).requests
    assert isinstance(request, ByIds)


def test_a_title_match_is_taken() -> None:
    assert best_match("Attention is all you need.", 2017, [ATTENTION]) == ATTENTION
    assert best_match("Attention Is All You Need", None, [ATTENTION]) == ATTENTION
    assert best_match("Attention Is All You Need", 2018, [ATTENTION]) == ATTENTION


def test_a_near_miss_and_a_year_two_off_are_refused() -> None:
    assert best_match("Attention Is Not All You Need", None, [ATTENTION]) is None
    assert best_match("Attention Is All You Need", 2019, [ATTENTION]) is None
    assert best_match("Attention Is All You Need", 2015, [ATTENTION]) is None
    gpt2 = Paper("1", "Language Models are Unsupervised Multitask Learners (GPT-2)")
    assert (
        best_match("Language Models are Unsupervised Multitask Learners (GPT-3)", None, [gpt2])
        is None
    )


def test_short_and_chinese_titles_are_not_looked_up() -> None:
    assert lookup_title("BERT") is None
    assert lookup_title("知识蒸馏 Distilling the Knowledge in a Neural Network") is None
    assert lookup_title("Distilling the Knowledge in a Neural Network") == (
        "distilling the knowledge in a neural network"
    )


def test_arxivs_atom_becomes_papers() -> None:
    papers = parse_answer(atom(CATALOGUE))
    assert [p.arxiv_id for p in papers] == [p.arxiv_id for p in CATALOGUE]
    first = papers[0]
    assert first.title == "Attention Is All You Need"
    assert first.abstract.startswith("The dominant sequence transduction models are based on")
    assert "\n" not in first.abstract and "  " not in first.abstract
    assert first.authors == "Ashish Vaswani, Noam Shazeer, Niki Parmar"
    assert first.year == 2017
    assert papers[3].arxiv_id == "hep-th/9901001"


def test_an_empty_answer_is_no_paper_and_a_malformed_one_is_an_error() -> None:
    assert parse_answer(atom([])) == ()
    for body in (MALFORMED, b"<html><body>Service unavailable</body></html>", b""):
        with pytest.raises(MalformedAnswer):
            parse_answer(body)


def test_a_thousand_authors_are_cut_to_the_first_few() -> None:
    crowd = numbered(1)[0]
    many = type(crowd)(crowd.arxiv_id, crowd.title, "", tuple(f"A{n}" for n in range(1000)), 2023)
    [found] = parse_answer(atom([many]))
    assert found.authors.endswith(", et al.") and found.authors.count(",") == 25


def test_ids_not_in_the_answer_are_not_found_and_a_failed_request_fails_every_item() -> None:
    request = ByIds((("1706.03762", (1, 2)), ("9999.99999", (3,))))
    done = {o.item_id: o.status for o in findings(request, [ATTENTION])}
    assert done == {1: "found", 2: "found", 3: "not_found"}
    assert {o.status for o in findings(request, None)} == {EnrichmentStatus.FAILED}
