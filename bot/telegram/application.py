"""The python-telegram-bot Application: built, its handlers registered, in one place."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

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

from bot.digests.callbacks import ANSWER_CODES, FORGET_PRESS, PREFIX, RESTORE_CODE
from bot.digests.curation import CURATION
from bot.digests.departure import Send
from bot.health import Heartbeat
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, translator
from bot.store import access
from bot.telegram.access import AccessGate
from bot.telegram.handlers.buttons import UnreadableButtons
from bot.telegram.handlers.cadence import CadenceHandlers
from bot.telegram.handlers.capture import Capturable, CaptureHandlers
from bot.telegram.handlers.common import (
    Services,
    bot_sender,
    telegram_language,
    translator_for,
)
from bot.telegram.handlers.curation import CurationHandlers
from bot.telegram.handlers.digest import DigestHandlers
from bot.telegram.handlers.document import DocumentHandlers
from bot.telegram.handlers.feeds import FeedsHandlers
from bot.telegram.handlers.friends import FriendsHandlers
from bot.telegram.handlers.mutes import MuteHandlers
from bot.telegram.handlers.operator import OperatorHandlers
from bot.telegram.handlers.search import SearchHandlers
from bot.telegram.handlers.settings import SettingsHandlers
from bot.telegram.handlers.sources import SourcesHandlers
from bot.telegram.handlers.subscription import SubscriptionHandlers
from bot.telegram.handlers.today import TodayHandlers
from bot.telegram.heartbeat import keep_heartbeat, polling_request
from bot.telegram.ratelimit import LamplightRateLimiter
from bot.telegram.request import TelegramRequest

log = logging.getLogger(__name__)

# The command menu; descriptions are msgids, registered once per language.
COMMANDS = [
    ("digest", N_("a digest now")),
    ("today", N_("today's daily digest again")),
    ("settings", N_("your settings")),
    ("stats", N_("your reading, week by week")),
    ("time", N_("when the daily digest comes, e.g. /time 07:30")),
    ("tz", N_("your time zone, e.g. /tz Asia/Shanghai")),
    ("size", N_("items per digest, e.g. /size 5")),
    ("pause", N_("hold daily digests, e.g. /pause 7d")),
    ("resume", N_("restart daily digests")),
    ("days", N_("weekdays of the daily digest, e.g. /days mon-fri")),
    ("search", N_("find anything in the library, e.g. /search 蒸馏")),
    ("add", N_("add a link, a paper or a quote to the library (the owner)")),
    ("mute", N_("keep items with a word out, e.g. /mute crypto")),
    ("mutes", N_("your muted words")),
    ("sources", N_("more, less or none of each notes file and newsletter")),
    ("feeds", N_("the newsletters followed")),
    ("lang", N_("English or 中文")),
    ("help", N_("what I understand")),
    ("stop", N_("unsubscribe")),
    ("forgetme", N_("delete everything I keep about you")),
]
# /allow, /deny, /users and /status are for admins: in /help for them, not in everyone's menu.

HandlerCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]

# Which handler takes a button press, by the shape of its data (bot/digests/callbacks.py:
# "l1:c:<change>", "l1:p:<search>:<page>", "l1:h:<item>", "l1:r|s|l:<digest>:<item>" in base
# 36, "l1:v:<source>:<level>", "l1:v:<page>", "l1:x:<chat>:y|n", "l1:u|w:<capture>"). Each
# handler decodes the data in full; what matches no shape is another version's or garbled.
SETTING_PRESS = rf"^{PREFIX}:c:"
SOURCE_LEVEL_PRESS = rf"^{PREFIX}:v:[0-9a-z]+:"
SOURCES_PAGE_PRESS = rf"^{PREFIX}:v:[0-9a-z]+$"
UNDO_PRESS = rf"^{PREFIX}:u:"
FOLLOW_PRESS = rf"^{PREFIX}:w:"
PAGE_PRESS = rf"^{PREFIX}:p:"
RESTORE_PRESS = rf"^{PREFIX}:{RESTORE_CODE}:"  # Undo under a "forget" confirmation
_ANSWER = f"[{''.join(ANSWER_CODES.values())}]"
SEARCH_ANSWER_PRESS = rf"^{PREFIX}:{_ANSWER}:0:"  # digest id 0: under search results
DIGEST_ANSWER_PRESS = rf"^{PREFIX}:{_ANSWER}:[1-9a-z]"
FORGET_ROUTE = rf"^{FORGET_PRESS}[0-9a-z]+:[yn](:[0-9a-z]+)?$"


class Jobs(Protocol):
    """What runs on its own beside the bot (jobs/scheduler.py): started paused with the
    application, resumed once updates flow, stopped before the bot's connection closes."""

    @property
    def running(self) -> bool: ...

    def start(self, paused: bool = False) -> None: ...

    def resume(self) -> None: ...

    async def stop(self) -> None: ...


