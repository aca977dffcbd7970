"""Searching thousands of matches: every match is ranked, however old or new, the same on SQLite
and PostgreSQL; totals are exact up to 10,000, then "10,000+"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert

from bot.library.items import ItemKind
from bot.library.query import query_terms, rank
from bot.store.db import Store, open_store
from bot.store.models import Item
from bot.store.search import TOTAL_CAP, SearchPage, search, search_candidates
from tests.conftest import NOW, POSTGRES_URL, reset_postgres

BODY_HITS = 6000  # items mentioning "ember" and "lantern" in their text only
LANTERN_TITLE = BODY_HITS + 2  # the newest of them: "lantern" in its title
LAST = TOTAL_CAP + 1  # "cinder" in items 2..LAST (10,000), "ash" in 1..LAST (10,001)


def row(item_id: int, title_tokens: str, body_tokens: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "kind": ItemKind.ARTICLE,
        "title": title_tokens,
        "text": body_tokens,
        "canonical_key": f"test:{item_id}",
        "title_tokens": title_tokens,
        "body_tokens": body_tokens,
        "added_at": NOW - dt.timedelta(minutes=LAST - item_id),  # a higher id is newer
    }


def rows() -> Iterator[dict[str, Any]]:
    yield row(1, "ember tales", "ash")  # the oldest item: "ember" in its title
    for n in range(2, BODY_HITS + 2):
        filler = " ".join(["note"] * (1 + n % 7))  # titles of 1 to 7 tokens
        yield row(n, filler, f"ember lantern cinder ash {filler}")
    yield row(LANTERN_TITLE, "lantern", "cinder ash")
    for n in range(LANTERN_TITLE + 1, LAST + 1):
        yield row(n, "note", "cinder ash")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def crowded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """10,001 items, bulk-inserted through SQLAlchemy Core (the index follows by triggers)."""
    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("LAMPLIGHT_TEST_POSTGRES_URL is not set")
        reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('crowded') / 'store.sqlite3'}"
    store = open_store(url)
    with store.engine.begin() as connection:
        connection.execute(insert(Item), list(rows()))
    try:
        yield store
    finally:
        store.dispose()


def found(store: Store, query: str, limit: int = 10, offset: int = 0) -> SearchPage:
    with store.transaction() as session:
        page = search(session, query, limit=limit, offset=offset)
        session.expunge_all()
    return page


def test_a_new_title_hit_comes_first_among_thousands_of_older_text_hits(crowded: Store) -> None:
    page = found(crowded, "lantern")
    assert page.items[0].id == LANTERN_TITLE
    assert page.total == BODY_HITS + 1 and not page.capped


def test_an_old_title_hit_comes_first_among_thousands_of_newer_text_hits(crowded: Store) -> None:
    page = found(crowded, "Ember")
    assert page.items[0].id == 1
    assert page.total == BODY_HITS + 1 and not page.capped


def test_totals_are_exact_up_to_the_cap_and_say_more_past_it(crowded: Store) -> None:
    assert TOTAL_CAP == 10_000
    exact = found(crowded, "cinder")
    assert (exact.total, exact.capped, exact.total_text()) == (10_000, False, "10,000")
    more = found(crowded, "ash")
    assert (more.total, more.capped, more.total_text()) == (10_000, True, "10,000+")
    assert found(crowded, "cinder lantern").total_text() == "10,000"  # one item in both
    assert found(crowded, "cinder ember").total_text() == "10,000+"
    assert found(crowded, "ember tales").total_text() == f"{BODY_HITS + 1:,}"


@pytest.mark.parametrize(
    ("query", "limit", "offset"),
    [
        ("lantern", 10, 0),
        ("ember lantern", 10, 0),
        ("ember lantern", 7, 5990),  # past the items holding both words
        ("cinder note", 25, 100),
        ("ash ember tales", 10, 0),
        ("ash ember tales", 5, 10_003),  # past the end
        ("note", 5, 9000),
    ],
)
@pytest.mark.parametrize("at_once", [False, True], ids=["read from the top", "ranked at once"])
def test_a_page_is_that_slice_of_every_match_ranked(
    crowded: Store,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    limit: int,
    offset: int,
    at_once: bool,
) -> None:
    if at_once:
        monkeypatch.setattr("bot.store.search.ALL_AT_ONCE", 10**6)
    with crowded.transaction() as session:
        everything = rank(search_candidates(session, query_terms(query)))
        page = search(session, query, limit=limit, offset=offset)
        assert [item.id for item in page.items] == everything[offset : offset + limit]
        assert page.total == min(len(everything), TOTAL_CAP)
        assert page.capped == (len(everything) > TOTAL_CAP)


def test_past_its_reading_budget_a_search_still_answers_with_matches(
    crowded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many common words can need long reads to rank exactly; past its budget a search ranks
    what it read, the same way each time, and still counts every match."""
    monkeypatch.setattr("bot.store.search.ALL_AT_ONCE", 0)
    monkeypatch.setattr("bot.store.search_top.ROW_BUDGET", 0)
    pages = [found(crowded, "ember lantern note") for _ in range(2)]
    ids = [item.id for item in pages[0].items]
    assert ids == [item.id for item in pages[1].items] and len(set(ids)) == 10
    for item in pages[0].items:
        assert {"ember", "lantern", "note"} & {
            *item.title_tokens.split(),
            *item.body_tokens.split(),
        }
    assert pages[0].total_text() == "10,000+"
