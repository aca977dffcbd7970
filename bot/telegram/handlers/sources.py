"""/sources: each reader's level per source (more, normal, less, never), set by its buttons."""

from __future__ import annotations

import gettext

from sqlalchemy.orm import Session
from telegram import Message, Update

from bot.digests.callbacks import SourceLevelChange, SourcesPage
from bot.i18n import N_, translator
from bot.store.levels import reader_sources, set_level
from bot.store.models import Chat
from bot.telegram.handlers.buttons import pressed
from bot.telegram.handlers.common import (
    SUBSCRIBE,
    Context,
    Handlers,
    chat_language,
    unless_unchanged,
)
from bot.telegram.sending import keyboard
from bot.telegram.views.sources import level_set_text, page_of, sources_page

NO_SUCH_SOURCE = N_("That source no longer exists.")

Page = tuple[str, list[list[list[str]]]]


class SourcesHandlers(Handlers):
    """The sources command, and its level buttons and page turns."""

    async def sources(self, update: Update, context: Context) -> None:
        """List the reader's sources with their levels, and buttons to change them."""
        assert update.effective_message and update.effective_chat
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))
            page = self._page(session, update.effective_chat.id, 0, tr)
        if page is None:
            await update.effective_message.reply_text(tr.gettext(SUBSCRIBE))
            return
        await update.effective_message.reply_html(page[0], reply_markup=keyboard(page[1]))

    async def set_level(self, update: Update, context: Context) -> None:
        """A level button under /sources: keep the level and redraw the list in place."""
        query = update.callback_query
        assert query and update.effective_chat
        change = await pressed(update, self.s.store, SourceLevelChange)
        if change is None:
            return
        chat_id = update.effective_chat.id
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))
            page, toast = None, tr.gettext(SUBSCRIBE)
            if _subscribed(session, chat_id):
                toast = tr.gettext(NO_SUCH_SOURCE)
                if set_level(session, chat_id, change.source_id, change.level):
                    listed = reader_sources(session, chat_id)
                    source = next((s for s in listed if s.source_id == change.source_id), None)
                    toast = level_set_text(source, change.level, tr)
                    page = self._page(session, chat_id, page_of(listed, change.source_id), tr)
        await query.answer(toast, show_alert=page is None)
        await _redraw(query.message, page)

    async def turn_page(self, update: Update, context: Context) -> None:
        """Next/Prev under /sources: redraw the list at that page."""
        query = update.callback_query
        assert query and update.effective_chat
        turn = await pressed(update, self.s.store, SourcesPage)
        if turn is None:
            return
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))
            page = self._page(session, update.effective_chat.id, turn.page, tr)
        if page is None:
            await query.answer(tr.gettext(SUBSCRIBE), show_alert=True)
            return
        await query.answer()
        await _redraw(query.message, page)

    def _page(
        self, session: Session, chat_id: int, page: int, tr: gettext.NullTranslations
    ) -> Page | None:
        """A page of the chat's sources; None if the chat is not subscribed."""
        if not _subscribed(session, chat_id):
            return None
        return sources_page(reader_sources(session, chat_id), page, tr)


def _subscribed(session: Session, chat_id: int) -> bool:
    chat = session.get(Chat, chat_id)
    return chat is not None and chat.subscribed


async def _redraw(message: object, page: Page | None) -> None:
    """Show the list anew in the message pressed (a press that changes nothing stays quiet)."""
    if page is None or not isinstance(message, Message):
        return
    with unless_unchanged():
        await message.edit_text(page[0], parse_mode="HTML", reply_markup=keyboard(page[1]))