def build_application(
    services: Services,
    *,
    jobs: Callable[[Send], Jobs] | None = None,
    heartbeat: Heartbeat | None = None,
    pace: LamplightRateLimiter | None = None,
) -> Application:
    """The bot, ready for run_polling/run_webhook or a test's own start(). `jobs` builds what
    runs on its own, given the bot's sender; without it nothing sweeps on its own: tests run
    the sweep at the instants they choose. With a `heartbeat`, polls and updates keep it fresh
    for `lamplight health`. `pace` replaces Telegram's limits (a test's shortened second)."""
    settings = services.settings
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .rate_limiter(pace or LamplightRateLimiter())
        .request(TelegramRequest())
        .get_updates_request(polling_request(heartbeat))
        .post_init(_post_init)
        .application_class(LamplightApplication)
        .build()
    )
    friends = [i for i in settings.allowed_user_ids if i not in settings.admin_user_ids]
    with services.store.transaction() as session:  # ALLOWED_USER_IDS: ids never seen before
        access.seed_allowed(session, friends, services.clock())
        access.keep_joined(session, settings.admin_user_ids)
    register_handlers(app, services, AccessGate(settings, services.store))
    if jobs is not None:
        app.bot_data["scheduler"] = jobs(bot_sender(app))
    if heartbeat is not None:
        keep_heartbeat(app, heartbeat, webhook=bool(settings.webhook_url))
    return app


def register_handlers(app: Application, services: Services, gate: AccessGate) -> None:
    """Every handler: the access gate before all (a group of its own), one per command, one
    per kind of button press, then texts, documents, and the error handler."""
    app.add_handler(TypeHandler(Update, gate), group=-1)
    for name, command in _commands(services).items():
        app.add_handler(CommandHandler(name, command))
    for pattern, press in _presses(services).items():
        app.add_handler(CallbackQueryHandler(press, pattern=pattern))
    # Any other press: a stale or garbled button, answered as such.
    app.add_handler(CallbackQueryHandler(UnreadableButtons(services).answer))
    digest, document = DigestHandlers(services), DocumentHandlers(services)
    # `forget 2`, `fix 2 Title` first: every other text may be an answer (`read 2`).
    curate = filters.TEXT & ~filters.COMMAND & filters.Regex(CURATION)
    app.add_handler(MessageHandler(curate, CurationHandlers(services).curate))
    # A capture waits on the web (and arXiv): it runs beside other updates, not before them.
    capture = CaptureHandlers(services)
    app.add_handler(CommandHandler("add", capture.add, block=False))
    capturable = (filters.TEXT | filters.CAPTION) & ~filters.COMMAND & ~filters.Document.ALL
    app.add_handler(MessageHandler(capturable & Capturable(), capture.capture_message, block=False))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, digest.answer_text))
    app.add_handler(MessageHandler(filters.Document.ALL, document.import_document))
    app.add_error_handler(error_handler(services))


