"""The `lamplight` command: thin commands over the library; errors are one clear line."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bot.bootstrap import build_store
from bot.cli.common import Failure, err, load_settings, model_build_shown
from bot.cli.repair import explain as explain_repair
from bot.cli.repair import library_vocabulary, repair
from bot.config import Settings
from bot.digests.stats import DEFAULT_WEEKS, MAX_WEEKS
from bot.feeds.opml import OpmlError, OpmlFeed, read_opml, write_opml
from bot.health import DEFAULT_MAX_AGE, check_health
from bot.library.importer import ImportFileError, import_paths
from bot.library.items import ItemKind
from bot.library.repair.text import repair_text
from bot.resources import bundled_path
from bot.store import feeds as feed_store
from bot.store import reports
from bot.store.db import Store, StoreError, upgrade
from bot.store.library import export_items, list_feeds
from bot.store.search import search as search_library

if TYPE_CHECKING:
    from bot.feeds.pull import PullReport

# The Telegram stack and the feed client load only for the commands that use them: every
# command pays for what it imports at start-up.

app = typer.Typer(
    help="lamplight: a daily AI reading digest from your own notes, over Telegram.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The store's schema.", no_args_is_help=True)
feeds_app = typer.Typer(help="Newsletter feeds.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(feeds_app, name="feeds")


@app.command("import")
def import_(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Notes files or folders of them.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON summary.")] = False,
    examples: Annotated[
        bool, typer.Option("--examples", help="Also import the sample notes lamplight ships.")
    ] = False,
    retire: Annotated[
        bool,
        typer.Option(
            "--retire", help="Keep items a re-imported file no longer holds out of digests."
        ),
    ] = False,
) -> None:
    """Import notes files (quotes, paper lists, reading notes) into the library. A file
    imported again updates the items it holds and reports those it no longer holds.

    Example: lamplight import notes/ reading-2023.md
    """
    paths = [*(paths or []), *([bundled_path("examples")] if examples else [])]
    if not paths:
        raise Failure("nothing to import: name notes files or folders, or pass --examples")
    settings = load_settings()
    store = build_store(settings)
    with (
        Progress(console=err, transient=True, disable=as_json) as progress,
        model_build_shown(progress),
    ):
        task = progress.add_task("reading notes", total=None)
        report = import_paths(
            store,
            paths,
            settings=settings,
            now=dt.datetime.now(dt.UTC),
            progress=lambda path: progress.update(task, advance=1, description=path.name),
            retire=retire,
        )
    store.dispose()
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    added = ", ".join(f"{n} {kind.value}s" for kind, n in report.added.items() if n) or "nothing"
    typer.echo(f"added {added}")
    typer.echo(
        f"{report.duplicates} already known, {report.updated} updated, "
        f"{report.marked_read} marked read, {report.feeds} newsletters added"
    )
    if report.gone:
        fate = "retired" if retire else "kept (--retire keeps them out of digests)"
        typer.echo(f"{len(report.gone)} no longer in their file, {fate}:")
        for gone in report.gone:
            typer.echo(f"  #{gone.id} {gone.title}")


@app.command()
def fixtext(
    file: Annotated[
        Path | None, typer.Argument(help="A text file; standard input if omitted.")
    ] = None,
    library: Annotated[
        bool, typer.Option("--library", help="Also learn names and terms from your library.")
    ] = False,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Show each guessed character, its runner-up and margin."),
    ] = False,
) -> None:
    """Print FILE with its mojibake repaired; text that is not mojibake passes unchanged.

    Example: lamplight fixtext garbled.txt > fixed.txt
    """
    if file is None:
        text = sys.stdin.read()
    else:
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise Failure(f"{file}: no such file") from exc
        except (UnicodeDecodeError, OSError) as exc:
            raise Failure(f"{file}: cannot read it as UTF-8 text") from exc
    vocabulary = None
    if library:
        store = build_store(load_settings())
        vocabulary = library_vocabulary(store)
        store.dispose()
    repaired = repair_text(text, vocabulary=vocabulary)
    if explain:
        sys.stdout.write("".join(f"{line}\n" for line in explain_repair(repaired)))
    else:
        sys.stdout.write(repaired.text)


app.command()(repair)


@app.command()
def export(
    kind: Annotated[ItemKind | None, typer.Option(help="Only items of this kind.")] = None,
) -> None:
    """Print every item as a JSON array: a backup you can keep.

    Example: lamplight export --kind paper > papers.json
    """
    settings = load_settings()
    store = build_store(settings)
    with store.transaction() as session:
        items = export_items(session, owner_chat_id=settings.owner_chat_id, kind=kind)
    store.dispose()
    typer.echo(json.dumps(items, ensure_ascii=False, indent=2))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to look for, in Chinese or English.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many results.")] = 10,
) -> None:
    """Search the library; the best matches first (title words weigh more).

    Example: lamplight search 知识蒸馏
    """
    store = build_store(load_settings())
    with store.transaction() as session:
        page = search_library(session, query, limit=limit)
        found = [
            {
                "kind": i.kind.value,
                "title": i.title,
                "author": i.author,
                "year": i.year,
                "url": i.url,
            }
            for i in page.items
        ]
    store.dispose()
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False))
    if not found:
        hint = f"nothing found for {query[:80]!r}; try a shorter query or fewer words"
        typer.echo(hint, err=as_json)  # with --json, standard output stays one JSON array
        return
    if as_json:
        return
    for number, item in enumerate(found, 1):
        byline = ", ".join(str(part) for part in (item["author"], item["year"]) if part)
        typer.echo(f"{number}. [{item['kind']}] {item['title']}{f' — {byline}' if byline else ''}")
        if item["url"]:
            typer.echo(f"   {item['url']}")
    if page.total > len(found):
        typer.echo(f"showing {len(found)} of {page.total}; --limit shows more")


@feeds_app.command("list")
def feeds_list() -> None:
    """List the newsletter feeds and their state."""
    store = build_store(load_settings())
    with store.transaction() as session:
        feeds = list_feeds(session)
    store.dispose()
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


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="The feed's URL (RSS or Atom).")],
    name: Annotated[str | None, typer.Option(help="A name to show; default: its host.")] = None,
) -> None:
    """Follow a newsletter feed.

    Example: lamplight feeds add https://jack-clark.net/feed/ --name "Import AI"
    """
    if not url.startswith(("http://", "https://")):
        raise Failure(f"{url}: a feed URL starts with http:// or https://")
    store = build_store(load_settings())
    with store.transaction() as session:
        added = feed_store.follow(session, url, name, dt.datetime.now(dt.UTC))
    store.dispose()
    typer.echo(f"following {url}" if added else f"{url} is followed already")


@feeds_app.command("remove")
def feeds_remove(
    feed: Annotated[str, typer.Argument(help="The feed's name or URL, as `feeds list` shows.")],
) -> None:
    """Stop following a feed; its posts stay in the library."""
    store = build_store(load_settings())
    with store.transaction() as session:
        removed = feed_store.unfollow(session, feed)
    store.dispose()
    if removed is None:
        raise Failure(f"no feed named {feed!r}; see `lamplight feeds list`")
    typer.echo(f"stopped following {removed}")


@feeds_app.command("pull")
def feeds_pull(
    due: Annotated[
        bool, typer.Option("--due", help="Only the feeds the schedule says are due now.")
    ] = False,
) -> None:
    """Fetch every active (not paused) feed now and add its new posts.

    Each request is conditional (ETag / Last-Modified), so an unchanged feed costs a 304.
    """
    settings = load_settings()
    store = build_store(settings)
    report = asyncio.run(_pull(store, settings, due_only=due))
    store.dispose()
    outcomes = ", ".join(f"{n} {o.value.replace('_', ' ')}" for o, n in report.outcomes.items())
    none = "none due" if due else "none followed"
    typer.echo(f"feeds: {outcomes or none}; new posts: {report.items.added.total()}")
    for url in report.paused:
        typer.echo(f"paused after repeated failures: {url}")


@feeds_app.command("import-opml")
def feeds_import_opml(
    file: Annotated[Path, typer.Argument(help="An OPML file, as feed readers export them.")],
) -> None:
    """Follow every feed in an OPML subscription list (nested folders too).

    Example: lamplight feeds import-opml subscriptions.opml
    """
    try:
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise Failure(f"{file}: no such file") from exc
    except OSError as exc:
        raise Failure(f"{file}: cannot read it ({exc.strerror or exc})") from exc
    try:
        found = read_opml(data)
    except OpmlError as exc:
        raise Failure(f"{file}: {exc}") from exc
    usable = [
        f
        for f in found
        if f.feed_url.startswith(("http://", "https://")) and len(f.feed_url) <= 1024
    ]
    if not usable:
        raise Failure(f"{file}: no feeds in it (no outline has an http(s) xmlUrl)")
    store = build_store(load_settings())
    now, added = dt.datetime.now(dt.UTC), 0
    with store.transaction() as session:
        for feed in usable:
            name = feed.name[:256] if feed.name else None
            added += feed_store.follow(session, feed.feed_url, name, now)
            session.flush()  # a list naming one feed twice follows it once
    store.dispose()
    skipped = len(found) - len(usable)
    typer.echo(
        f"added {added} feeds, {len(usable) - added} already followed"
        + (f", {skipped} skipped (not an http(s) URL)" if skipped else "")
    )


@feeds_app.command("export-opml")
def feeds_export_opml(
    out: Annotated[
        Path | None, typer.Option(help="Write to this file; standard output if omitted.")
    ] = None,
) -> None:
    """Write the followed feeds as an OPML 2.0 list, for a feed reader or a backup.

    Example: lamplight feeds export-opml --out lamplight.opml
    """
    store = build_store(load_settings())
    with store.transaction() as session:
        feeds = [
            OpmlFeed(s.name, s.feed_url, s.site if s.site != s.feed_url else None)
            for s in list_feeds(session)
            if s.feed_url
        ]
    store.dispose()
    document = write_opml(feeds)
    if out is None:
        sys.stdout.write(document)
        return
    try:
        out.write_text(document, encoding="utf-8")
    except OSError as exc:
        raise Failure(f"{out}: cannot write it ({exc.strerror or exc})") from exc
    typer.echo(f"wrote {len(feeds)} feeds to {out}")


async def _pull(store: Store, settings: Settings, *, due_only: bool) -> PullReport:
    from bot.feeds.pull import feed_client, pull_feeds

    async with feed_client() as client:
        return await pull_feeds(
            dt.datetime.now(dt.UTC), store=store, client=client, settings=settings,
            due_only=due_only,
        )  # fmt: skip


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the store's schema up to date (every command also does this itself)."""
    store = build_store(load_settings())
    upgrade(store.engine)
    store.dispose()
    typer.echo("store is up to date")


