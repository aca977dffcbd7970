"""Migration 0010: "less like this" can be stored; skips answered before it stay "later"."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from bot.library.items import Answer, ItemKind
from bot.store.db import Store, alembic_config, open_store
from bot.store.digests import set_answer
from bot.store.models import Item, ItemState

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def migrate(store: Store, step: object, revision: str) -> None:
    with store.engine.begin() as connection:
        step(alembic_config(connection), revision)  # type: ignore[operator]


def store_answer(store: Store, item_id: int, status: str) -> None:
    """An answer written as SQL, as any version of the bot would have stored it."""
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO item_states (chat_id, item_id, status, times_shown) VALUES (7, :i, :s, 1)"
            ),
            {"i": item_id, "s": status},
        )


def statuses(store: Store) -> dict[int, str]:
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT item_id, status FROM item_states WHERE chat_id = 7"))
        return {item_id: status for item_id, status in rows}


@pytest.fixture
def old_store(database_url: str) -> Store:
    """A store at 0009, before "less like this", with a chat and five items."""
    store = open_store(database_url)
    migrate(store, command.downgrade, "0009")
    with store.engine.begin() as connection:
        # As SQL: the model's chats have columns later revisions added.
        connection.execute(
            text(
                "INSERT INTO chats (id, timezone, digest_time, digest_size, language, created_at)"
                " VALUES (7, 'UTC', '08:00:00', 5, 'en', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            insert(Item),
            [
                {
                    "id": i,
                    "kind": ItemKind.PAPER,
                    "canonical_key": f"test:{i}",
                    "title": f"paper {i}",
                }
                for i in range(1, 6)
            ],
        )
    return store


def test_skips_answered_before_stay_skipped_and_less_can_be_stored_after(old_store: Store) -> None:
    store_answer(old_store, 1, "read")
    store_answer(old_store, 2, "skipped")
    with pytest.raises(IntegrityError):
        store_answer(old_store, 3, "less")  # not a value 0009 knows

    migrate(old_store, command.upgrade, "head")
    assert statuses(old_store) == {1: "read", 2: "skipped"}  # nothing rewritten
    store_answer(old_store, 3, "less")
    with old_store.transaction() as session:
        set_answer(session, chat_id=7, item_id=4, answer=Answer.LESS, now=NOW)
    with old_store.transaction() as session:
        rows = session.execute(select(ItemState.item_id, ItemState.status))
        stored = {item_id: status for item_id, status in rows}
    assert stored == {1: Answer.READ, 2: Answer.SKIPPED, 3: Answer.LESS, 4: Answer.LESS}
    with pytest.raises(IntegrityError):
        store_answer(old_store, 5, "meh")  # the check still refuses what no answer is
    old_store.dispose()


def test_downgrading_turns_less_back_into_skipped(old_store: Store) -> None:
    migrate(old_store, command.upgrade, "head")
    store_answer(old_store, 1, "less")
    store_answer(old_store, 2, "skipped")
    store_answer(old_store, 3, "read")

    migrate(old_store, command.downgrade, "0009")
    assert statuses(old_store) == {1: "skipped", 2: "skipped", 3: "read"}
    with pytest.raises(IntegrityError):
        store_answer(old_store, 4, "less")

    migrate(old_store, command.upgrade, "head")  # and up again, as a later start would
    assert "ix_item_states_item_id" in {
        index["name"] for index in inspect(old_store.engine).get_indexes("item_states")
    }
    old_store.dispose()
