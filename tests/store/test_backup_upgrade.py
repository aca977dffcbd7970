"""Before the schema of a store with data is upgraded, the store is backed up into BACKUP_DIR
at its old revision; that backup restores into a store of this lamplight's schema."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from bot.bootstrap import build_store
from bot.config import Settings
from bot.store.db import SCHEMA_HEAD, Store, StoreError, alembic_config, at_head, open_store
from bot.store.restore import restore

OLD = "0009"  # before "less like this"
ITEM = (
    "INSERT INTO items (id, kind, title, text, notes, author, affiliation, topic, canonical_key,"
    " title_tokens, body_tokens, added_at) VALUES (:id, 'paper', :title, '', '', '', '', '',"
    " :key, :tokens, '', '2026-11-23 08:00:00')"
)
STATE = "INSERT INTO item_states (chat_id, item_id, status, times_shown) VALUES (7, :id, :s, 1)"


def statuses(store: Store) -> dict[int, str]:
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT item_id, status FROM item_states ORDER BY 1"))
        return {item_id: status for item_id, status in rows}


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


def test_a_store_with_data_is_backed_up_before_its_schema_is_upgraded(
    database_url: str, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    old_store(database_url)
    settings = make_settings(database_url=database_url)
    store = build_store(settings)
    assert at_head(store.engine) and statuses(store) == {1: "skipped", 2: "read"}
    store.dispose()
    [backup] = settings.backup_folder.iterdir()
    assert backup.name.startswith("lamplight-") and backup.name.endswith(f"-from-{OLD}.jsonl.gz")
    header = json.loads(gzip.decompress(backup.read_bytes()).splitlines()[0])
    assert header["schema"] == OLD

    moved = open_store(f"sqlite:///{tmp_path / 'moved.sqlite3'}")
    report = restore(moved.engine, backup)
    assert report.schema == OLD and report.rows["items"] == 2
    assert at_head(moved.engine), f"restored at {OLD}, then upgraded to {SCHEMA_HEAD}"
    assert statuses(moved) == {1: "skipped", 2: "read"}
    with moved.engine.connect() as connection:
        found = connection.execute(
            text("SELECT item_id FROM items_fts_terms WHERE term = 'paper' ORDER BY 1")
        )
        assert found.scalars().all() == [1, 2], "the search index filled as the items came"
    moved.dispose()


@pytest.mark.parametrize(
    ("with_data", "backup"), [(False, "on"), (True, "off")], ids=["empty store", "BACKUP=off"]
)
def test_no_backup_of_an_empty_store_nor_with_backups_off(
    database_url: str, make_settings: Callable[..., Settings], with_data: bool, backup: str
) -> None:
    old_store(database_url, with_data=with_data)
    settings = make_settings(database_url=database_url, backup=backup)
    build_store(settings).dispose()
    assert not settings.backup_folder.exists()


def test_a_backup_that_cannot_be_written_stops_the_upgrade_in_one_line(
    database_url: str, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    old_store(database_url)
    not_a_folder = tmp_path / "backups"
    not_a_folder.write_text("a file where the folder should be")
    settings = make_settings(database_url=database_url, backup_dir=not_a_folder)
    with pytest.raises(
        StoreError, match=f"cannot back the store up before upgrading its schema from {OLD}"
    ) as raised:
        build_store(settings)
    assert "BACKUP=off" in str(raised.value) and "\n" not in str(raised.value)
    store = open_store(database_url, migrate=False)
    assert not at_head(store.engine) and statuses(store) == {1: "skipped", 2: "read"}
    store.dispose()
