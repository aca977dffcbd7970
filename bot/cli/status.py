"""`lamplight health` and `lamplight stats`: how the running bot and a chat's reading are doing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import Failure, load_settings, opened_store
from bot.digests.stats import DEFAULT_WEEKS, MAX_WEEKS
from bot.health import DEFAULT_MAX_AGE, check_health
from bot.store import reports


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

    with opened_store() as store, store.transaction() as session:
        zone = reports.chat_timezone(session, chat)
        answered = reports.answers(session, chat)
    if zone is None:
        raise Failure(f"no chat {chat} in the store; a chat's id is its user's Telegram id")
    now = dt.datetime.now(dt.UTC)
    summary = reading_stats(answered, now=now, zone=ZoneInfo(zone), weeks=weeks)
    try:
        out.write_bytes(draw(summary))
    except OSError as exc:
        raise Failure(f"{out}: cannot write it ({exc.strerror or exc})") from exc
    typer.echo(f"wrote {out}: {caption(summary, translator('en'))}")
