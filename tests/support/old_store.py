"""A store at an older schema revision, its rows written in SQL as that version wrote them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from bot.store.db import alembic_config, open_store

OLD = "0009"  # before "less like this"
ITEM = (
    "INSERT INTO items (id, kind, title, text, notes, author, affiliation, topic, canonical_key,"
    " title_tokens, body_tokens, added_at) VALUES (:id, 'paper', :title, '', '', '', '', '',"
    " :key, :tokens, '', '2026-11-23 08:00:00')"
)
STATE = "INSERT INTO item_states (chat_id, item_id, status, times_shown) VALUES (7, :id, :s, 1)"


def old_store(url: str, *, with_data: bool = True) -> None:
    """A store at revision 0009; with data written in SQL, as that version stored it."""
    store = open_store(url)
    with store.engine.begin() as connection:
        command.downgrade(alembic_config(connection), OLD)
        if with_data:
            connection.execute(
                text(
                    "INSERT INTO chats (id, subscribed, timezone, digest_time, digest_size,"
                    " language, paused, blocked, created_at) VALUES (7, true, 'Asia/Shanghai',"
                    " '07:30:00', 5, 'zh', false, false, '2026-11-23 08:00:00')"
                )
            )
            for n in (1, 2):
                title = f"Paper {n}"
                params = {"id": n, "title": title, "key": f"t:{n}", "tokens": f"paper {n}"}
                connection.execute(text(ITEM), params)
            connection.execute(text(STATE), [{"id": 1, "s": "skipped"}, {"id": 2, "s": "read"}])
    store.dispose()
