"""Capture: an admin forwards or sends a link, an arXiv id or a DOI, or `/add`s a quote, and
it joins the library; Undo takes it back, Follow follows the feed it found."""

from __future__ import annotations

from telegram import (
    Message,
    MessageEntity,
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram.ext import filters

from bot.capture.rules import Incoming, Origin, Target, for_add, recognise
from bot.capture.service import SlowDown, capture
from bot.digests.callbacks import CaptureUndo, FeedFollow, decode
from bot.feeds.pull import feed_client
from bot.library.quota import SLOW_DOWN
from bot.store import captures
from bot.store.feeds import follow
from bot.store.models import Chat
from bot.telegram.handlers.buttons import pressed
from bot.telegram.handlers.common import Context, Handlers, translator_for, unless_unchanged
from bot.telegram.sending import NO_PREVIEW, keyboard
from bot.telegram.views.capture import (
    ADD_USAGE,
    NOT_OWNER,
    UNDO_REFUSED,
    capture_reply,
)

_LINKS: list[str | None] = [MessageEntity.URL, MessageEntity.TEXT_LINK]


class Capturable(filters.MessageFilter):
    """A message to file on its own: forwarded, or holding a link, an arXiv id or a DOI
    (plain text such as `read 2` is an answer, never a capture)."""

    def filter(self, message: Message) -> bool:
        return recognise(incoming(message)) is not None


class CaptureHandlers(Handlers):
    """Filing what an admin sends, and the Undo and Follow buttons under the answer."""

    async def capture_message(self, update: Update, context: Context) -> None:
        """A forwarded message, or one with a link, an arXiv id or a DOI: file it."""
        assert update.effective_message
        await self._file(update, recognise(incoming(update.effective_message)))

    async def add(self, update: Update, context: Context) -> None:
        """`/add TEXT`: file a link, a paper, or any words as a quote."""
        message = update.effective_message
        assert message and message.text is not None
        rest = message.text.split(maxsplit=1)[1:]  # the words after /add, lines kept
        text = rest[0] if rest else ""
        target = for_add(Incoming(text, _links(message), origin_of(message.forward_origin)))
        if target is None and self._is_admin(update):
            tr = translator_for(self.s.store, update)
            await message.reply_text(tr.gettext(ADD_USAGE))
            return
        await self._file(update, target)

    async def _file(self, update: Update, target: Target | None) -> None:
        message, chat = update.effective_message, update.effective_chat
        assert message and chat
        tr = translator_for(self.s.store, update)
        if not self._is_admin(update):
            await message.reply_text(tr.gettext(NOT_OWNER))
            return
        assert target is not None
        settings = self.s.settings
        async with feed_client() as client:
            done = await capture(
                target,
                chat_id=chat.id,
                store=self.s.store,
                settings=settings,
                client=client,
                now=self.s.clock(),
            )
        if isinstance(done, SlowDown):
            text = tr.gettext(SLOW_DOWN)
            await message.reply_text(
                text.format(limit=settings.captures_per_minute, seconds=done.seconds)
            )
            return
        with self.s.store.transaction() as session:
            known = session.get(Chat, chat.id)
            zone = known.timezone if known is not None else settings.default_timezone
        body, rows = capture_reply(
            done, tr, self.engines, timeout=settings.capture_timeout_seconds, timezone=zone
        )
        await message.reply_html(body, reply_markup=keyboard(rows), link_preview_options=NO_PREVIEW)

    async def undo(self, update: Update, context: Context) -> None:
        """↩️ Undo under a capture: the item it added leaves the library."""
        query, chat = update.callback_query, update.effective_chat
        assert query and chat
        action = await pressed(update, self.s.store, CaptureUndo)
        if action is None:
            return
        tr = translator_for(self.s.store, update)
        _ = tr.gettext
        with self.s.store.transaction() as session:
            outcome, title = captures.undo(session, action.capture_id, chat.id, self.s.clock())
        if outcome is not captures.Undone.REMOVED:
            await query.answer(_(UNDO_REFUSED[outcome]), show_alert=True)
            return
        await query.answer(_("Removed from your library."))
        if isinstance(query.message, Message):
            gone = _("↩️ Removed from your library: {title}").format(title=title or "—")
            with unless_unchanged():
                await query.message.edit_text(gone, link_preview_options=NO_PREVIEW)

    async def follow(self, update: Update, context: Context) -> None:
        """📡 Follow this feed under a capture: follow it as `/feeds add` does."""
        query, chat = update.callback_query, update.effective_chat
        assert query and chat
        action = await pressed(update, self.s.store, FeedFollow)
        if action is None:
            return
        _ = translator_for(self.s.store, update).gettext
        with self.s.store.transaction() as session:
            offered = captures.offered_feed(session, action.capture_id, chat.id)
            added = offered is not None and follow(session, *offered, self.s.clock())
        if offered is None:
            await query.answer(_(UNDO_REFUSED[captures.Undone.UNKNOWN]), show_alert=True)
            return
        name = offered[1] or offered[0]
        said = _("Following {name}.") if added else _("{name} is followed already.")
        await query.answer(said.format(name=name)[:200])
        if isinstance(query.message, Message):
            with unless_unchanged():
                await query.message.edit_reply_markup(keyboard(_without_follow(query.message)))

    def _is_admin(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and user.id in self.s.settings.admin_user_ids


def incoming(message: Message) -> Incoming:
    """The message as the capture rules read it (text or caption, links, origin)."""
    text = message.text if message.text is not None else (message.caption or "")
    return Incoming(text, _links(message), origin_of(message.forward_origin))


def _links(message: Message) -> tuple[str, ...]:
    """The links its entities carry, in order: a URL's text (https:// added to a bare
    domain), a text_link's hidden URL."""
    found = (
        message.parse_entities(_LINKS)
        if message.text is not None
        else message.parse_caption_entities(_LINKS)
    )
    links = []
    for entity, shown in sorted(found.items(), key=lambda pair: pair[0].offset):
        url = entity.url if entity.type == MessageEntity.TEXT_LINK else shown
        if url and "://" not in url:
            url = f"https://{url}"
        if url:
            links.append(url)
    return tuple(links)


def origin_of(origin: MessageOrigin | None) -> Origin | None:
    """Where a forwarded message came from, as the capture rules name it."""
    if isinstance(origin, MessageOriginChannel):
        chat = origin.chat
        post = f"https://t.me/{chat.username}/{origin.message_id}" if chat.username else None
        return Origin(chat.title or chat.username or str(chat.id), f"chat:{chat.id}", post)
    if isinstance(origin, MessageOriginChat):
        chat = origin.sender_chat
        return Origin(chat.title or chat.username or str(chat.id), f"chat:{chat.id}")
    if isinstance(origin, MessageOriginUser):
        user = origin.sender_user
        return Origin(user.full_name, f"user:{user.id}")
    if isinstance(origin, MessageOriginHiddenUser):
        return Origin(origin.sender_user_name, f"name:{origin.sender_user_name}")
    return None


def _without_follow(message: Message) -> list[list[list[str]]]:
    """The message's keyboard without its Follow button, now pressed."""
    rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
    kept = []
    for row in rows:
        data = str(row[0].callback_data or "")
        try:
            if isinstance(decode(data), FeedFollow):
                continue
        except ValueError:
            pass
        kept.append([[b.text, str(b.callback_data or "")] for b in row])
    return kept
