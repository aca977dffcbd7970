"""The `lamplight` command: bot/cli's commands, plus `run` and `demo`, which start the bot
with its scheduled jobs (and so live here: jobs import bot, never the reverse)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import typer

from bot.cli.app import app, run_command
from bot.cli.common import Failure, load_settings
from bot.logs import configure_logging


@app.command()
def run() -> None:
    """Run the bot: long polling, or a webhook when WEBHOOK_URL is set.

    Example: TELEGRAM_BOT_TOKEN=123:abc lamplight run
    """
    settings = load_settings()
    if settings.telegram_bot_token is None:
        raise Failure("TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather")
    secrets = [settings.telegram_bot_token.get_secret_value()]
    if settings.webhook_secret:
        secrets.append(settings.webhook_secret.get_secret_value())
    configure_logging(settings.log_level, *secrets, fmt=settings.log_format)
    from bot.store.sender_lease import StoreInUse
    from bot.telegram.startup import TelegramRefused
    from jobs.process import run_bot

    try:
        run_bot(settings)
    except (TelegramRefused, StoreInUse) as exc:
        raise Failure(str(exc)) from None


@app.command()
def demo() -> None:
    """Try the real bot in this terminal, no Telegram account needed.

    Example: lamplight demo   (then type /start, /digest, read 1)
    """
    from bot.devtools.demo import run_demo
    from jobs.process import build_bot

    configure_logging("WARNING")
    run_demo(_terminal_lines(), typer.echo, build_bot=build_bot)


def _terminal_lines() -> Iterator[str]:
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = input("you> ") if interactive else sys.stdin.readline()
        except EOFError:
            return
        if not interactive and not line:
            return
        yield line


def main(argv: list[str] | None = None) -> None:
    run_command(argv)
