"""Shared fixtures: settings, a store on SQLite and (when configured) PostgreSQL, the seeds."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.store.db import Store, open_store
from tests.support.migrated import migrated_postgres, migrated_sqlite
from tests.support.postgres import POSTGRES_URL as POSTGRES_URL  # tests import them from here
from tests.support.postgres import create_worker_database, drop_database, drop_worker_databases
from tests.support.postgres import reset_postgres as reset_postgres
from tests.support.seeds import SEEDED_POSTGRES, SEEDS

REPO = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)

# Settings must not pick up the developer's own environment.
_SETTING_NAMES = [name.upper() for name in Settings.model_fields]


def pytest_xdist_auto_num_workers() -> int:
    """`-n auto`: two workers per CPU this process may use, as most tests spend their time
    waiting (on the fake Bot API, a feed server, a bot process); at most eight, beyond which
    each worker's start-up and PostgreSQL connections cost more than they save."""
    return min(2 * len(os.sched_getaffinity(0)), 8)


def pytest_sessionstart() -> None:
    create_worker_database()  # under pytest-xdist, with PostgreSQL configured


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker drops its own databases; the session's end, the seeds' shared one."""
    drop_worker_databases()
    if SEEDED_POSTGRES and session.config.pluginmanager.has_plugin("dsession"):
        drop_database(SEEDED_POSTGRES)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    # Nor a proxy: test traffic stays on 127.0.0.1.
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def seeds() -> Path:
    """The owner's five notes files; tests using them skip where ../shared/seeds is absent."""
    if not SEEDS.is_dir():
        pytest.skip(f"the owner's notes are not at {SEEDS} (CI has them)")
    return SEEDS


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """Each store test runs on SQLite, and on PostgreSQL when LAMPLIGHT_TEST_POSTGRES_URL is
    set; with it set, a PostgreSQL that cannot be reached fails the run. Empty; for a test that
    takes `store` or `store_env`, with the schema made as a first open makes it
    (tests/support/migrated.py), unless it is marked `new_store`."""
    migrated = not {"store", "store_env"}.isdisjoint(request.fixturenames) and (
        request.node.get_closest_marker("new_store") is None
    )
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite3"
        if migrated:
            migrated_sqlite(tmp_path_factory, path)
        return f"sqlite:///{path}"
    if not POSTGRES_URL:
        pytest.skip("LAMPLIGHT_TEST_POSTGRES_URL is not set")
    if migrated:
        migrated_postgres(POSTGRES_URL)
    else:
        reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"lamplight_data_dir": tmp_path / "data"}
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(database_url=database_url)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings.store_url)
    yield opened
    opened.dispose()
