"""`lamplight feeds …`: follow, list, pull and exchange (OPML) the newsletter feeds."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import Failure, load_settings, opened_store
from bot.config import Settings
from bot.feeds.opml import OpmlError, OpmlFeed, read_opml, write_opml
from bot.store.db import Store
from bot.store.feeds import follow, unfollow
from bot.store.library import list_feeds

if TYPE_CHECKING:  # the feed client (httpx) loads only when `feeds pull` runs
    from bot.feeds.pull import PullReport


def feeds_list() -> None:
    """List the newsletter feeds and their state."""
    with opened_store() as store, store.transaction() as session:
        feeds = list_feeds(session)
    table = Table("name", "site", "feed", "state")
    for feed in feeds:
        state = (
            "paused"
            if feed.paused
            else "ok"
            if not feed.error_count
            else (f"{feed.error_count} failures: {feed.last_error}")
        )
        table.add_row(feed.name, feed.site or "", feed.feed_url or "no known feed", state)
    Console().print(table)


def feeds_add(
    url: Annotated[str, typer.Argument(help="The feed's URL (RSS or Atom).")],
    name: Annotated[str | None, typer.Option(help="A name to show; default: its host.")] = None,
) -> None:
    """Follow a newsletter feed.

    Example: lamplight feeds add https://jack-clark.net/feed/ --name "Import AI"
    """
    if not url.startswith(("http://", "https://")):
        raise Failure(f"{url}: a feed URL starts with http:// or https://")
    with opened_store() as store, store.transaction() as session:
        added = follow(session, url, name, dt.datetime.now(dt.UTC))
    typer.echo(f"following {url}" if added else f"{url} is followed already")


def feeds_remove(
    feed: Annotated[str, typer.Argument(help="The feed's name or URL, as `feeds list` shows.")],
) -> None:
    """Stop following a feed; its posts stay in the library."""
    with opened_store() as store, store.transaction() as session:
        removed = unfollow(session, feed)
    if removed is None:
        raise Failure(f"no feed named {feed!r}; see `lamplight feeds list`")
    typer.echo(f"stopped following {removed}")


def feeds_pull(
    due: Annotated[
        bool, typer.Option("--due", help="Only the feeds the schedule says are due now.")
    ] = False,
) -> None:
    """Fetch every active (not paused) feed now and add its new posts.

    Each request is conditional (ETag / Last-Modified), so an unchanged feed costs a 304.
    """
    settings = load_settings()
    with opened_store(settings) as store:
        report = asyncio.run(_pull(store, settings, due_only=due))
    outcomes = ", ".join(f"{n} {o.value.replace('_', ' ')}" for o, n in report.outcomes.items())
    none = "none due" if due else "none followed"
    typer.echo(f"feeds: {outcomes or none}; new posts: {report.items.added.total()}")
    for url in report.paused:
        typer.echo(f"paused after repeated failures: {url}")


async def _pull(store: Store, settings: Settings, *, due_only: bool) -> PullReport:
    from bot.feeds.pull import feed_client, pull_feeds

    async with feed_client() as client:
        return await pull_feeds(
            dt.datetime.now(dt.UTC),
            store=store,
            client=client,
            settings=settings,
            due_only=due_only,
        )


def feeds_import_opml(
    file: Annotated[Path, typer.Argument(help="An OPML file, as feed readers export them.")],
) -> None:
    """Follow every feed in an OPML subscription list (nested folders too).

    Example: lamplight feeds import-opml subscriptions.opml
    """
    found = _read_opml(file)
    usable = [
        f
        for f in found
        if f.feed_url.startswith(("http://", "https://")) and len(f.feed_url) <= 1024
    ]
    if not usable:
        raise Failure(f"{file}: no feeds in it (no outline has an http(s) xmlUrl)")
    added = 0
    with opened_store() as store, store.transaction() as session:
        now = dt.datetime.now(dt.UTC)
        for feed in usable:
            name = feed.name[:256] if feed.name else None
            added += follow(session, feed.feed_url, name, now)
            session.flush()  # a list naming one feed twice follows it once
    skipped = len(found) - len(usable)
    typer.echo(
        f"added {added} feeds, {len(usable) - added} already followed"
        + (f", {skipped} skipped (not an http(s) URL)" if skipped else "")
    )


def _read_opml(file: Path) -> list[OpmlFeed]:
    try:
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise Failure(f"{file}: no such file") from exc
    except OSError as exc:
        raise Failure(f"{file}: cannot read it ({exc.strerror or exc})") from exc
    try:
        return read_opml(data)
    except OpmlError as exc:
        raise Failure(f"{file}: {exc}") from exc


def feeds_export_opml(
    out: Annotated[
        Path | None, typer.Option(help="Write to this file; standard output if omitted.")
    ] = None,
) -> None:
    """Write the followed feeds as an OPML 2.0 list, for a feed reader or a backup.

    Example: lamplight feeds export-opml --out lamplight.opml
    """
    with opened_store() as store, store.transaction() as session:
        feeds = [
            OpmlFeed(s.name, s.feed_url, s.site if s.site != s.feed_url else None)
            for s in list_feeds(session)
            if s.feed_url
        ]
    document = write_opml(feeds)
    if out is None:
        sys.stdout.write(document)
        return
    try:
        out.write_text(document, encoding="utf-8")
    except OSError as exc:
        raise Failure(f"{out}: cannot write it ({exc.strerror or exc})") from exc
    typer.echo(f"wrote {len(feeds)} feeds to {out}")
