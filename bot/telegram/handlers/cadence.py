"""/pause (for a while, or until /resume), /resume and /days: when daily digests come."""

from __future__ import annotations

from telegram import Update

from bot.digests.cadence import CadenceError, days_text, parse_days, parse_pause
from bot.digests.schedule import next_digest_at
from bot.i18n import N_, translator
from bot.store import chats
from bot.store.models import Chat
from bot.telegram.handlers.common import SAVED, SUBSCRIBE, Context, Handlers, chat_language
from bot.telegram.views.settings import local_moment

PAUSED = N_("Daily digests paused. /resume restarts them.")
RESUMED = N_("Daily digests resumed.")
# i18n: {until} and {next} are a weekday, a date and a time, e.g. "Mon 30 Nov 10:00"
PAUSED_UNTIL = N_(
    "Daily digests paused until {until} ({zone}). The next one comes {next}. "
    "/resume restarts them sooner."
)
BAD_PAUSE = N_(
    "“{text}” is not a length of time I know; try /pause 3d, /pause 2w or /pause 12h "
    "(at most a year), or /pause alone to hold digests until /resume."
)
DAYS_NOW = N_(
    "Your daily digest comes: {days}. Change it with /days mon-fri, /days mon,wed,fri, "
    "/days weekends or /days every day."
)
DAYS_SET = N_("Your daily digest comes: {days}.")
BAD_DAYS = N_(
    "“{text}” names no weekdays I know; try /days mon-fri, /days mon,wed,fri, /days weekends "
    "or /days every day."
)


class CadenceHandlers(Handlers):
    """Holding daily digests, for a while or until /resume, and the weekdays they come on."""

    async def pause(self, update: Update, context: Context) -> None:
        """Hold daily digests: /pause until /resume, /pause 7d for a week."""
        assert update.effective_message and update.effective_chat
        text, now = " ".join(context.args or []), self.s.clock()
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))
            _ = tr.gettext
            chat = session.get(Chat, update.effective_chat.id)
            if chat is None or not chat.subscribed:
                reply = _(SUBSCRIBE)
            elif not text:
                chats.update_chat(session, chat.id, paused=True, paused_until=None)
                reply = _(PAUSED)
            else:
                try:
                    until = now + parse_pause(text)
                except CadenceError:
                    reply = _(BAD_PAUSE).format(text=text.strip()[:40])
                else:
                    chats.update_chat(session, chat.id, paused=False, paused_until=until)
                    after = next_digest_at(until, chat.timezone, chat.digest_time, chat.digest_days)
                    reply = _(PAUSED_UNTIL).format(
                        until=local_moment(until, chat.timezone, tr),
                        zone=chat.timezone,
                        next=local_moment(after, chat.timezone, tr),
                    )
        await update.effective_message.reply_text(reply)

    async def resume(self, update: Update, context: Context) -> None:
        """Restart daily digests, whichever pause held them."""
        assert update.effective_message and update.effective_chat
        with self.s.store.transaction() as session:
            changed = chats.update_chat(
                session, update.effective_chat.id, paused=False, paused_until=None
            )
            _ = translator(chat_language(session, update)).gettext
        await update.effective_message.reply_text(_(RESUMED if changed else SUBSCRIBE))

    async def days(self, update: Update, context: Context) -> None:
        """Show or set the weekdays of the daily digest: /days mon-fri."""
        assert update.effective_message and update.effective_chat
        text = " ".join(context.args or [])
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))
            _ = tr.gettext
            chat = session.get(Chat, update.effective_chat.id)
            if chat is None or not chat.subscribed:
                reply = _(SUBSCRIBE)
            elif not text:
                reply = _(DAYS_NOW).format(days=days_text(chat.digest_days, tr))
            else:
                try:
                    chat.digest_days = parse_days(text)
                except CadenceError:
                    reply = _(BAD_DAYS).format(text=text.strip()[:40])
                else:
                    shown = _(DAYS_SET).format(days=days_text(chat.digest_days, tr))
                    reply = f"{_(SAVED)} {shown}"
        await update.effective_message.reply_text(reply)
