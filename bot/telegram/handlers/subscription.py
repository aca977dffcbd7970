"""/start, /stop, /pause, /resume and /help: joining, leaving and holding the daily digest."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, language_for, translator
from bot.store import chats
from bot.telegram.handlers.common import (
    SUBSCRIBE,
    Context,
    Handlers,
    chat_language,
    translator_for,
)
from bot.telegram.views.settings import settings_text

# i18n: Telegram HTML; keep the tags and the commands
HELP = N_("""\
<b>lamplight</b> sends you one reading digest a day.

/digest — a digest now (your daily one still comes)
/today — today's daily digest again
/time 07:30 — when the daily digest comes
/tz Asia/Shanghai — your time zone (also /tz +8)
/size 5 — items per digest (1–20)
/pause, /resume — hold or restart daily digests
/settings — your settings
/stats — your reading, week by week
/search words — find anything in the library
/add a quote, a link or a paper — into the library (the owner; a link or an arXiv id \
sent or forwarded alone is added too)
/mute word, /unmute word, /mutes — keep items with a word out
/lang — English or 中文
/stop — unsubscribe

Answer each item with its buttons: ✅ read; ⏭ later (not now: it rests two weeks, nothing \
held against it); 👎 less (it rests too, and fewer items like it come). Or reply \
<code>read 1 3</code>, <code>skip 2</code>, <code>less 4</code>, <code>r1 s2 l4</code>.""")


class SubscriptionHandlers(Handlers):
    """Subscribing, unsubscribing, pausing, resuming, and the list of commands."""

    async def start(self, update: Update, context: Context) -> None:
        """Subscribe, with the default settings and the user's language."""
        user, message = update.effective_user, update.effective_message
        assert user and message
        with self.s.store.transaction() as session:
            chat = chats.subscribe(
                session, user.id, self._defaults(user.language_code), self.s.clock()
            )
            if self.s.settings.admin_user_ids[:1] == (user.id,):
                chats.merge_local_owner(session, user.id)
            tr = translator(chat.language)
            summary = settings_text(chat, tr)
        _ = tr.gettext
        # Not inside the f-string: Babel cannot see calls there (before Python 3.12).
        welcome = _("Welcome! You are subscribed.")
        await message.reply_html(f"{welcome}\n\n{summary}\n\n{_(HELP)}")

    async def stop(self, update: Update, context: Context) -> None:
        """Unsubscribe; reading history stays for a later /start."""
        await self._update_chat(
            update, N_("You are unsubscribed. /start brings you back."), subscribed=False
        )

    async def help(self, update: Update, context: Context) -> None:
        """List the commands."""
        assert update.effective_message
        tr = translator_for(self.s.store, update)
        await update.effective_message.reply_html(tr.gettext(HELP))

    async def pause(self, update: Update, context: Context) -> None:
        """Hold daily digests."""
        await self._update_chat(
            update, N_("Daily digests paused. /resume restarts them."), paused=True
        )

    async def resume(self, update: Update, context: Context) -> None:
        """Restart daily digests."""
        await self._update_chat(update, N_("Daily digests resumed."), paused=False)

    def _defaults(self, language_code: str | None) -> dict[str, object]:
        s = self.s.settings
        return {
            "timezone": s.default_timezone,
            "digest_time": s.default_digest_time,
            "digest_size": s.default_digest_size,
            "language": language_for(language_code),
        }

    async def _update_chat(self, update: Update, reply: str, **values: object) -> None:
        """Change the chat's settings and answer with `reply`, a msgid."""
        assert update.effective_message and update.effective_chat
        with self.s.store.transaction() as session:
            changed = chats.update_chat(session, update.effective_chat.id, **values)
            _ = translator(chat_language(session, update)).gettext
        await update.effective_message.reply_text(_(reply if changed else SUBSCRIBE))
