"""The owner's curation by reply, admins only: `forget 2 3` hides items from every reader and
every search (its confirmation carries an Undo button per item), `fix 2 New title` corrects a
title. Positions are those of the digest or search results replied to (alone: the latest
digest), as for `read 2`."""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from telegram import Message, Update

from bot.digests.answers import ReplyError
from bot.digests.callbacks import ItemRestore, encode
from bot.digests.curation import FixTitle, Forget, parse_curation
from bot.digests.fitting import shorten
from bot.digests.render import DigestView, render_digest
from bot.i18n import N_, translator
from bot.store import curation, digests
from bot.telegram.handlers.buttons import answer_item_ids, digest_on_buttons, pressed
from bot.telegram.handlers.common import (
    Context,
    Handlers,
    chat_language,
    translator_for,
    unless_unchanged,
)
from bot.telegram.handlers.search import SEARCH_RESULTS
from bot.telegram.sending import NO_PREVIEW, keyboard

REFUSED = N_("Sorry, only the bot's admins can forget or fix items.")
WHICH = N_("Reply to a digest or to search results, like “forget 2” or “fix 2 New title”.")
# Titles in confirmations: enough to recognise an item, short enough for 20 in one message.
NAME_CHARS = 80


@dataclass
class _Reply:
    """What the bot answers: plain text, or Telegram HTML; button rows of [label, data]."""

    text: str
    rows: list[list[list[str]]] = field(default_factory=list)
    html: bool = False


class CurationHandlers(Handlers):
    """`forget` and `fix` replies, and the Undo button under a `forget` confirmation."""

    async def curate(self, update: Update, context: Context) -> None:
        """`forget 2 3` or `fix 2 New title`, as a reply to a digest or to search results."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        assert message and chat and user and message.text is not None
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))
            if user.id in self.s.settings.admin_user_ids:
                reply = self._curate(session, chat.id, message, tr)
            else:
                reply = _Reply(tr.gettext(REFUSED))
        if reply.html:
            await message.reply_html(
                reply.text, reply_markup=keyboard(reply.rows), link_preview_options=NO_PREVIEW
            )
        else:
            await message.reply_text(reply.text, reply_markup=keyboard(reply.rows))

    async def restore(self, update: Update, context: Context) -> None:
        """Undo under a `forget` confirmation: the item comes back for everyone."""
        query, user = update.callback_query, update.effective_user
        assert query and user
        action = await pressed(update, self.s.store, ItemRestore)
        if action is None:
            return
        tr = translator_for(self.s.store, update)
        if user.id not in self.s.settings.admin_user_ids:
            await query.answer(tr.gettext(REFUSED), show_alert=True)
            return
        with self.s.store.transaction() as session:
            back = curation.unforget(session, action.item_id)
        if back is None:
            await query.answer(tr.gettext("That item no longer exists."), show_alert=True)
            return
        # i18n: a forgotten item brought back by Undo
        line = tr.gettext("↩️ Back: {title}").format(title=shorten(back.name, NAME_CHARS))
        await query.answer(line)
        if isinstance(query.message, Message) and back.changed:
            await _show_restored(query.message, action, line)

    def _curate(
        self, session: Session, chat_id: int, message: Message, tr: gettext.NullTranslations
    ) -> _Reply:
        ids = _shown_items(session, chat_id, message)
        if not ids:
            return _Reply(tr.gettext(WHICH))
        try:
            asked = parse_curation(message.text or "", len(ids))
        except ReplyError as exc:
            return _Reply(exc.translated(tr))
        if isinstance(asked, Forget):
            return self._forget(session, ids, asked, tr)
        if isinstance(asked, FixTitle):
            return self._fix(session, chat_id, ids, asked, tr)
        return _Reply(tr.gettext(WHICH))  # the route's pattern and the parser disagree

    def _forget(
        self, session: Session, ids: list[int], asked: Forget, tr: gettext.NullTranslations
    ) -> _Reply:
        now = self.s.clock()
        lines, rows = [], []
        for position in asked.positions:
            done = curation.forget(session, ids[position - 1], now)
            if done is None:  # the digest names it, so it exists: nothing to say otherwise
                continue
            lines.append(f"{position}. {shorten(done.name, NAME_CHARS)}")
            # i18n: button under a "forget" confirmation, bringing item {position} back
            label = tr.gettext("↩️ Undo {position}").format(position=position)
            rows.append([[label, encode(ItemRestore(done.id))]])
        heading = tr.ngettext(
            "Forgotten: no one will be shown it or find it again.",
            "Forgotten: no one will be shown them or find them again.",
            len(lines),
        )
        return _Reply("\n".join([heading, *lines]), rows)

    def _fix(
        self,
        session: Session,
        chat_id: int,
        ids: list[int],
        asked: FixTitle,
        tr: gettext.NullTranslations,
    ) -> _Reply:
        item_id = ids[asked.position - 1]
        fixed = curation.fix_title(session, item_id, asked.title, self.s.clock())
        if fixed is None or not fixed.changed:
            return _Reply(
                tr.gettext("Item {position} already has that title.").format(
                    position=asked.position
                )
            )
        # i18n: what a fixed title replaced, when the item had none
        was = shorten(fixed.before, NAME_CHARS) or tr.gettext("no title")
        title = tr.gettext("✏️ Title fixed (it was: {title})").format(title=was)
        items = tuple(digests.library(session, [item_id]))
        given = digests.answers(session, chat_id, [item_id])
        view = DigestView(SEARCH_RESULTS, title, items, given, self.engines)
        shown = render_digest(view, tr)[0]
        rows = [[[b.text, b.data] for b in row] for row in shown.buttons]
        return _Reply(shown.html, rows, html=True)


def _shown_items(session: Session, chat_id: int, message: Message) -> list[int]:
    """The item ids, in shown order, of the digest or search results the message replies to;
    alone, of the chat's latest digest; none when it replies to anything else."""
    replied = message.reply_to_message
    if replied is None:
        digest = digests.digest_for_answer(session, chat_id=chat_id)
    else:
        digest = digests.digest_by_message(session, chat_id, replied.message_id)
        shown = digest_on_buttons(replied) if digest is None else None
        if shown == SEARCH_RESULTS:
            return answer_item_ids(replied)
        if shown is not None:  # a part whose message id was lost in a crash
            digest = digests.digest_for_answer(session, chat_id=chat_id, digest_id=shown)
    return [item.item_id for item in digest.items] if digest else []


async def _show_restored(message: Message, action: ItemRestore, line: str) -> None:
    """The confirmation says the item is back, and loses its Undo button."""
    rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
    kept = [
        [[b.text, str(b.callback_data)] for b in row]
        for row in rows
        if not any(b.callback_data == encode(action) for b in row)
    ]
    with unless_unchanged():
        await message.edit_text(f"{message.text or ''}\n{line}", reply_markup=keyboard(kept))
