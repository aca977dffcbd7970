"""Migration 0014 on a store holding data: items, answers and the search index come through
it both ways, forgetting follows the index after it, and a downgrade brings forgotten items
back into search."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, text

from bot.library.items import ItemKind
from bot.store.curation import forget
from bot.store.db import Store, alembic_config, open_store
from bot.store.models import Chat, Item, ItemKey, ItemState
from bot.store.search import search
from tests.conftest import NOW
from tests.store.test_less_migration import migrate

# The revision before 0014, whichever it is.
BEFORE = ScriptDirectory.from_config(alembic_config()).get_revision("0014").down_revision


def found(store: Store, query: str) -> list[int]:
    with store.transaction() as session:
        return [item.id for item in search(session, query).items]


def indexed(store: Store, term: str) -> list[int]:
    """The items the search index lists under a term, read as any revision has it."""
    query = text("SELECT DISTINCT item_id FROM items_fts_terms WHERE term = :t ORDER BY item_id")
    with store.engine.connect() as connection:
        return list(connection.execute(query, {"t": term}).scalars())


def rows(store: Store, table: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.fixture
def old_store(database_url: str) -> Store:
    """A store at the revision before 0014 with three items (indexed by that revision's triggers), their keys
    and an answer."""
    store = open_store(database_url)
    migrate(store, command.downgrade, BEFORE)
    titles = ("lamp oil", "lamp wick", "candle")
    with store.engine.begin() as connection:
        connection.execute(insert(Chat), [{"id": 7}])
        connection.execute(
            insert(Item),
            [
                {"id": i, "kind": ItemKind.ARTICLE, "title": t, "title_tokens": t,
                 "canonical_key": f"title:{t}"}
                for i, t in enumerate(titles, start=1)
            ],
        )  # fmt: skip
        connection.execute(
            insert(ItemKey), [{"key": f"title:{t}", "item_id": i} for i, t in enumerate(titles, 1)]
        )
        connection.execute(insert(ItemState), [{"chat_id": 7, "item_id": 1, "status": "read"}])
    return store


def test_data_comes_through_and_forgetting_follows_the_index_both_ways(old_store: Store) -> None:
    migrate(old_store, command.upgrade, "head")
    assert found(old_store, "lamp") == [1, 2]
    assert (rows(old_store, "item_keys"), rows(old_store, "item_states")) == (3, 1)

    with old_store.transaction() as session:
        forget(session, 2, NOW)
    assert found(old_store, "lamp") == [1]
    assert found(old_store, "wick") == []

    migrate(old_store, command.downgrade, BEFORE)
    columns = {c["name"] for c in inspect(old_store.engine).get_columns("items")}
    assert not {"forgotten_at", "title_before_fix"} & columns
    assert indexed(old_store, "lamp") == [1, 2], "forgotten items come back on a downgrade"
    assert (rows(old_store, "item_keys"), rows(old_store, "item_states")) == (3, 1)

    migrate(old_store, command.upgrade, "head")  # and up again, as a later start would
    with old_store.transaction() as session:
        forget(session, 1, NOW)
    assert found(old_store, "lamp") == [2]
    assert found(old_store, "candle") == [3]
    old_store.dispose()
