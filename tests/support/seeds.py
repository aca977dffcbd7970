"""The owner's notes, read from ../shared/seeds; tests skip where that folder is absent."""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.config import Settings
from bot.library.importer import import_paths
from bot.store.adding import ImportReport
from bot.store.db import Store, open_store
from tests.support import postgres
from tests.support.shared import built_once

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
# Under pytest-xdist the seeds are imported once per session into this database, and each
# worker's library is a database made from it as template.
SEEDED_POSTGRES = (
    postgres.beside(postgres.CONFIGURED_URL, "seeds") if postgres.CONFIGURED_URL else None
)


def seed_path(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the owner's notes are not at {SEEDS} (CI has them)")
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def seed_text(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


def _import(url: str, data: Path) -> ImportReport:
    from tests.conftest import NOW

    settings = Settings(database_url=url, lamplight_data_dir=data)
    store = open_store(settings.store_url)
    try:
        return import_paths(store, [SEEDS], settings=settings, now=NOW)
    finally:
        store.dispose()


def _imported_once(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path:
    """The session's one import on `backend`: its report, and for SQLite its store's file."""

    def build(folder: Path) -> None:
        if backend == "sqlite":
            url = f"sqlite:///{folder / 'store.sqlite3'}"
        else:
            assert SEEDED_POSTGRES
            url = SEEDED_POSTGRES
            postgres.create_database(url)
        report = _import(url, folder / "data")
        (folder / "report.pickle").write_bytes(pickle.dumps(report))

    return built_once(tmp_path_factory, f"seeds-{backend}", build)


def _postgres_library(url: str, tmp_path_factory: pytest.TempPathFactory) -> ImportReport:
    if postgres.WORKER is None:  # the URL's own database: no other may be made
        postgres.reset_postgres(url)
        return _import(url, tmp_path_factory.mktemp("data"))
    imported = _imported_once(tmp_path_factory, "postgresql")
    assert SEEDED_POSTGRES
    postgres.copy_into_worker_database(SEEDED_POSTGRES)
    report: ImportReport = pickle.loads((imported / "report.pickle").read_bytes())
    return report


def _sqlite_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, ImportReport]:
    imported = _imported_once(tmp_path_factory, "sqlite")
    library = tmp_path_factory.mktemp("seeds") / "store.sqlite3"
    shutil.copyfile(imported / "store.sqlite3", library)
    report: ImportReport = pickle.loads((imported / "report.pickle").read_bytes())
    return f"sqlite:///{library}", report


@contextmanager
def seed_library(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, ImportReport]]:
    """All five seeds imported into a fresh store on `backend` ("sqlite" or "postgresql",
    skipped where PostgreSQL is not configured), with the import's report. Each is a copy
    of one import per session (without pytest-xdist, PostgreSQL imports every time)."""
    if not SEEDS.is_dir():
        pytest.skip(f"the owner's notes are not at {SEEDS} (CI has them)")
    if backend == "postgresql":
        url = postgres.POSTGRES_URL
        if not url:
            pytest.skip("LAMPLIGHT_TEST_POSTGRES_URL is not set")
        report = _postgres_library(url, tmp_path_factory)
    else:
        url, report = _sqlite_library(tmp_path_factory)
    store = open_store(url)
    try:
        yield store, report
    finally:
        store.dispose()
