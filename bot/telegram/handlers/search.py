"""/search: results 5 a page with Next/Prev, and ✅/⏭ under each result."""

from __future__ import annotations

import gettext
import html

from sqlalchemy.orm import Session
from telegram import Message, Update

from bot.digests.callbacks import ItemAnswer, PageTurn, encode
from bot.digests.opening import DEFAULT_ENGINES, SearchEngines
from bot.digests.render import DigestView, render_digest
from bot.i18n import ENGLISH, translator
from bot.library.quota import SLOW_DOWN, WINDOW, wait_seconds
from bot.store import digests
from bot.store.models import Item
from bot.store.search import recent_searches, save_search, saved_search, search
from bot.telegram.handlers.buttons import answer_item_ids, marked, pressed, refresh_keyboard
from bot.telegram.handlers.common import Context, Handlers, chat_language, translator_for
from bot.telegram.sending import NO_PREVIEW, keyboard

MAX_QUERY = 4000
SEARCH_PAGE = 5
# The "digest" id search-result buttons carry: no digest, any item. Its callback data starts
# "l1:r:0:" or "l1:s:0:", which routes the press here (bot/telegram/application.py).
SEARCH_RESULTS = 0


class SearchHandlers(Handlers):
    """The search command, its page turns and the answers under its results."""

    async def search(self, update: Update, context: Context) -> None:
        """Search the whole library; results come 5 a page with Next/Prev and ✅/⏭ buttons."""
        assert update.effective_message and update.effective_chat
        text = " ".join(context.args or [])[:MAX_QUERY]
        if not text.strip():
            _ = translator_for(self.s.store, update).gettext
            await update.effective_message.reply_text(
                _("Usage: /search 蒸馏  or  /search attention")
            )
            return
        now, chat_id = self.s.clock(), update.effective_chat.id
        per_minute = self.s.settings.searches_per_minute
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))
            # At most SEARCHES_PER_MINUTE: each search reads the index, and is kept.
            wait = wait_seconds(recent_searches(session, chat_id, now - WINDOW), now, per_minute)
            if wait is None:
                search_id = save_search(session, chat_id, text, now)
                html_text, rows = search_page(
                    session, chat_id, search_id, text, 0, tr, self.engines
                )
        if wait is not None:
            slow = tr.gettext(SLOW_DOWN).format(limit=per_minute, seconds=wait)
            await update.effective_message.reply_text(slow)
            return
        await update.effective_message.reply_html(
            html_text, reply_markup=keyboard(rows), link_preview_options=NO_PREVIEW
        )

    async def turn_page(self, update: Update, context: Context) -> None:
        """Next/Prev on search results: redraw the message with that page."""
        query = update.callback_query
        assert query and update.effective_chat
        turn = await pressed(update, self.s.store, PageTurn)
        if turn is None:
            return
        tr = translator_for(self.s.store, update)
        chat_id = update.effective_chat.id
        with self.s.store.transaction() as session:
            text = saved_search(session, turn.query_id, chat_id)
            if text is not None:
                html_text, rows = search_page(
                    session, chat_id, turn.query_id, text, turn.page, tr, self.engines
                )
        if text is None:
            await query.answer(
                tr.gettext("That search is not yours or no longer exists."), show_alert=True
            )
            return
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(
                html_text,
                parse_mode="HTML",
                reply_markup=keyboard(rows),
                link_preview_options=NO_PREVIEW,
            )

    async def answer(self, update: Update, context: Context) -> None:
        """✅/⏭ under a search result: the same read/skip as in a digest."""
        query = update.callback_query
        assert query and update.effective_chat
        action = await pressed(update, self.s.store, ItemAnswer)
        if action is None:
            return
        tr = translator_for(self.s.store, update)
        assert isinstance(query.message, Message)
        chat_id = update.effective_chat.id
        ids = answer_item_ids(query.message)
        with self.s.store.transaction() as session:
            known = action.item_id in ids and session.get(Item, action.item_id) is not None
            if known:
                digests.set_answer(
                    session,
                    chat_id=chat_id,
                    item_id=action.item_id,
                    answer=action.answer,
                    now=self.s.clock(),
                )
                given = digests.answers(session, chat_id, ids)
        if not known:
            await query.answer(tr.gettext("That item no longer exists."), show_alert=True)
            return
        await query.answer(marked(action.answer, tr))
        await refresh_keyboard(query.message, SEARCH_RESULTS, ids, given, tr)


def search_page(
    session: Session,
    chat_id: int,
    search_id: int,
    text: str,
    page: int,
    tr: gettext.NullTranslations = ENGLISH,
    engines: SearchEngines = DEFAULT_ENGINES,
) -> tuple[str, list[list[list[str]]]]:
    """One page of results as Telegram HTML with its buttons."""
    _ = tr.gettext
    found = search(session, text, limit=SEARCH_PAGE, offset=page * SEARCH_PAGE)
    shown = html.escape(" ".join(text.split())[:100])
    if found.total == 0:
        return _("Nothing found for “{query}”. Try a shorter query or fewer words.").format(
            query=shown
        ), []
    pages = -(-found.total // SEARCH_PAGE)
    page = min(page, pages - 1)
    items = digests.library(session, [item.id for item in found.items])
    order = {item.id: n for n, item in enumerate(found.items)}
    items.sort(key=lambda item: order[item.id])
    given = digests.answers(session, chat_id, list(order))
    more = "+" if found.capped else ""  # past 10,000 results, there are more pages than shown
    title = _("🔎 {query} — {total} found, page {page} of {pages}").format(
        query=shown, total=found.total_text(), page=page + 1, pages=f"{pages:,}{more}"
    )
    view = DigestView(SEARCH_RESULTS, title, tuple(items), given, engines)
    first = render_digest(view, tr)[0]
    rows = [[[b.text, b.data] for b in row] for row in first.buttons]
    turns = [
        [label, encode(PageTurn(search_id, target))]
        for label, target in ((_("◀ Prev"), page - 1), (_("Next ▶"), page + 1))
        if 0 <= target < pages
    ]
    return first.html, [*rows, turns] if turns else rows
