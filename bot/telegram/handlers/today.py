"""/today: the chat's daily digest of today again, as it was stored (nothing composed anew)."""

from __future__ import annotations

from telegram import Update

from bot.digests.departure import Outcome
from bot.digests.schedule import local_date
from bot.i18n import language_for, translator
from bot.store.digests import daily_parts
from bot.store.models import Chat
from bot.telegram.handlers.common import SUBSCRIBE, Context, Handlers
from bot.telegram.sending import send_html


class TodayHandlers(Handlers):
    """The one command that re-sends stored messages rather than the outbox's."""

    async def today(self, update: Update, context: Context) -> None:
        """Send today's daily digest again, every part, from the store."""
        user, chat, message = update.effective_user, update.effective_chat, update.effective_message
        assert user and chat and message
        with self.s.store.transaction() as session:
            row = session.get(Chat, chat.id)
            tr = translator(row.language if row else language_for(user.language_code))
            if row is None or not row.subscribed:
                parts, at = [], None
            else:
                parts = daily_parts(session, chat.id, local_date(self.s.clock(), row.timezone))
                at = row.digest_time
        if at is None:
            await message.reply_text(tr.gettext(SUBSCRIBE))
        elif not parts:
            await message.reply_text(
                tr.gettext(
                    "Today's digest is not made yet: it comes at {time}, your time. "
                    "/digest sends one now."
                ).format(time=f"{at:%H:%M}")
            )
        for body, buttons in parts:
            sent = await send_html(context.bot, chat.id, body, buttons)
            if sent.outcome is not Outcome.SENT:
                await message.reply_text(
                    tr.gettext("Sorry, something went wrong. Try again later.")
                )
                return
