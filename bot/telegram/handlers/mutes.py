"""/mute, /unmute and /mutes: words that keep items out of a chat's digests."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, translator
from bot.store import chats
from bot.store.digests import muted_words
from bot.store.models import Chat
from bot.telegram.handlers.common import SUBSCRIBE, Context, Handlers, chat_language

MAX_WORD = 64


class MuteHandlers(Handlers):
    """Muting and unmuting a word, and the list of muted words."""

    async def mute(self, update: Update, context: Context) -> None:
        """Keep items with a word out of this chat's digests."""
        await self._muting(update, context, muting=True)

    async def unmute(self, update: Update, context: Context) -> None:
        """Let a muted word back in."""
        await self._muting(update, context, muting=False)

    async def mutes(self, update: Update, context: Context) -> None:
        """List the muted words."""
        assert update.effective_message and update.effective_chat
        with self.s.store.transaction() as session:
            words = muted_words(session, update.effective_chat.id)
            _ = translator(chat_language(session, update)).gettext
        # i18n: nothing is muted
        listing = ", ".join(words) if words else _("none")
        await update.effective_message.reply_text(_("Muted words: {words}").format(words=listing))

    async def _muting(self, update: Update, context: Context, *, muting: bool) -> None:
        assert update.effective_message and update.effective_chat
        command = "mute" if muting else "unmute"
        with self.s.store.transaction() as session:
            chat = session.get(Chat, update.effective_chat.id)
            _ = translator(chat_language(session, update)).gettext
            try:
                word = mute_word(" ".join(context.args or []))
            except ValueError as exc:
                reason = _(str(exc)).format(max=MAX_WORD)
                reply = _("{reason} Usage: /{command} crypto").format(
                    reason=reason, command=command
                )
            else:
                if chat is None or not chat.subscribed:
                    reply = _(SUBSCRIBE)
                elif muting:
                    done = chats.mute(session, chat.id, word)
                    reply = _("Muted “{word}”.") if done else _("“{word}” is muted already.")
                else:
                    done = chats.unmute(session, chat.id, word)
                    reply = _("“{word}” is back.") if done else _("“{word}” was not muted.")
                reply = reply.format(word=word)
        await update.effective_message.reply_text(reply)


def mute_word(text: str) -> str:
    """A word or short phrase to mute, matched as plain text (no patterns, so no ReDoS).

    >>> mute_word("  Crypto  ")
    'crypto'
    """
    word = " ".join(text.split()).casefold()
    if not word:
        raise ValueError(N_("Which word?"))
    if len(word) > MAX_WORD:
        # A msgid: the handler translates it and fills in {max}.
        raise ValueError(N_("A muted word is at most {max} characters."))
    return word
