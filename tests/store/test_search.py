"""Searching the owner's library: Chinese and English, the same ranking on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.library.importer import import_paths
from bot.library.items import ItemKind
from bot.library.query import Candidate, query_terms, rank
from bot.store.db import Store, alembic_config, open_store
from bot.store.models import Item
from bot.store.search import search, search_candidates
from bot.store.search_top import scored
from tests.conftest import NOW
from tests.support.seeds import seed_library

pytestmark = pytest.mark.seeds

HOSTILE = [
    '"',
    '""""',
    "*",
    "transform*",
    "NEAR(a b)",
    "a OR b",
    "a AND NOT b",
    "title_tokens: 蒸馏",
    "^蒸馏",
    "'; DROP TABLE items; --",
    "蒸馏' OR '1'='1",
    "!!! & | ( ) :* <-> \\",
    "x" * 4000,
    "蒸馏 transformer " * 300,
    "🙂🔥🚀",
    "🙂" * 4000,
    "",
    "   \n\t",
    "\x00",
]

AGREEING_QUERIES = [
    "蒸馏",
    "剪枝",
    "Transformers",
    "ALEXNET",
    "知识蒸馏 attention",
    "对比学习",
    "gpt-3",
]


@pytest.fixture(scope="module")
def sqlite_reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The seeds in a SQLite store of its own, to compare PostgreSQL's answers with."""
    with seed_library("sqlite", tmp_path_factory) as (store, _):
        yield store


def ranked_ids(session: Session, query: str, limit: int = 50) -> list[int]:
    return [item.id for item in search(session, query, limit=limit).items]


def holds(item: Item, word: str) -> tuple[bool, bool]:
    """Whether `word` stands among the item's title tokens, and among its body tokens."""
    return word in item.title_tokens.split(), word in item.body_tokens.split()


def test_a_chinese_word_finds_the_items_holding_it_titles_first(session: Session) -> None:
    page = search(session, "蒸馏", limit=100)
    assert page.total >= 5 and len(page.items) == page.total
    assert page.items[0].title == "一文总览知识蒸馏概述"
    places = [holds(item, "蒸馏") for item in page.items]
    assert all(title or body for title, body in places)
    in_title = [title for title, _ in places]
    assert in_title == sorted(in_title, reverse=True), "a body-only hit ranked above a title hit"
    assert sum(in_title) >= 3
    for item in page.items:
        assert "蒸馏" in f"{item.title} {item.text} {item.notes} {item.topic}"


def test_every_item_holding_a_chinese_word_is_found(session: Session) -> None:
    found = {item.id for item in search(session, "剪枝", limit=1000).items}
    holding = {
        item.id
        for item in session.scalars(select(Item))
        if "剪枝" in f"{item.title_tokens} {item.body_tokens}".split()
    }
    assert holding and found == holding
    first = search(session, "剪枝", limit=1).items[0]
    assert holds(first, "剪枝")[0]


def test_english_is_case_and_plural_insensitive(session: Session) -> None:
    plural = ranked_ids(session, "Transformers")
    assert plural == ranked_ids(session, "transformer") == ranked_ids(session, "TRANSFORMER")
    assert len(plural) >= 10
    top = session.get(Item, plural[0])
    assert top is not None and "transformer" in top.title.lower()


def test_a_shouted_paper_name_finds_that_paper_first(session: Session) -> None:
    page = search(session, "ALEXNET")
    assert page.items[0].title == "AlexNet"
    assert all("alexnet" in f"{i.title} {i.text} {i.notes}".lower() for i in page.items)


def test_more_matched_terms_rank_higher(session: Session) -> None:
    ids = ranked_ids(session, "lottery ticket 剪枝", limit=200)
    terms = query_terms("lottery ticket 剪枝")
    items = {item.id: item for item in session.scalars(select(Item).where(Item.id.in_(ids)))}
    matched = [sum(any(holds(items[i], t)) for t in terms) for i in ids]
    assert matched == sorted(matched, reverse=True)
    assert matched[0] == len(terms)


def test_pages_follow_one_another(session: Session) -> None:
    everything = ranked_ids(session, "对比学习", limit=1000)
    pages = [
        [i.id for i in search(session, "对比学习", limit=7, offset=o).items]
        for o in range(0, 21, 7)
    ]
    assert [i for page in pages for i in page] == everything[:21]
    assert search(session, "对比学习", limit=7, offset=len(everything)).items == []


@pytest.mark.parametrize("query", AGREEING_QUERIES)
def test_postgresql_ranks_exactly_as_sqlite(
    library: Store, sqlite_reference: Store, query: str
) -> None:
    if library.engine.dialect.name == "sqlite":
        pytest.skip("compared from the PostgreSQL run")
    with library.transaction() as pg, sqlite_reference.transaction() as lite:
        ours, theirs = search(pg, query, limit=1000), search(lite, query, limit=1000)
        assert ours.total == theirs.total > 0
        assert [i.id for i in ours.items] == [i.id for i in theirs.items]


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: repr(q[:16]))
def test_hostile_text_is_only_text(session: Session, query: str) -> None:
    page = search(session, query, limit=10)
    assert page.total >= 0 and len(page.items) <= 10
    assert session.scalar(select(func.count()).select_from(Item)) > 600


