"""`lamplight enrich`: fill the library's papers from arXiv now, with a progress bar."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress

from bot.cli.common import err, load_settings, opened_store

if TYPE_CHECKING:  # the HTTP client and the Atom reader load only when this command runs
    from bot.enrich.run import EnrichReport

SHOWN_TITLES = 5


def enrich(
    limit: Annotated[
        int | None, typer.Option(min=1, help="Ask for at most this many items this time.")
    ] = None,
) -> None:
    """Fill papers from arXiv: abstract, authors and year, by arXiv id or by English title.

    Your own words are never changed: what arXiv says is kept apart and shown where yours is
    missing. Requests keep arXiv's pace (one every 3 s) with the running bot's, and what was
    asked is not asked again for a long while.

    Example: lamplight enrich --limit 200
    """
    settings = load_settings()
    if not settings.enrich:
        typer.echo("enrichment is off (ENRICH=off): nothing was asked")
        return
    from bot.enrich.run import enrich_library

    with opened_store(settings) as store, Progress(console=err, transient=True) as progress:
        task = progress.add_task("asking arXiv", total=None)

        def advance(done: int, planned: int) -> None:
            progress.update(task, completed=done, total=planned)

        report = asyncio.run(enrich_library(store, settings, limit=limit, progress=advance))
    for line in summary(report):
        typer.echo(line)


def summary(report: EnrichReport) -> list[str]:
    """What a run filled, in a few lines: counts, then some of the titles."""
    if not report.planned and not report.waiting_until:
        lines = ["nothing to ask arXiv: every paper is filled or was asked lately"]
    else:
        found = len(report.found)
        lines = [
            f"asked arXiv {report.requests} time(s): filled {found} item(s) "
            f"({report.count('id')} by arXiv id, {report.count('title')} by title), "
            f"{report.not_found} not found"
        ]
        lines += [f"  {title}" for title, _ in report.found[:SHOWN_TITLES]]
        if found > SHOWN_TITLES:
            lines.append(f"  … and {found - SHOWN_TITLES} more")
    if report.skipped_chinese:
        lines.append(f"{report.skipped_chinese} paper(s) with a Chinese title: never sent")
    if report.skipped_short:
        lines.append(f"{report.skipped_short} paper(s) with too short a title to look up")
    if report.waiting_until is not None:
        when = report.waiting_until.isoformat(sep=" ", timespec="seconds")
        reason = f" after: {report.error}" if report.error else ""
        lines.append(f"arXiv is not asked before {when}{reason}; try again then")
    elif report.error:
        lines.append(f"stopped: {report.error}; backing off")
    return lines
