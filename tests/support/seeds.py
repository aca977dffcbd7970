"""The owner's notes, read from ../shared/seeds; tests skip where that folder is absent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.config import Settings
from bot.library.importer import import_paths
from bot.store.adding import ImportReport
from bot.store.db import Store, open_store

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def seed_path(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the owner's notes are not at {SEEDS} (CI has them)")
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def seed_text(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


@contextmanager
def seed_library(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, ImportReport]]:
    """All five seeds imported into a fresh store on `backend` ("sqlite" or "postgresql",
    skipped where PostgreSQL is not configured), with the import's report."""
    from tests.conftest import NOW, POSTGRES_URL, reset_postgres

    if not SEEDS.is_dir():
        pytest.skip(f"the owner's notes are not at {SEEDS} (CI has them)")
    if backend == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("LAMPLIGHT_TEST_POSTGRES_URL is not set")
        reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('seeds') / 'store.sqlite3'}"
    settings = Settings(database_url=url, lamplight_data_dir=tmp_path_factory.mktemp("data"))
    store = open_store(settings.store_url)
    try:
        yield store, import_paths(store, [SEEDS], settings=settings, now=NOW)
    finally:
        store.dispose()
