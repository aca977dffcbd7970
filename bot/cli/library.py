"""`lamplight import / fixtext / export / search / digest`: the library from the terminal."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from bot.cli import repair
from bot.cli.common import Failure, err, load_settings, model_build_shown, opened_store
from bot.library.bibtex import to_bibtex
from bot.library.importer import decode_notes, import_paths
from bot.library.items import ItemKind
from bot.library.repair.text import repair_text
from bot.resources import bundled_path
from bot.store.adding import ImportReport
from bot.store.library import citations, export_items
from bot.store.search import search


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
    with (
        opened_store(settings) as store,
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
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        _print_import(report, retire=retire)


def _print_import(report: ImportReport, *, retire: bool) -> None:
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
            data = file.read_bytes()
        except FileNotFoundError as exc:
            raise Failure(f"{file}: no such file") from exc
        except OSError as exc:
            raise Failure(f"{file}: cannot read it ({exc.strerror})") from exc
        # Read as notes files are imported (UTF-8, GB18030, UTF-16 with its mark).
        text = decode_notes(data, name=str(file)) if data.strip() else ""
    vocabulary = None
    if library:
        with opened_store() as store:
            vocabulary = repair.library_vocabulary(store)
    repaired = repair_text(text, vocabulary=vocabulary)
    if explain:
        sys.stdout.write("".join(f"{line}\n" for line in repair.explain(repaired)))
    else:
        sys.stdout.write(repaired.text)


class ExportFormat(enum.StrEnum):
    JSON = "json"
    BIBTEX = "bibtex"


def export(
    kind: Annotated[ItemKind | None, typer.Option(help="Only items of this kind.")] = None,
    format_: Annotated[
        ExportFormat, typer.Option("--format", help="json: every item; bibtex: the papers.")
    ] = ExportFormat.JSON,
) -> None:
    """Print every item as a JSON array, or the papers as BibTeX.

    Example: lamplight export --format bibtex > papers.bib
    """
    settings = load_settings()
    if format_ is ExportFormat.BIBTEX:
        if kind not in (None, ItemKind.PAPER):
            raise Failure("BibTeX holds papers only: leave out --kind, or use --kind paper")
        with opened_store(settings) as store, store.transaction() as session:
            papers = citations(session)
        typer.echo(to_bibtex(papers), nl=False)
        return
    with opened_store(settings) as store, store.transaction() as session:
        items = export_items(session, owner_chat_id=settings.owner_chat_id, kind=kind)
    typer.echo(json.dumps(items, ensure_ascii=False, indent=2))


def search_library(
    query: Annotated[str, typer.Argument(help="Words to look for, in Chinese or English.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many results.")] = 10,
) -> None:
    """Search the library; the best matches first (title words weigh more), each with its id
    (#42) for `lamplight forget`. Forgotten items are not found.

    Example: lamplight search 知识蒸馏
    """
    with opened_store() as store, store.transaction() as session:
        page = search(session, query, limit=limit)
        found = [
            {
                "id": i.id,
                "kind": i.kind.value,
                "title": i.title,
                "author": i.author,
                "year": i.year,
                "url": i.url,
            }
            for i in page.items
        ]
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
        title = f"{item['title']}{f' — {byline}' if byline else ''}"
        typer.echo(f"{number}. [{item['kind']}] {title}  #{item['id']}")
        if item["url"]:
            typer.echo(f"   {item['url']}")
    if page.total > len(found) or page.capped:
        typer.echo(f"showing {len(found)} of {page.total_text()}; --limit shows more")


def digest(
    chat: Annotated[int, typer.Option(help="The chat (a Telegram user id) to compose for.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print it; store and send nothing.")
    ] = False,
    theme: Annotated[
        str,
        typer.Option(
            "--theme", help="Only items matching these words (as /search ranks first) or section."
        ),
    ] = "",
) -> None:
    """Compose a digest for a chat and print it as plain text, without Telegram.

    Example: lamplight digest --chat 123456789 --dry-run --theme diffusion
    """
    if not dry_run:
        raise Failure("only --dry-run is supported here; `lamplight run` sends digests")
    from bot.digests.preview import preview_digest  # composing loads only for this command

    settings = load_settings()
    with opened_store(settings) as store, store.transaction() as session:
        text = preview_digest(session, chat, settings, dt.datetime.now(dt.UTC), theme)
    typer.echo(text, nl=False)
