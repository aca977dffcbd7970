"""Who may use the bot: checked once, before every other handler. Admins always; others while
the access list (bot/store/access.py) allows them. A stranger has no chat row, so refusals use
the language their Telegram app reports."""

from __future__ import annotations

import gettext

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.config import Settings
from bot.digests.callbacks import FORGET_PRESS
from bot.i18n import ENGLISH, N_, language_for, translator
from bot.store import access
from bot.store.db import Store

GROUP_REPLY = N_(
    "Hello! lamplight sends reading digests in private chats only. "
    "Open a private chat with me to subscribe."
)
# Anyone may ask to be forgotten, allowed or not: a denied friend's data is still theirs.
OPEN_TO_ALL = "/forgetme"


def refusal(user_id: int, tr: gettext.NullTranslations = ENGLISH) -> str:
    return tr.gettext(
        "Sorry, this is a private reading bot and you are not on its list. "
        "If you know its owner, send them your id: {user_id}"
    ).format(user_id=user_id)


def open_to_all(update: Update) -> bool:
    """/forgetme and its buttons, which every user may send."""
    if update.callback_query is not None:
        return (update.callback_query.data or "").startswith(FORGET_PRESS)
    text = update.message.text if update.message else None
    command = (text or "").split(maxsplit=1)[0] if text else ""
    return command.split("@", 1)[0].lower() == OPEN_TO_ALL


class AccessGate:
    """Stops updates from strangers, denied users and groups; allowed users and admins pass."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.admins = frozenset(settings.admin_user_ids)
        self.store = store

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
        if user.id in self.admins or open_to_all(update) or self._allowed(user.id):
            return
        if update.callback_query:
            await update.callback_query.answer(refusal(user.id, tr), show_alert=True)
        elif update.effective_message:
            await update.effective_message.reply_text(refusal(user.id, tr))
        raise ApplicationHandlerStop

    def _allowed(self, user_id: int) -> bool:
        with self.store.transaction() as session:
            return access.may_use(session, user_id)
