"""Composition root: builds lamplight's collaborators from Settings, for run, demo and tests."""

from __future__ import annotations

from bot.config import Settings
from bot.store.db import Store, open_store


def build_store(settings: Settings) -> Store:
    """The store, its schema upgraded."""
    return open_store(settings.store_url)
