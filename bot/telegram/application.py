"""The python-telegram-bot Application: built, its handlers registered, in one place."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.telegram.access import AccessGate
from bot.telegram.handlers import Handlers, Services
from bot.telegram.ratelimit import LamplightRateLimiter
from bot.telegram.sending import SendResult, send_html
from jobs.digests import Send
from jobs.scheduler import build_scheduler

log = logging.getLogger(__name__)

COMMANDS = [
    ("digest", "a digest now"),
    ("settings", "your settings"),
    ("time", "when the daily digest comes, e.g. /time 07:30"),
    ("tz", "your time zone, e.g. /tz Asia/Shanghai"),
    ("size", "items per digest, e.g. /size 5"),
    ("pause", "hold daily digests"),
    ("resume", "restart daily digests"),
    ("search", "find anything in the library, e.g. /search 蒸馏"),
    ("mute", "keep items with a word out, e.g. /mute crypto"),
    ("mutes", "your muted words"),
    ("feeds", "the newsletters followed"),
    ("help", "what I understand"),
    ("stop", "unsubscribe"),
]


def build_application(services: Services, *, schedule: bool = True) -> Application:  # type: ignore[type-arg]
    """The bot, ready for run_polling/run_webhook or a test's own start(). Without `schedule`
    nothing sweeps on its own: tests run the sweep at the instants they choose."""
    settings = services.settings
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .rate_limiter(LamplightRateLimiter())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    register_handlers(app, Handlers(services), AccessGate(settings))
    if schedule:
        app.bot_data["scheduler"] = build_scheduler(
            store=services.store, send=bot_sender(app), clock=services.clock, settings=settings
        )
    return app


def register_handlers(app: Application, h: Handlers, gate: AccessGate) -> None:  # type: ignore[type-arg]
    app.add_handler(TypeHandler(Update, gate), group=-1)
    commands = {
        "start": h.start, "stop": h.stop, "help": h.help, "digest": h.digest,
        "time": h.time, "tz": h.tz, "size": h.size, "pause": h.pause, "resume": h.resume,
        "settings": h.settings, "search": h.search,
        "mute": h.mute, "unmute": h.unmute, "mutes": h.mutes, "feeds": h.feeds,
    }  # fmt: skip
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback))
    app.add_handler(CallbackQueryHandler(h.answer_button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, h.answer_text))
    app.add_handler(MessageHandler(filters.Document.ALL, h.import_document))
    app.add_error_handler(on_error)


def bot_sender(app: Application) -> Send:  # type: ignore[type-arg]
    async def send(
        chat_id: int, body: str, buttons: Sequence[Sequence[Sequence[str]]]
    ) -> SendResult:
        return await send_html(app.bot, chat_id, body, buttons)

    return send


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    try:
        await app.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    except TelegramError as exc:  # the bot works without its menu
        log.warning("could not register the command list: %s", exc.message)
    if "scheduler" in app.bot_data:
        app.bot_data["scheduler"].start()


async def _post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    scheduler = app.bot_data.get("scheduler")
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure; the user gets a short apology, never a traceback."""
    log.error("handler failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        with contextlib.suppress(TelegramError):
            await update.effective_message.reply_text(
                "Sorry, something went wrong. Try again later."
            )