def _commands(services: Services) -> dict[str, HandlerCallback]:
    subscription, settings = SubscriptionHandlers(services), SettingsHandlers(services)
    mutes, operator = MuteHandlers(services), OperatorHandlers(services)
    cadence, friends = CadenceHandlers(services), FriendsHandlers(services)
    return {
        "start": subscription.start,
        "stop": subscription.stop,
        "help": subscription.help,
        "digest": DigestHandlers(services).digest,
        "time": settings.time,
        "tz": settings.tz,
        "size": settings.size,
        "pause": cadence.pause,
        "resume": cadence.resume,
        "days": cadence.days,
        "settings": settings.settings,
        "search": SearchHandlers(services).search,
        "mute": mutes.mute,
        "unmute": mutes.unmute,
        "mutes": mutes.mutes,
        "feeds": FeedsHandlers(services).feeds,
        "sources": SourcesHandlers(services).sources,
        "lang": settings.lang,
        "status": operator.status,
        "stats": operator.stats,
        "today": TodayHandlers(services).today,
        "allow": friends.allow,
        "deny": friends.deny,
        "users": friends.users,
        "forgetme": friends.forgetme,
    }


def _presses(services: Services) -> dict[str, HandlerCallback]:
    search, sources = SearchHandlers(services), SourcesHandlers(services)
    capture = CaptureHandlers(services)
    return {
        SETTING_PRESS: SettingsHandlers(services).change,
        SOURCE_LEVEL_PRESS: sources.set_level,
        SOURCES_PAGE_PRESS: sources.turn_page,
        UNDO_PRESS: capture.undo,
        FOLLOW_PRESS: capture.follow,
        PAGE_PRESS: search.turn_page,
        RESTORE_PRESS: CurationHandlers(services).restore,
        SEARCH_ANSWER_PRESS: search.answer,
        DIGEST_ANSWER_PRESS: DigestHandlers(services).answer,
        FORGET_ROUTE: FriendsHandlers(services).forget_press,
    }


def command_menu(language: str) -> list[BotCommand]:
    _ = translator(language).gettext
    return [BotCommand(name, _(text)) for name, text in COMMANDS]


async def _post_init(app: Application) -> None:
    # The default menu is English; Telegram shows the "zh" one to apps set to Chinese.
    for language in LANGUAGES:
        code = None if language == DEFAULT_LANGUAGE else language
        try:
            await app.bot.set_my_commands(command_menu(language), language_code=code)
        except TelegramError as exc:  # the bot works without its menu
            log.warning("could not register the command list (%s): %s", language, exc.message)
    if "scheduler" in app.bot_data:  # run_polling/run_webhook only; it sweeps once started
        app.bot_data["scheduler"].start(paused=True)


class LamplightApplication(Application):
    """PTB's Application; the digest sweep runs while it does. It starts once polling (or the
    webhook) is up, so a stop signal never lands in PTB's start-up, and on SIGTERM a run under
    way finishes its calls in flight and records them before the bot's connection closes."""

    async def start(self) -> None:
        await super().start()
        scheduler = self.bot_data.get("scheduler")
        if scheduler is not None and scheduler.running:
            scheduler.resume()

    async def stop(self) -> None:
        scheduler = self.bot_data.get("scheduler")
        if scheduler is not None:
            await scheduler.stop()
        await super().stop()


def error_handler(
    services: Services,
) -> Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """The one error handler: it logs, and answers in the chat's language."""

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure; the user gets a short apology, never a traceback."""
        log.error("handler failed", exc_info=context.error)
        if isinstance(update, Update) and update.effective_message:
            try:
                tr = translator_for(services.store, update)
            except Exception:  # the store may be what failed: fall back to Telegram's language
                tr = translator(telegram_language(update))
            with contextlib.suppress(TelegramError):
                await update.effective_message.reply_text(
                    tr.gettext("Sorry, something went wrong. Try again later.")
                )

    return on_error
