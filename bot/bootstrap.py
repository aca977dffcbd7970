"""What every entry point builds first: the store from Settings, the clock, a settled heap.
The bot with its scheduled jobs is put together in jobs/process.py."""

from __future__ import annotations

import datetime as dt
import gc

from bot.backups import before_upgrade
from bot.config import Settings
from bot.store.db import Store, open_store


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def build_store(settings: Settings) -> Store:
    """The store, its schema upgraded (a store with data backed up first, into BACKUP_DIR)."""
    return open_store(settings.store_url, before_upgrade=before_upgrade(settings, utc_now))


def settle_heap() -> None:
    """Move everything start-up made (modules, the bot) out of the collector's sight. Their
    100,000-odd objects never die, yet each full collection walked them all: a 20-50 ms pause
    that landed on a random search or send every few requests."""
    gc.collect()
    gc.freeze()
