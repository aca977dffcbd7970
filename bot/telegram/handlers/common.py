"""What every handler needs: the services, the chat's translator, the texts many replies share,
the bot's sender of digests, and edits that may change nothing.

Every text goes through the chat's translator (bot.i18n): the language the chat chose, or its
Telegram app's before /start."""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session
from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.digests.departure import Departure, Send, SendResult
from bot.digests.opening import SearchEngines
from bot.i18n import N_, language_for, translator
from bot.store.db import Store
from bot.store.models import Chat
from bot.telegram.sending import send_html

Context = ContextTypes.DEFAULT_TYPE

SUBSCRIBE = N_("Send /start to subscribe.")
SAVED = N_("Saved.")


@dataclass
class Services:
    """What handlers work with, built once by the composition root."""

    settings: Settings
    store: Store
    clock: Callable[[], dt.datetime]


class Handlers:
    """A group of handlers, one method per command or kind of update, on the same services."""

    def __init__(self, services: Services) -> None:
        self.s = services

    @property
    def engines(self) -> SearchEngines:
        """Where titles without a link are looked up (the install's settings)."""
        return self.s.settings.search_engines


def chat_language(session: Session, update: Update) -> str:
    """The chat's chosen language; before /start, the one its Telegram app reports."""
    chat = session.get(Chat, update.effective_chat.id) if update.effective_chat else None
    if chat is not None and chat.joined_at is not None:
        return chat.language
    return telegram_language(update)


def telegram_language(update: Update) -> str:
    """The language the user's Telegram app reports, as one the bot speaks."""
    user = update.effective_user
    return language_for(user.language_code if user else None)


def translator_for(store: Store, update: Update) -> gettext.NullTranslations:
    """The translations for the chat `update` comes from."""
    with store.transaction() as session:
        return translator(chat_language(session, update))


def bot_sender(app: Application) -> Send:
    """The application's bot as the sender delivery works with (bot.digests.departure)."""

    async def send(
        chat_id: int,
        body: str,
        buttons: Sequence[Sequence[Sequence[str]]],
        *,
        departure: Departure | None = None,
    ) -> SendResult:
        return await send_html(app.bot, chat_id, body, buttons, departure=departure)

    return send


@contextlib.contextmanager
def unless_unchanged() -> Iterator[None]:
    """An edit inside may change nothing (a button pressed twice): Telegram refuses it, and
    that is no failure."""
    try:
        yield
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise
