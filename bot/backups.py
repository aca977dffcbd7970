"""Backups the install makes by itself: one a day in BACKUP_DIR, named by its date, of which
the newest BACKUP_KEEP are kept; and one before any schema upgrade of a store with data."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from bot.config import Settings
from bot.store.backup import BackupReport, holds_data, snapshot, write_backup
from bot.store.backup_format import BackupError
from bot.store.db import BeforeUpgrade, Store, StoreError

log = logging.getLogger(__name__)

SUFFIX = ".jsonl.gz"
# Only files of this name are daily backups, and only they are ever removed.
DAILY_NAME = re.compile(r"^lamplight-\d{4}-\d{2}-\d{2}\.jsonl\.gz$")


def daily_name(day: dt.date) -> str:
    """The daily backup's file name, by its UTC date.

    >>> daily_name(dt.date(2026, 11, 23))
    'lamplight-2026-11-23.jsonl.gz'
    """
    return f"lamplight-{day.isoformat()}{SUFFIX}"


def upgrade_name(revision: str, now: dt.datetime) -> str:
    """The name of the backup made before an upgrade from `revision`.

    >>> upgrade_name("0009", dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC))
    'lamplight-2026-11-23T080000Z-before-upgrade-from-0009.jsonl.gz'
    """
    moment = f"{now.astimezone(dt.UTC):%Y-%m-%dT%H%M%SZ}"
    return f"lamplight-{moment}-before-upgrade-from-{revision}{SUFFIX}"


@dataclass(frozen=True)
class DailyBackup:
    """What a run of the daily backup did: the file it wrote (None: today's was there)
    and the older daily files it removed."""

    written: BackupReport | None
    removed: list[Path] = field(default_factory=list)


def back_up_daily(store: Store, settings: Settings, now: dt.datetime) -> DailyBackup | None:
    """Today's backup (by UTC date) unless it was written already, then only the newest
    BACKUP_KEEP daily files left; None when backups are off."""
    if not settings.backups_on:
        return None
    folder = settings.backup_folder
    path = folder / daily_name(now.astimezone(dt.UTC).date())
    written = None
    if not path.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackupError(f"cannot make {folder}: {exc.strerror or exc}") from None
        with snapshot(store.engine) as connection:
            written = write_backup(connection, path, now)
        log.info("backed the store up to %s (%d rows)", path, written.total)
    return DailyBackup(written=written, removed=prune(folder, settings.backup_keep))


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` daily backups in `folder`; returns those removed."""
    daily = sorted(path for path in folder.iterdir() if DAILY_NAME.match(path.name))
    removed = daily[: max(len(daily) - keep, 0)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def before_upgrade(settings: Settings, clock: Callable[[], dt.datetime]) -> BeforeUpgrade | None:
    """What the store does before upgrading its schema: back itself up into BACKUP_DIR when
    it holds data (and backups are on). A backup that cannot be written stops the upgrade."""
    if not settings.backups_on:
        return None
    folder = settings.backup_folder

    def back_up(engine: Engine, revision: str) -> None:
        now = clock()
        path = folder / upgrade_name(revision, now)
        try:
            with snapshot(engine) as connection:
                if not holds_data(connection):
                    return
                folder.mkdir(parents=True, exist_ok=True)
                report = write_backup(connection, path, now)
        except (BackupError, OSError) as exc:
            raise StoreError(
                f"cannot back the store up before upgrading its schema from {revision}: {exc}; "
                "nothing was changed (BACKUP=off skips this backup)"
            ) from None
        log.warning(
            "backed the store up to %s (%d rows) before upgrading its schema from %s",
            path,
            report.total,
            revision,
        )

    return back_up
