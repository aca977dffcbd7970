"""Who may use the bot: checked once, before every other handler. A stranger has no chat row,
so refusals use the language their Telegram app reports."""

from __future__ import annotations

import gettext

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.config import Settings
from bot.i18n import ENGLISH, N_, language_for, translator

GROUP_REPLY = N_(
    "Hello! lamplight sends reading digests in private chats only. "
    "Open a private chat with me to subscribe."
)


def refusal(user_id: int, tr: gettext.NullTranslations = ENGLISH) -> str:
    return tr.gettext(
        "Sorry, this is a private reading bot and you are not on its list. "
        "If you know its owner, send them your id: {user_id}"
    ).format(user_id=user_id)


class AccessGate:
    """Stops updates from strangers and from groups; allowed users and admins pass."""

    def __init__(self, settings: Settings) -> None:
        self.allowed = frozenset(settings.allowed_user_ids) | frozenset(settings.admin_user_ids)
        self.admins = frozenset(settings.admin_user_ids)

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Refuse politely and stop, or let the update through."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            raise ApplicationHandlerStop
        tr = translator(language_for(user.language_code))
        if chat.type != ChatType.PRIVATE:
            if update.message and update.message.text and update.message.text.startswith("/"):
                await update.message.reply_text(tr.gettext(GROUP_REPLY))
            raise ApplicationHandlerStop
        if user.id not in self.allowed:
            if update.callback_query:
                await update.callback_query.answer(refusal(user.id, tr), show_alert=True)
            elif update.effective_message:
                await update.effective_message.reply_text(refusal(user.id, tr))
            raise ApplicationHandlerStop
