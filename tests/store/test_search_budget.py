"""A search past its reading budget ranks what it read: the same page and total on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from bot.library.items import ItemKind
from bot.store import search_top
from bot.store.db import Store, open_store
from bot.store.models import Item
from bot.store.search import SearchPage, search
from tests.conftest import NOW, POSTGRES_URL, reset_postgres

TITLE_HITS = 300  # items with one word in their title, for each of "alpha" and "beta"
BOTH_IN_BODY = 60  # then items with both words in their text only


def row(item_id: int, title_tokens: str, body_tokens: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "kind": ItemKind.ARTICLE,
        "title": title_tokens,
        "canonical_key": f"test:{item_id}",
        "title_tokens": title_tokens,
        "body_tokens": body_tokens,
        "added_at": NOW,
    }


def rows() -> Iterator[dict[str, Any]]:
    """The items holding both words stand behind every title hit in each word's index list,
    so a search that reads a few rows of each list cannot know its page."""
    for n in range(1, TITLE_HITS + 1):
        filler = " ".join(["note"] * (n % 5))
        yield row(n, f"alpha {filler}".strip(), f"gamma {filler}")
        yield row(TITLE_HITS + n, f"beta {filler}".strip(), f"gamma {filler}")
    for n in range(2 * TITLE_HITS + 1, 2 * TITLE_HITS + BOTH_IN_BODY + 1):
        yield row(n, " ".join(["note"] * (n % 7 + 1)), "alpha beta gamma")


def filled(url: str) -> Store:
    store = open_store(url)
    with store.engine.begin() as connection:
        connection.execute(insert(Item), list(rows()))
    return store


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Store]]:
    """The same items on PostgreSQL and on SQLite."""
    if not POSTGRES_URL:
        pytest.skip("LAMPLIGHT_TEST_POSTGRES_URL is not set")
    reset_postgres(POSTGRES_URL)
    folder: Path = tmp_path_factory.mktemp("budget")
    pg, lite = filled(POSTGRES_URL), filled(f"sqlite:///{folder / 'store.sqlite3'}")
    try:
        yield pg, lite
    finally:
        pg.dispose()
        lite.dispose()


def found(store: Store, query: str, limit: int, offset: int) -> SearchPage:
    with store.transaction() as session:
        page = search(session, query, limit=limit, offset=offset)
        session.expunge_all()
    return page


@pytest.mark.parametrize(
    ("query", "limit", "offset"),
    [("alpha beta", 10, 0), ("alpha beta", 10, 30), ("beta alpha gamma", 25, 0)],
)
def test_past_its_reading_budget_postgresql_answers_as_sqlite(
    stores: tuple[Store, Store],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    limit: int,
    offset: int,
) -> None:
    monkeypatch.setattr("bot.store.search.ALL_AT_ONCE", 0)  # always read from the top
    monkeypatch.setattr("bot.store.search_top.ROW_BUDGET", 0)
    stopped: list[bool] = []  # how each search ended: past its budget or not
    best = search_top._Reading.best

    def spied(reading: search_top._Reading, *, partly: bool = False) -> list[int]:
        stopped.append(partly)
        return best(reading, partly=partly)

    monkeypatch.setattr(search_top._Reading, "best", spied)
    pg, lite = stores
    ours, theirs = found(pg, query, limit, offset), found(lite, query, limit, offset)
    assert stopped == [True, True], "a search did not reach its budget"
    assert len(ours.items) == limit
    assert [i.id for i in ours.items] == [i.id for i in theirs.items]
    assert ours.total == theirs.total == 2 * TITLE_HITS + BOTH_IN_BODY
