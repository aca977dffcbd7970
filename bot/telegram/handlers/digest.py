"""/digest, and the answers to a digest's items: by their ✅/⏭/👎 buttons or by text
(`read 1 3`, `skip 2`, `less 4`)."""

from __future__ import annotations

import gettext
import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session
from telegram import Message, Update
from telegram.error import BadRequest

from bot.digests.answers import ReplyError, parse_answers
from bot.digests.callbacks import ItemAnswer
from bot.digests.compose import compose_for_chat, theme_words, themed_index
from bot.digests.deliver import deliver_pending
from bot.digests.schedule import local_date
from bot.digests.selection import SelectionIndex
from bot.i18n import ENGLISH, N_, translator
from bot.library.items import Answer, LibraryItem
from bot.store import digests
from bot.store.digests import ActiveChat
from bot.store.models import Chat, Digest, DigestKind
from bot.telegram.handlers.buttons import (
    digest_on_buttons,
    fresh_rows,
    marked,
    pressed,
    refresh_keyboard,
)
from bot.telegram.handlers.common import (
    Context,
    Handlers,
    bot_sender,
    chat_language,
    translator_for,
)
from bot.telegram.sending import keyboard
from bot.telegram.views.settings import MAX_SIZE

log = logging.getLogger(__name__)

NO_DIGEST = N_("There is no digest to answer yet; try /digest.")
NOTHING_TO_SEND = N_("Nothing to send: send /start first, or the library is empty.")
NO_MATCH = N_(
    "Nothing in the library matches “{words}”. Try other words or a section's name; "
    "/search shows what there is."
)
THEME_SPENT = N_(
    "Nothing on “{words}” to send now: what matches is read, resting, or from a source "
    "you set to never (/sources)."
)
# How a text answer's confirmation names each kind; "later" is "not now", as its button says.
_ANSWERED = (
    (Answer.READ, N_("read: {positions}")),
    (Answer.SKIPPED, N_("later: {positions}")),
    (Answer.LESS, N_("less like this: {positions}")),
)

Redraw = list[tuple[int, list[list[list[str]]]]]  # (message id, keyboard) of each sent part