@pytest.mark.parametrize("query", [*AGREEING_QUERIES, "模型 model 学习 learning 深度"])
def test_the_store_scores_candidates_as_the_ranking_defines(session: Session, query: str) -> None:
    """The database computes each candidate's term hits and title length itself, from the
    index and from the token columns; both must be what `Candidate.of` computes."""
    terms = query_terms(query)
    found = search_candidates(session, terms)
    assert found
    rows = session.execute(
        select(Item.id, Item.title_tokens, Item.body_tokens).where(
            Item.id.in_([c.id for c in found])
        )
    )
    expected = {i: Candidate.of(i, terms, title, body) for i, title, body in rows}
    assert {c.id: c for c in found} == expected
    assert {c.id: c for c in scored(session, terms, expected)} == expected


@pytest.mark.parametrize(
    "query", [*AGREEING_QUERIES, "模型 model 学习 learning 深度", "lottery ticket 剪枝", "the of"]
)
@pytest.mark.parametrize("at_once", [True, False], ids=["ranked at once", "read from the top"])
def test_every_page_is_that_slice_of_every_match_ranked(
    session: Session, monkeypatch: pytest.MonkeyPatch, query: str, at_once: bool
) -> None:
    if not at_once:
        monkeypatch.setattr("bot.store.search.ALL_AT_ONCE", 0)
    everything = rank(search_candidates(session, query_terms(query)))
    assert everything
    for limit, offset in [(5, 0), (10, 0), (5, 5), (7, 30), (1000, 0), (3, len(everything) - 2)]:
        page = search(session, query, limit=limit, offset=offset)
        assert [item.id for item in page.items] == everything[offset : offset + limit]
        assert page.total == len(everything) and not page.capped


@pytest.mark.parametrize("raw", [HOSTILE, ['a"b', "NEAR", "OR", "*", "x:y", "{a b}", "'; --"]])
def test_raw_terms_are_only_values(session: Session, raw: list[str]) -> None:
    """Terms reach the database as bound values only, whatever they hold."""
    assert search_candidates(session, raw[:16]) == []


def test_fts_words_in_a_query_are_searched_as_words(session: Session) -> None:
    assert search(session, "NEAR").total == search(session, "near").total
    assert search(session, "OR").total == search(session, "or").total
    assert search_candidates(session, ()) == []


def test_the_index_follows_imports_updates_and_deletions(library: Store, tmp_path: Path) -> None:
    notes = tmp_path / "hummingbird.txt"
    notes.write_text(
        "【蜂鸟剪枝】《Hummingbird Pruning for Tiny Transformers》\n"
        "https://example.org/hummingbird-pruning\n",
        encoding="utf-8",
    )
    url = library.engine.url.render_as_string(hide_password=False)
    import_paths(library, [notes], settings=Settings(database_url=url), now=NOW)
    with library.transaction() as session:
        found = search(session, "HUMMINGBIRDS").items
        assert [i.title for i in found] == ["Hummingbird Pruning for Tiny Transformers"]
        assert search(session, "蜂鸟").items[0].id == found[0].id
        item = found[0]
        item.title_tokens = "zyxwvut"
    with library.transaction() as session:
        assert search(session, "hummingbird").total == 0
        assert [i.id for i in search(session, "zyxwvut").items] == [item.id]
        session.delete(session.get(Item, item.id))
    with library.transaction() as session:
        assert search(session, "zyxwvut").total == 0
        assert search(session, "蜂鸟").total == 0


def test_upgrading_indexes_the_items_already_there_and_downgrading_restores_the_old_index(
    database_url: str,
) -> None:
    from alembic import command

    store = open_store(database_url)

    def add(item_id: int, title_tokens: str) -> None:
        with store.engine.begin() as connection:
            connection.execute(
                insert(Item),
                [
                    {
                        "id": item_id,
                        "kind": ItemKind.QUOTE,
                        "canonical_key": f"test:{item_id}",
                        "title_tokens": title_tokens,
                        "body_tokens": "蜂鸟 body",
                    }
                ],
            )

    def migrate(step: object, revision: str) -> None:
        with store.engine.begin() as connection:
            step(alembic_config(connection), revision)  # type: ignore[operator]

    add(1, "hummingbird one")
    migrate(command.downgrade, "0007")
    assert "items_fts_terms" not in inspect(store.engine).get_table_names()
    add(2, "hummingbird two")  # followed by the old index's triggers
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as connection:
            old = connection.execute(
                text("SELECT rowid FROM items_fts WHERE items_fts MATCH '蜂鸟'")
            )
            assert sorted(old.scalars()) == [1, 2]
    migrate(command.upgrade, "head")
    add(3, "hummingbird three")
    with store.transaction() as session:
        assert [i.id for i in search(session, "hummingbird").items] == [1, 2, 3]
        assert search(session, "蜂鸟").total == 3
    names = inspect(store.engine).get_table_names()
    assert "items_fts_terms" in names and "items_fts" not in names
    store.dispose()
