"""Before the schema of a store with data is upgraded, the store is backed up into BACKUP_DIR
at its old revision; that backup restores into a store of this lamplight's schema."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.bootstrap import build_store
from bot.config import Settings
from bot.store.db import SCHEMA_HEAD, Store, StoreError, at_head, open_store
from bot.store.restore import restore
from tests.support.old_store import OLD, old_store


def statuses(store: Store) -> dict[int, str]:
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT item_id, status FROM item_states ORDER BY 1"))
        return {item_id: status for item_id, status in rows}


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