class DigestHandlers(Handlers):
    """A digest on demand, and the answers to digests."""

    async def digest(self, update: Update, context: Context) -> None:
        """Compose and send a digest now — with words (/digest diffusion), of the items matching
        them only; it does not count as the daily one."""
        assert update.effective_message and update.effective_chat
        words = theme_words(" ".join(context.args or []))
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))
            made, refusal = self._compose_now(session, update.effective_chat.id, words)
        if made is None:
            await update.effective_message.reply_text(tr.gettext(refusal).format(words=words))
            return
        # The caller's own messages only: the sweep sends everyone else's.
        send = bot_sender(context.application)
        chat_id = update.effective_chat.id
        await deliver_pending(self.s.store, send, self.s.clock, only={chat_id})

    def _compose_now(self, session: Session, chat_id: int, words: str) -> tuple[Digest | None, str]:
        """The chat's on-demand digest (on `words`, if any), stored; else why there is none."""
        now = self.s.clock()
        chat = session.get(Chat, chat_id)
        if chat is None or not chat.subscribed:
            return None, NOTHING_TO_SEND
        items = digests.library(session)
        library: list[LibraryItem] | SelectionIndex = items
        if words:
            themed = themed_index(session, items, words, now)
            if themed is None:
                return None, NO_MATCH
            library = themed
        active = ActiveChat(
            chat.id, chat.timezone, chat.digest_time, chat.digest_size, None, chat.language
        )
        made = compose_for_chat(
            session,
            active,
            library,
            kind=DigestKind.ON_DEMAND,
            day=local_date(now, chat.timezone),
            now=now,
            engines=self.engines,
            owner_chat_id=self.s.settings.owner_chat_id,
            theme=words,
        )
        return made, THEME_SPENT if words else NOTHING_TO_SEND

    async def answer(self, update: Update, context: Context) -> None:
        """A ✅/⏭/👎 press under a digest: record it, show it on the keyboard, answer the query."""
        query = update.callback_query
        assert query and update.effective_chat
        action = await pressed(update, self.s.store, ItemAnswer)
        if action is None:
            return
        tr = translator_for(self.s.store, update)
        chat_id = update.effective_chat.id
        with self.s.store.transaction() as session:
            digest = digests.digest_for_answer(session, chat_id=chat_id, digest_id=action.digest_id)
            ids = [item.item_id for item in digest.items] if digest else []
            if action.item_id in ids:
                digests.set_answer(
                    session,
                    chat_id=chat_id,
                    item_id=action.item_id,
                    answer=action.answer,
                    now=self.s.clock(),
                )
                given = digests.answers(session, chat_id, ids)
        if action.item_id not in ids:
            await query.answer(
                tr.gettext("That digest is not yours or no longer exists."), show_alert=True
            )
            return
        await query.answer(marked(action.answer, tr))
        if isinstance(query.message, Message):
            await refresh_keyboard(query.message, action.digest_id, ids, given, tr)

    async def answer_text(self, update: Update, context: Context) -> None:
        """`read 1 3`, `skip 2`, `less 4`, `r1 s2 l4`: as a reply to a digest, or alone for the
        latest one."""
        message, chat = update.effective_message, update.effective_chat
        assert message and chat and message.text is not None
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))
            reply, redraw = self._record_text_answers(session, chat.id, message, tr)
        await message.reply_text(reply)
        for message_id, rows in redraw:
            await _edit_keyboard(context, chat.id, message_id, rows)

    def _record_text_answers(
        self, session: Session, chat_id: int, message: Message, tr: gettext.NullTranslations
    ) -> tuple[str, Redraw]:
        """The reply to a text answer, and the digest keyboards to redraw."""
        _ = tr.gettext
        digest = _digest_answered(session, chat_id, message)
        ids = [item.item_id for item in digest.items] if digest else []
        try:
            marks = parse_answers(message.text or "", len(ids) if digest else MAX_SIZE)
        except ReplyError as exc:
            return (exc.translated(tr) if digest else _(NO_DIGEST)), []
        if not marks:
            return _("Send /help to see what I understand."), []
        if digest is None:
            return _(NO_DIGEST), []
        for position, answer in marks:
            digests.set_answer(
                session,
                chat_id=chat_id,
                item_id=ids[position - 1],
                answer=answer,
                now=self.s.clock(),
            )
        given = digests.answers(session, chat_id, ids)
        redraw = [
            (m.telegram_message_id, fresh_rows(m.buttons, digest.id, ids, given, tr))
            for m in digests.sent_messages(session, digest.id)
            if m.telegram_message_id is not None
        ]
        return confirmation(marks, tr), redraw


def confirmation(
    marks: Sequence[tuple[int, Answer]], tr: gettext.NullTranslations = ENGLISH
) -> str:
    """The reply to a text answer: the positions given each answer, each kind named.

    >>> confirmation([(1, Answer.READ), (2, Answer.SKIPPED), (3, Answer.READ), (4, Answer.LESS)])
    'Noted — read: 1, 3; later: 2; less like this: 4.'
    """
    _ = tr.gettext
    parts = []
    for answer, label in _ANSWERED:
        # i18n: separates the positions given one answer, as in "read: 1, 3"
        positions = _(", ").join(str(p) for p, a in marks if a is answer)
        if positions:
            parts.append(_(label).format(positions=positions))
    # i18n: separates the read, the later and the less-like-this positions
    return _("Noted — {answers}.").format(answers=_("; ").join(parts))


def _digest_answered(session: Session, chat_id: int, message: Message) -> Digest | None:
    """The digest a text answer is about: the one it replies to, else the chat's latest."""
    replied = message.reply_to_message
    if replied is None:
        return digests.digest_for_answer(session, chat_id=chat_id)
    digest = digests.digest_by_message(session, chat_id, replied.message_id)
    if digest is None and (shown := digest_on_buttons(replied)):
        # A part whose `sent` was lost in a crash has no message id stored; its buttons
        # still name the digest (checked against this chat like a press).
        digest = digests.digest_for_answer(session, chat_id=chat_id, digest_id=shown)
    return digest


async def _edit_keyboard(
    context: Context, chat_id: int, message_id: int, rows: list[list[list[str]]]
) -> None:
    try:
        await context.bot.edit_message_reply_markup(
            chat_id, message_id, reply_markup=keyboard(rows)
        )
    except BadRequest as exc:
        if "not modified" not in exc.message:
            log.warning("could not update buttons of message %s: %s", message_id, exc.message)
