"""Friends: the admins' /allow, /deny and /users, and everyone's /forgetme with its buttons."""

from __future__ import annotations

import datetime as dt
import gettext

from sqlalchemy.orm import Session
from telegram import Message, Update

from bot.digests.callbacks import GARBLED, ForgetChoice
from bot.i18n import N_, translator
from bot.store import access, chats, outbox
from bot.store.access import Allowed
from bot.store.models import Access, Chat
from bot.telegram.handlers.buttons import pressed
from bot.telegram.handlers.common import Context, Handlers, chat_language, unless_unchanged
from bot.telegram.sending import keyboard
from bot.telegram.views.friends import (
    ADMINS_ONLY,
    ALLOW_USAGE,
    DENY_USAGE,
    FORGET_ASK,
    FORGET_EXPIRED,
    FORGOTTEN,
    KEPT,
    NOTHING_KEPT,
    forget_buttons,
    forget_expired,
    label,
    parse_user,
    users_text,
)

ALLOWED = {
    Allowed.NEW: N_("{user} may use the bot now: they can send /start."),
    Allowed.AGAIN: N_("{user} is allowed again; their settings and history are as they left."),
    Allowed.ALREADY: N_("{user} is already allowed."),
}
IS_ADMIN = N_("{user} is an admin (ADMIN_USER_IDS): change that setting to remove them.")
DENIED = N_(
    "{user} is denied: no more digests, and I answer them as a stranger. What they stored "
    "stays until they send /forgetme."
)
DENIED_ALREADY = N_("{user} is denied already.")


class FriendsHandlers(Handlers):
    """Who may use the bot (admins decide), and forgetting a user (they decide)."""

    async def allow(self, update: Update, context: Context) -> None:
        """Admins: let a user subscribe, /allow USER_ID [name]."""
        message, tr = await self._admin(update, "allow")
        if message is None:
            return
        asked = parse_user(context.args or [])
        if asked is None:
            await message.reply_text(tr.gettext(ALLOW_USAGE))
            return
        user_id, name = asked
        if user_id in self.s.settings.admin_user_ids:
            await message.reply_text(tr.gettext(IS_ADMIN).format(user=label(user_id, name)))
            return
        with self.s.store.transaction() as session:
            done = access.allow(
                session, user_id, name=name, by=self._id(update), now=self.s.clock()
            )
            who = label(user_id, _name(session, user_id))
        await message.reply_text(tr.gettext(ALLOWED[done]).format(user=who))

    async def deny(self, update: Update, context: Context) -> None:
        """Admins: stop a user's digests and answers from now on, /deny USER_ID."""
        message, tr = await self._admin(update, "deny")
        if message is None:
            return
        asked = parse_user((context.args or [])[:1])
        if asked is None:
            await message.reply_text(tr.gettext(DENY_USAGE))
            return
        user_id, now = asked[0], self.s.clock()
        if user_id in self.s.settings.admin_user_ids:
            await message.reply_text(tr.gettext(IS_ADMIN).format(user=user_id))
            return
        with self.s.store.transaction() as session:
            done = access.deny(session, user_id, now=now)
            if done:  # what was composed for them and not yet sent never goes
                outbox.give_up_undelivered(session, user_id, "access denied", now)
            who = label(user_id, _name(session, user_id))
        await message.reply_text(tr.gettext(DENIED if done else DENIED_ALREADY).format(user=who))

    async def users(self, update: Update, context: Context) -> None:
        """Admins: who may use the bot, since when, and their state."""
        message, tr = await self._admin(update, "users")
        if message is None:
            return
        with self.s.store.transaction() as session:
            known = access.users(session, self.s.settings.admin_user_ids)
            own = session.get(Chat, self._id(update))
            zone = own.timezone if own is not None else self.s.settings.default_timezone
        listed = self.s.settings.allowed_user_ids
        await message.reply_text(users_text(known, self.s.clock(), zone, tr, listed))

    async def forgetme(self, update: Update, context: Context) -> None:
        """Anyone: ask to confirm deleting everything kept about them."""
        assert update.effective_message and update.effective_chat
        chat_id = update.effective_chat.id
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))
            kept = session.get(Chat, chat_id) is not None
        if not kept:
            await update.effective_message.reply_text(tr.gettext(NOTHING_KEPT))
            return
        rows = forget_buttons(chat_id, self.s.clock(), tr)
        await update.effective_message.reply_text(
            tr.gettext(FORGET_ASK), reply_markup=keyboard(rows)
        )

    async def forget_press(self, update: Update, context: Context) -> None:
        """A /forgetme button: delete everything kept about the chat, or keep it."""
        query, chat = update.callback_query, update.effective_chat
        assert query and chat
        choice = await pressed(update, self.s.store, ForgetChoice)
        if choice is None:
            return
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))  # read before the chat goes
            reply = _forget(session, choice, chat.id, self.s.clock(), tr)
        if reply is None:  # not a button this chat was sent
            await query.answer(tr.gettext(GARBLED), show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            with unless_unchanged():
                await query.message.edit_text(reply)

    async def _admin(
        self, update: Update, command: str
    ) -> tuple[Message | None, gettext.NullTranslations]:
        """The message to answer if an admin sent it; a non-admin is told it is not for them."""
        message = update.effective_message
        assert message
        with self.s.store.transaction() as session:
            tr = translator(chat_language(session, update))
        if self._id(update) in self.s.settings.admin_user_ids:
            return message, tr
        await message.reply_text(tr.gettext(ADMINS_ONLY).format(command=command))
        return None, tr

    def _id(self, update: Update) -> int:
        assert update.effective_user
        return update.effective_user.id


def _name(session: Session, user_id: int) -> str | None:
    row = session.get(Access, user_id)
    return row.name if row is not None else None


def _forget(
    session: Session,
    choice: ForgetChoice,
    chat_id: int,
    now: dt.datetime,
    tr: gettext.NullTranslations,
) -> str | None:
    """Do what a /forgetme button says and return the answer; None for another chat's button."""
    if choice.chat_id != chat_id:
        return None
    if not choice.confirm:
        return tr.gettext(KEPT)
    if forget_expired(choice, now):
        return tr.gettext(FORGET_EXPIRED)
    forgotten = chats.forget_chat(session, chat_id)
    if forgotten is None:
        return tr.gettext(NOTHING_KEPT)
    return tr.gettext(FORGOTTEN).format(answers=forgotten.answers, digests=forgotten.digests)
