"""`lamplight forget / unforget / fix`: the owner's curation from the terminal, by item id
(as `lamplight search` and `lamplight import` show them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from bot.cli.common import Failure, opened_store
from bot.digests.curation import MAX_TITLE
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


def fix(
    item_id: Annotated[
        int, typer.Argument(metavar="ID", help="The item's id, as `lamplight search` shows it.")
    ],
    title: Annotated[str, typer.Argument(help="Its title as it should read.")],
) -> None:
    """Correct an item's title: searches find the new words, the old title is kept in the
    store, and importing its notes file again keeps your title (as `fix 2 Title` in the chat).

    Example: lamplight fix 42 "Attention Is All You Need"
    """
    title = " ".join(title.split())
    if not title:
        raise Failure("the title is empty; nothing changed")
    if len(title) > MAX_TITLE:
        raise Failure(f"the title is over {MAX_TITLE} characters; nothing changed")
    now = dt.datetime.now(dt.UTC)
    [done] = _curate([item_id], lambda session, i: curation.fix_title(session, i, title, now))
    if done.changed:
        typer.echo(f"fixed #{done.id}: {done.before or '(no title)'} → {done.title}")
    else:
        typer.echo(f"already so: #{done.id} {done.title}")


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
