"""The schema: created by migrations on first use, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.store.chats import ensure_chat
from bot.store.db import SCHEMA_HEAD, Store, StoreError, alembic_config, at_head, open_store
from bot.store.models import Digest, DigestKind

TABLES = {
    "sources", "items", "item_keys", "chats", "muted_words", "item_states",
    "digests", "digest_items", "digest_messages",
}  # fmt: skip


def test_first_use_creates_every_table_and_a_second_open_changes_nothing(store: Store) -> None:
    assert set(inspect(store.engine).get_table_names()) >= TABLES
    again = open_store(str(store.engine.url.render_as_string(hide_password=False)))
    assert set(inspect(again.engine).get_table_names()) >= TABLES
    again.dispose()


def test_processes_upgrading_a_new_store_at_once_do_not_race(database_url: str) -> None:
    code = "import sys; from bot.store.db import open_store; open_store(sys.argv[1]).dispose()"
    starts = [
        subprocess.Popen([sys.executable, "-c", code, database_url], stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    failures = [p.stderr.read().decode() for p in starts if p.wait(timeout=120) != 0]  # type: ignore[union-attr]
    assert failures == []


def test_one_daily_digest_per_chat_and_local_date_but_any_number_on_demand(store: Store) -> None:
    day = dt.date(2026, 11, 23)
    with store.transaction() as session:
        ensure_chat(session, 42)
        session.add_all(
            [
                Digest(chat_id=42, kind=DigestKind.DAILY, local_date=day),
                Digest(chat_id=42, kind=DigestKind.ON_DEMAND, local_date=day),
                Digest(chat_id=42, kind=DigestKind.ON_DEMAND, local_date=day),
                Digest(chat_id=42, kind=DigestKind.DAILY, local_date=day + dt.timedelta(1)),
            ]
        )
    with pytest.raises(IntegrityError), store.transaction() as session:
        session.add(Digest(chat_id=42, kind=DigestKind.DAILY, local_date=day))


def test_the_schema_head_constant_names_the_newest_migration() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


def test_an_old_store_is_upgraded_on_open(database_url: str) -> None:
    store = open_store(database_url)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'stale'"))
    assert not at_head(store.engine)
    store.dispose()
    with pytest.raises(StoreError):
        open_store(database_url)  # an unknown revision is refused, not silently used


def test_migrations_build_exactly_the_schema_the_models_declare(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.store.models import Base

    def not_search_index(obj: object, name: str | None, *_: object) -> bool:
        # The search index (`items_fts_terms`, its triggers' target) is migration-only: no
        # model declares it.
        return not (name or "").startswith("items_fts")

    opts = {"compare_type": True, "include_object": not_search_index}
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=opts)
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
