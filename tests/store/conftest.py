"""The owner's library for the store tests that read it: the five seeds imported once per
module, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from bot.store.db import Store
from tests.support.seeds import seed_library


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def library(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with seed_library(request.param, tmp_path_factory) as (store, _):
        yield store


@pytest.fixture
def session(library: Store) -> Iterator[Session]:
    with library.transaction() as opened:
        yield opened
