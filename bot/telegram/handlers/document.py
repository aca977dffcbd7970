"""A notes file an admin sends as a document: imported into the library, a summary replied."""

from __future__ import annotations

import gettext

from telegram import Update

from bot.i18n import ENGLISH, N_
from bot.library.importer import ImportFileError, import_bytes, too_big
from bot.store.adding import ImportReport
from bot.store.models import ItemKind
from bot.telegram.handlers.common import Context, Handlers, translator_for

# i18n: counts in an import summary
IMPORTED_KINDS = {
    ItemKind.QUOTE: N_("{count} quotes"),
    ItemKind.PAPER: N_("{count} papers"),
    ItemKind.ARTICLE: N_("{count} articles"),
}


class DocumentHandlers(Handlers):
    """The one handler for a sent document."""

    async def import_document(self, update: Update, context: Context) -> None:
        """An admin sends a notes file: import it and reply with the summary."""
        message, user = update.effective_message, update.effective_user
        assert message and user and message.document
        tr = translator_for(self.s.store, update)
        if user.id not in self.s.settings.admin_user_ids:
            await message.reply_text(tr.gettext("Only the bot's admins can import notes files."))
            return
        document = message.document
        name = document.file_name or "notes.txt"
        limit = self.s.settings.import_max_bytes
        try:
            if document.file_size and document.file_size > limit:
                raise too_big(name, document.file_size, limit)
            telegram_file = await context.bot.get_file(document.file_id)
            data = bytes(await telegram_file.download_as_bytearray())
            report = import_bytes(
                self.s.store, name, data, settings=self.s.settings, now=self.s.clock()
            )
        except ImportFileError as exc:
            reason = exc.translated(tr)
            await message.reply_text(tr.gettext("Nothing imported. {reason}").format(reason=reason))
            return
        await message.reply_text(import_summary(name, report, tr))


def import_summary(name: str, report: ImportReport, tr: gettext.NullTranslations = ENGLISH) -> str:
    """The reply to an import: what was added, and what was known already."""
    _ = tr.gettext
    counts = [_(IMPORTED_KINDS[kind]).format(count=n) for kind, n in report.added.items() if n]
    return _(
        "Imported {name}: {added}. {duplicates} already known, "
        "{read} marked read, {feeds} newsletters added."
    ).format(
        name=name,
        added=", ".join(counts) or _("nothing new"),
        duplicates=report.duplicates,
        read=report.marked_read,
        feeds=report.feeds,
    )
