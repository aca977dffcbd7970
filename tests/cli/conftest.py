"""CLI tests run the command in-process against a store chosen by DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

# Loaded before any test, as the first command a worker process runs would otherwise import the
# whole command mid-test: seconds on a busy machine, between a heartbeat and `lamplight health`
# reading its age, say.
import jobs.main  # noqa: F401


@pytest.fixture
def store_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    """The command's store: SQLite, and PostgreSQL when the tests have it."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LAMPLIGHT_DATA_DIR", str(tmp_path / "data"))
