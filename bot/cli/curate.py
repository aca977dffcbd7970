"""`lamplight forget / unforget`: the owner's curation from the terminal, by item id (as
`lamplight search` and `lamplight import` show them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from bot.cli.common import Failure, opened_store
from bot.store import curation
from bot.store.curation import Curated

Ids = Annotated[
    list[int], typer.Argument(metavar="ID", help="Item ids, as `lamplight search` shows them.")
]


def forget(ids: Ids) -> None:
    """Hide items from every digest and every search, for every reader. They stay in the store
    (and in `lamplight export`); `lamplight unforget` brings them back.

    Example: lamplight forget 42
    """
    now = dt.datetime.now(dt.UTC)
    for done in _curate(ids, lambda session, i: curation.forget(session, i, now)):
        said = "forgot" if done.changed else "already forgotten:"
        typer.echo(f"{said} #{done.id} {done.name}")


def unforget(ids: Ids) -> None:
    """Bring forgotten items back into digests and search.

    Example: lamplight unforget 42
    """
    for done in _curate(ids, curation.unforget):
        said = "brought back" if done.changed else "not forgotten:"
        typer.echo(f"{said} #{done.id} {done.name}")


def _curate(ids: list[int], step: Callable[[Session, int], Curated | None]) -> list[Curated]:
    """`step` on each id in one transaction; an unknown id changes nothing and fails."""
    with opened_store() as store, store.transaction() as session:
        done = {i: step(session, i) for i in dict.fromkeys(ids)}
        missing = [str(i) for i, curated in done.items() if curated is None]
        if missing:  # raised inside the transaction: it rolls back
            raise Failure(
                f"no item with id {', '.join(missing)}; nothing changed"
                " (`lamplight search WORDS` shows ids)"
            )
    return [curated for curated in done.values() if curated is not None]
