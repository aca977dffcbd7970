"""`lamplight db …`: the store's schema."""

from __future__ import annotations

import typer

from bot.cli.common import opened_store
from bot.store.db import upgrade


def db_upgrade() -> None:
    """Bring the store's schema up to date (every command also does this itself)."""
    with opened_store() as store:
        upgrade(store.engine)
    typer.echo("store is up to date")
