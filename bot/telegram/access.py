"""Who may use the bot: checked once, before every other handler."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.config import Settings

GROUP_REPLY = (
    "Hello! lamplight sends reading digests in private chats only. "
    "Open a private chat with me to subscribe."
)


def refusal(user_id: int) -> str:
    return (
        "Sorry, this is a private reading bot and you are not on its list. "
        f"If you know its owner, send them your id: {user_id}"
    )


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
        if chat.type != ChatType.PRIVATE:
            if update.message and update.message.text and update.message.text.startswith("/"):
                await update.message.reply_text(GROUP_REPLY)
            raise ApplicationHandlerStop
        if user.id not in self.allowed:
            if update.callback_query:
                await update.callback_query.answer(refusal(user.id), show_alert=True)
            elif update.effective_message:
                await update.effective_message.reply_text(refusal(user.id))
            raise ApplicationHandlerStop
