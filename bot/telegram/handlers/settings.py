"""/time, /tz, /size, /settings and /lang, and the buttons under /settings and /lang."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Message, Update

from bot.digests.callbacks import SettingChange
from bot.digests.schedule import ScheduleError, parse_time, parse_timezone
from bot.i18n import normalize_language, translator
from bot.store import chats
from bot.store.models import Chat
from bot.telegram.handlers.buttons import pressed
from bot.telegram.handlers.common import (
    SAVED,
    SUBSCRIBE,
    Context,
    Handlers,
    chat_language,
    translator_for,
    unless_unchanged,
)
from bot.telegram.sending import keyboard
from bot.telegram.views.settings import (
    EXAMPLES,
    LANGUAGE_SET,
    MAX_SIZE,
    SETTING_PROBLEMS,
    language_buttons,
    language_text,
    parse_size,
    setting_step,
    settings_buttons,
    settings_text,
    unknown_language_text,
)


class SettingsHandlers(Handlers):
    """One command per setting, /settings and /lang to see them, and their buttons."""

    async def time(self, update: Update, context: Context) -> None:
        """Set the daily digest's local time."""
        await self._setting(update, context, "time", lambda text: {"digest_time": parse_time(text)})

    async def tz(self, update: Update, context: Context) -> None:
        """Set the time zone."""
        await self._setting(update, context, "tz", lambda text: {"timezone": parse_timezone(text)})

    async def size(self, update: Update, context: Context) -> None:
        """Set how many items a digest has."""
        await self._setting(update, context, "size", lambda text: {"digest_size": parse_size(text)})

    async def settings(self, update: Update, context: Context) -> None:
        """Show the chat's settings, with buttons to change them."""
        assert update.effective_message and update.effective_chat
        with self.s.store.transaction() as session:
            chat = session.get(Chat, update.effective_chat.id)
            tr = translator(chat_language(session, update))
            if chat is None or not chat.subscribed:
                await update.effective_message.reply_text(tr.gettext(SUBSCRIBE))
                return
            now = self.s.clock()
            text, rows = settings_text(chat, tr, now), settings_buttons(chat, tr, now)
        await update.effective_message.reply_html(text, reply_markup=keyboard(rows))

    async def lang(self, update: Update, context: Context) -> None:
        """Show the chat's language with a button per language, or set it: /lang zh."""
        assert update.effective_message and update.effective_chat
        asked = " ".join(context.args or [])
        wanted = normalize_language(asked)
        with self.s.store.transaction() as session:
            chat = session.get(Chat, update.effective_chat.id)
            tr = translator(chat_language(session, update))
            if chat is None or not chat.subscribed:
                reply, rows = tr.gettext(SUBSCRIBE), []
            elif not asked.strip():
                reply, rows = language_text(chat.language, tr), language_buttons(chat.language)
            elif wanted is None:
                reply, rows = unknown_language_text(asked, tr), language_buttons(chat.language)
            else:
                chat.language = wanted
                reply, rows = translator(wanted).gettext(LANGUAGE_SET), []
        await update.effective_message.reply_text(reply, reply_markup=keyboard(rows))

    async def change(self, update: Update, context: Context) -> None:
        """A /settings or /lang button: apply one step and redraw its message."""
        query = update.callback_query
        assert query and update.effective_chat
        change = await pressed(update, self.s.store, SettingChange)
        if change is None:
            return
        with self.s.store.transaction() as session:
            chat = session.get(Chat, update.effective_chat.id)
            tr = translator(chat_language(session, update))
            if chat is not None and chat.subscribed:
                chats.update_chat(session, chat.id, **setting_step(change.change, chat))
                tr = translator(chat.language)  # a /lang button answers in the new language
                if change.change.startswith("lang-"):
                    text, rows = language_text(chat.language, tr), language_buttons(chat.language)
                else:
                    now = self.s.clock()
                    text, rows = settings_text(chat, tr, now), settings_buttons(chat, tr, now)
            else:
                chat = None
        if chat is None:
            await query.answer(tr.gettext(SUBSCRIBE), show_alert=True)
            return
        await query.answer(tr.gettext(SAVED))
        if isinstance(query.message, Message):
            with unless_unchanged():
                await query.message.edit_text(text, parse_mode="HTML", reply_markup=keyboard(rows))

    async def _setting(
        self, update: Update, context: Context, name: str, parse: Callable[[str], dict[str, object]]
    ) -> None:
        assert update.effective_message and update.effective_chat
        text = " ".join(context.args or [])
        tr = translator_for(self.s.store, update)
        _ = tr.gettext
        if not text:
            await update.effective_message.reply_text(
                _("Usage: /{command} {example}").format(command=name, example=_(EXAMPLES[name]))
            )
            return
        try:
            values = parse(text)
        except (ScheduleError, ValueError):
            # The command says what was wrong; the parsers' own messages are English only.
            problem = _(SETTING_PROBLEMS[name]).format(text=text.strip(), max=MAX_SIZE)
            await update.effective_message.reply_text(problem)
            return
        with self.s.store.transaction() as session:
            chat = chats.update_chat(session, update.effective_chat.id, **values)
            summary = settings_text(chat, tr, self.s.clock()) if chat else ""
            reply = f"{_(SAVED)}\n\n{summary}" if chat else _(SUBSCRIBE)
        await update.effective_message.reply_html(reply)
