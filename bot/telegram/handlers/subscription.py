"""/start, /stop and /help: joining and leaving."""

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
/digest words — a digest of what matches them, or of a section
/today — today's daily digest again
/time 07:30 — when the daily digest comes
/tz Asia/Shanghai — your time zone (also /tz +8)
/size 5 — items per digest (1–20)
/pause, /resume — hold or restart daily digests (/pause 7d: for a week)
/days mon-fri — the weekdays your daily digest comes
/settings — your settings
/stats — your reading, week by week
/search words — find anything in the library
/add a quote, a link or a paper — into the library (the owner; a link or an arXiv id \
sent or forwarded alone is added too)
/mute word, /unmute word, /mutes — keep items with a word out
/sources — more, less or none of each notes file and newsletter
/lang — English or 中文
/stop — unsubscribe
/forgetme — delete everything I keep about you

Answer each item with its buttons: ✅ read; ⏭ later (not now: it rests two weeks, nothing \
held against it); 👎 less (it rests too, and fewer items like it come). Or reply \
<code>read 1 3</code>, <code>skip 2</code>, <code>less 4</code>, <code>r1 s2 l4</code>.""")
# i18n: Telegram HTML; keep the tags and the commands
ADMIN_HELP = N_("""\
<b>For admins</b>
/allow USER_ID name — let a friend subscribe
/deny USER_ID — stop their digests and answers
/users — who may use the bot, and their state
/status — subscribers, library, feeds, deliveries
Reply <code>forget 2</code> to a digest or to search results to hide an item from everyone \
(its Undo button brings it back), or <code>fix 2 New title</code> to correct a title.""")


class SubscriptionHandlers(Handlers):
    """Subscribing, unsubscribing, and the list of commands."""

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
            summary = settings_text(chat, tr, self.s.clock())
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
        """List the commands (and, to admins, theirs)."""
        assert update.effective_message and update.effective_user
        tr = translator_for(self.s.store, update)
        text = tr.gettext(HELP)
        if update.effective_user.id in self.s.settings.admin_user_ids:
            text += "\n\n" + tr.gettext(ADMIN_HELP)
        await update.effective_message.reply_html(text)

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
