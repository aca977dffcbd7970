"""What every command shares: the one-line failure, settings read once, an opened store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import ValidationError
from rich.console import Console

from bot.bootstrap import build_store
from bot.config import Settings
from bot.store.db import Store

err = Console(stderr=True)


class Failure(Exception):
    """A failure the user can act on; main() prints it as one line and exits 1."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # pydantic's "Value error, " prefix says nothing to the user; the input (a URL with
        # its password, a token) is never echoed.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: "
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        )
        raise Failure(f"bad setting: {problems}") from exc


@contextmanager
def opened_store(settings: Settings | None = None) -> Iterator[Store]:
    """The store, its schema upgraded, closed however the command ends."""
    store = build_store(settings or load_settings())
    try:
        yield store
    finally:
        store.dispose()
