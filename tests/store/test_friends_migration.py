"""Migration 0012 on a store holding data: chats keep every setting and come every day, the
access list starts empty; and back down, nothing else is lost."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import inspect, text

from bot.store.db import Store, alembic_config, open_store
from bot.store.digests import active_chats

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def migrate(store: Store, step: object, revision: str) -> None:
    with store.engine.begin() as connection:
        step(alembic_config(connection), revision)  # type: ignore[operator]


def count(store: Store, table: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_chats_and_their_answers_survive_the_upgrade_and_the_downgrade(database_url: str) -> None:
    store = open_store(database_url)
    migrate(store, command.downgrade, "0010")
    with store.engine.begin() as connection:
        # As SQL, the way 0010 stored them: the models have columns it lacks.
        connection.execute(
            text(
                "INSERT INTO chats (id, subscribed, timezone, digest_time, digest_size, language,"
                " created_at, joined_at) VALUES (7, true, 'Asia/Shanghai', '07:30:00', 4, 'zh',"
                " :now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO items (id, kind, title, text, notes, author, affiliation, topic,"
                " canonical_key, title_tokens, body_tokens, added_at)"
                " VALUES (1, 'quote', 'q', '', '', '', '', '', 'title:q', '', '', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO item_states (chat_id, item_id, status, times_shown)"
                " VALUES (7, 1, 'read', 1)"
            )
        )

    migrate(store, command.upgrade, "head")
    with store.transaction() as session:
        [chat] = active_chats(session)
    assert (chat.chat_id, chat.timezone, chat.digest_time, chat.digest_size) == (
        7,
        "Asia/Shanghai",
        dt.time(7, 30),
        4,
    )
    assert (chat.digest_days, chat.paused_until) == (0b1111111, None)
    assert count(store, "access") == 0 and count(store, "item_states") == 1

    migrate(store, command.downgrade, "0010")
    assert "digest_days" not in {c["name"] for c in inspect(store.engine).get_columns("chats")}
    assert (count(store, "chats"), count(store, "item_states")) == (1, 1)
    migrate(store, command.upgrade, "head")
    store.dispose()
