"""/feeds: the followed newsletters; the bot's admins add and remove them."""

from __future__ import annotations

from telegram import Update

from bot.store.library import list_feeds
from bot.telegram.handlers.common import Context, Handlers, translator_for
from bot.telegram.sending import NO_PREVIEW
from bot.telegram.views.feeds import (
    FEEDS_USAGE,
    feeds_add_reply,
    feeds_remove_reply,
    feeds_request,
    feeds_text,
)


class FeedsHandlers(Handlers):
    """The one feeds command, its listing and its admin actions."""

    async def feeds(self, update: Update, context: Context) -> None:
        """List the followed newsletters; admins add (`/feeds add URL [name]`) and remove."""
        message, user = update.effective_message, update.effective_user
        assert message and user
        action, rest = feeds_request(context.args or [])
        tr = translator_for(self.s.store, update)
        if action in ("add", "remove") and user.id not in self.s.settings.admin_user_ids:
            await message.reply_text(
                tr.gettext("Sorry, only the bot's admins can add or remove feeds.")
            )
            return
        with self.s.store.transaction() as session:
            if action == "add":
                reply = feeds_add_reply(session, rest, self.s.clock(), tr)
            elif action == "remove":
                reply = feeds_remove_reply(session, rest, tr)
            elif action == "usage":
                reply = tr.gettext(FEEDS_USAGE)
            else:
                reply = feeds_text(list_feeds(session), tr=tr)
        await message.reply_html(reply, link_preview_options=NO_PREVIEW)
