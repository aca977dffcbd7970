"""The daily backup: the scheduler's job writes the day's file into BACKUP_DIR once a day and
keeps the newest BACKUP_KEEP; BACKUP=off or BACKUP_KEEP=0 turns it off."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from bot.backups import DailyBackup, daily_name
from bot.config import Settings
from bot.store.db import Store
from bot.store.models import Chat
from bot.store.restore import checked
from jobs.scheduler import build_scheduler
from tests.conftest import NOW


async def no_send(*_: Any, **__: Any) -> Any:
    raise AssertionError("the backup sends nothing")


def run_backup_job(store: Store, settings: Settings, now: dt.datetime) -> DailyBackup | None:
    scheduler = build_scheduler(store=store, send=no_send, clock=lambda: now, settings=settings)
    job = scheduler.get_job("backup")
    assert job is not None
    result: DailyBackup | None = asyncio.run(job.func())
    return result


def test_the_daily_job_backs_up_once_a_day_and_keeps_the_newest_backup_keep(
    store: Store, make_settings: Callable[..., Settings], database_url: str
) -> None:
    with store.transaction() as session:
        session.add(Chat(id=7, subscribed=True))
    settings = make_settings(database_url=database_url, backup_keep=3)
    folder = settings.backup_folder
    folder.mkdir(parents=True)
    for day in range(1, 6):
        (folder / daily_name(dt.date(2026, 11, day))).write_text("an older backup")
    others = {folder / "lamplight-2026-11-01T000000Z-before-upgrade-from-0009.jsonl.gz"}
    others.add(folder / "notes.md")
    for other in others:
        other.write_text("not a daily backup")

    first = run_backup_job(store, settings, NOW)
    assert first is not None and first.written is not None
    assert first.written.path == folder / "lamplight-2026-11-23.jsonl.gz"
    assert checked(first.written.path).schema and first.written.rows["chats"] == 1
    again = run_backup_job(store, settings, NOW + dt.timedelta(hours=5))
    assert again is not None and again.written is None  # today's is there
    run_backup_job(store, settings, NOW + dt.timedelta(days=1))

    daily = sorted(path.name for path in folder.iterdir() if path not in others)
    assert daily == [
        "lamplight-2026-11-05.jsonl.gz",
        "lamplight-2026-11-23.jsonl.gz",
        "lamplight-2026-11-24.jsonl.gz",
    ]
    assert all(other.exists() for other in others), "only daily backups are ever removed"


@pytest.mark.parametrize("off", [{"backup": "off"}, {"backup_keep": 0}])
def test_no_daily_backup_when_turned_off(
    store: Store, make_settings: Callable[..., Settings], database_url: str, off: dict[str, Any]
) -> None:
    settings = make_settings(database_url=database_url, **off)
    scheduler = build_scheduler(store=store, send=no_send, clock=lambda: NOW, settings=settings)
    assert scheduler.get_job("backup") is None
    assert scheduler.get_job("feed-pull") is not None  # the other jobs are there