@app.command()
def health(
    max_age: Annotated[
        int, typer.Option(min=1, help="Seconds after which the bot's heartbeat is stale.")
    ] = int(DEFAULT_MAX_AGE.total_seconds()),
) -> None:
    """Exit 0 when the running bot polled lately and the store answers; else 1, saying why.

    Example: lamplight health --max-age 300   (the container's HEALTHCHECK runs this)
    """
    now = dt.datetime.now(dt.UTC)
    healthy, line = check_health(load_settings(), now, dt.timedelta(seconds=max_age))
    if not healthy:
        raise Failure(line)
    typer.echo(line)


@app.command()
def stats(
    chat: Annotated[int, typer.Option(help="The chat (a Telegram user id) to draw.")],
    out: Annotated[Path, typer.Option(help="The PNG file to write.")],
    weeks: Annotated[
        int, typer.Option(min=1, max=MAX_WEEKS, help="How many weeks to show.")
    ] = DEFAULT_WEEKS,
) -> None:
    """Draw a chat's reading as a PNG: read and skipped per week, by kind, and the streak.

    Example: lamplight stats --chat 123456789 --out stats.png
    """
    from zoneinfo import ZoneInfo

    from bot.digests.stats import caption, draw, reading_stats  # drawing loads matplotlib
    from bot.i18n import translator

    store = build_store(load_settings())
    with store.transaction() as session:
        zone = reports.chat_timezone(session, chat)
        answered = reports.answers(session, chat)
    store.dispose()
    if zone is None:
        raise Failure(f"no chat {chat} in the store; a chat's id is its user's Telegram id")
    now = dt.datetime.now(dt.UTC)
    summary = reading_stats(answered, now=now, zone=ZoneInfo(zone), weeks=weeks)
    try:
        out.write_bytes(draw(summary))
    except OSError as exc:
        raise Failure(f"{out}: cannot write it ({exc.strerror or exc})") from exc
    typer.echo(f"wrote {out}: {caption(summary, translator('en'))}")


@app.command()
def digest(
    chat: Annotated[int, typer.Option(help="The chat (a Telegram user id) to compose for.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print it; store and send nothing.")
    ] = False,
) -> None:
    """Compose a digest for a chat and print it as plain text, without Telegram.

    Example: lamplight digest --chat 123456789 --dry-run
    """
    if not dry_run:
        raise Failure("only --dry-run is supported here; `lamplight run` sends digests")
    from bot.digests.preview import preview_digest

    settings = load_settings()
    store = build_store(settings)
    with store.transaction() as session:
        text = preview_digest(session, chat, settings, dt.datetime.now(dt.UTC))
    store.dispose()
    typer.echo(text, nl=False)


def main(argv: list[str] | None = None) -> None:
    try:
        app(args=argv)
    except (Failure, ImportFileError, StoreError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
