"""Bot handlers: read the update, call the domain and the store, reply. Decisions live in the
pure modules; each handler is a few lines. Every text goes through the chat's translator
(bot.i18n): the language the chat chose, or its Telegram app's before /start."""

from __future__ import annotations

import datetime as dt
import gettext
import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session
from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.digests.answers import ReplyError, parse_answers
from bot.digests.callbacks import CallbackError, ItemAnswer, PageTurn, SettingChange, decode, encode
from bot.digests.compose import compose_for_chat
from bot.digests.deliver import deliver_pending
from bot.digests.departure import Departure, Send, SendResult
from bot.digests.render import DigestView, item_buttons, render_digest
from bot.digests.schedule import ScheduleError, local_date, parse_time, parse_timezone
from bot.i18n import (
    ENGLISH,
    N_,
    language_for,
    normalize_language,
    translator,
)
from bot.library.importer import ImportFileError, import_bytes, too_big
from bot.library.items import Answer
from bot.store import chats as chat_store
from bot.store import digests as outbox
from bot.store import search as search_store
from bot.store.db import Store
from bot.store.digests import ChatClock
from bot.store.library import ImportReport, list_feeds
from bot.store.models import Chat, Digest, DigestKind, Item, ItemKind
from bot.telegram.sending import NO_PREVIEW, keyboard, send_html
from bot.telegram.views.feeds import (
    FEEDS_USAGE,
    feeds_add_reply,
    feeds_remove_reply,
    feeds_request,
    feeds_text,
)
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

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

# i18n: Telegram HTML; keep the tags and the commands
HELP = N_("""\
<b>lamplight</b> sends you one reading digest a day.

/digest — a digest now (your daily one still comes)
/today — today's daily digest again
/time 07:30 — when the daily digest comes
/tz Asia/Shanghai — your time zone (also /tz +8)
/size 5 — items per digest (1–20)
/pause, /resume — hold or restart daily digests
/settings — your settings
/stats — your reading, week by week
/search words — find anything in the library
/mute word, /unmute word, /mutes — keep items with a word out
/lang — English or 中文
/stop — unsubscribe

Answer each item with its buttons, or reply <code>read 1 3</code>, <code>skip 2</code>, \
<code>r1 s2</code>.""")

NO_DIGEST = N_("There is no digest to answer yet; try /digest.")
SUBSCRIBE = N_("Send /start to subscribe.")
SAVED = N_("Saved.")
MARKED = {Answer.READ: N_("Marked read ✅"), Answer.SKIPPED: N_("Skipped ⏭")}


@dataclass
class Services:
    """What handlers work with, built once by the composition root."""

    settings: Settings
    store: Store
    clock: Callable[[], dt.datetime]


class Handlers:
    """One method per command or kind of update."""

    def __init__(self, services: Services) -> None:
        self.s = services

    async def start(self, update: Update, context: Context) -> None:
        """Subscribe, with the default settings and the user's language."""
        user, message = update.effective_user, update.effective_message
        assert user and message
        with self.s.store.transaction() as session:
            chat = chat_store.subscribe(
                session, user.id, self._defaults(user.language_code), self.s.clock()
            )
            if self.s.settings.admin_user_ids[:1] == (user.id,):
                chat_store.merge_local_owner(session, user.id)
            tr = translator(chat.language)
            summary = settings_text(chat, tr)
        _ = tr.gettext
        # Not inside the f-string: Babel cannot see calls there (before Python 3.12).
        welcome = _("Welcome! You are subscribed.")
        await message.reply_html(f"{welcome}\n\n{summary}\n\n{_(HELP)}")

    async def stop(self, update: Update, context: Context) -> None:
        """Unsubscribe; reading history stays for a later /start."""
        await self._update_chat(
            update, N_("You are unsubscribed. /start brings you back."), subscribed=False
        )

    async def help(self, update: Update, context: Context) -> None:
        """List the commands."""
        assert update.effective_message
        await update.effective_message.reply_html(self.translator_for(update).gettext(HELP))

    async def pause(self, update: Update, context: Context) -> None:
        """Hold daily digests."""
        await self._update_chat(
            update, N_("Daily digests paused. /resume restarts them."), paused=True
        )

    async def resume(self, update: Update, context: Context) -> None:
        """Restart daily digests."""
        await self._update_chat(update, N_("Daily digests resumed."), paused=False)

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
            tr = translator(self._language(session, update))
            if chat is None or not chat.subscribed:
                await update.effective_message.reply_text(tr.gettext(SUBSCRIBE))
                return
            text, rows = settings_text(chat, tr), settings_buttons(chat, tr)
        await update.effective_message.reply_html(text, reply_markup=keyboard(rows))

    async def lang(self, update: Update, context: Context) -> None:
        """Show the chat's language with a button per language, or set it: /lang zh."""
        assert update.effective_message and update.effective_chat
        asked = " ".join(context.args or [])
        wanted = normalize_language(asked)
        with self.s.store.transaction() as session:
            chat = session.get(Chat, update.effective_chat.id)
            tr = translator(self._language(session, update))
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

    async def change_setting(self, update: Update, change: SettingChange) -> None:
        """A /settings or /lang button: apply one step and redraw its message."""
        query = update.callback_query
        assert query and update.effective_chat
        with self.s.store.transaction() as session:
            chat = session.get(Chat, update.effective_chat.id)
            tr = translator(self._language(session, update))
            if chat is not None and chat.subscribed:
                chat_store.update_chat(session, chat.id, **setting_step(change.change, chat))
                tr = translator(chat.language)  # a /lang button answers in the new language
                if change.change.startswith("lang-"):
                    text, rows = language_text(chat.language, tr), language_buttons(chat.language)
                else:
                    text, rows = settings_text(chat, tr), settings_buttons(chat, tr)
            else:
                chat = None
        if chat is None:
            await query.answer(tr.gettext(SUBSCRIBE), show_alert=True)
            return
        await query.answer(tr.gettext(SAVED))
        if isinstance(query.message, Message):
            try:
                await query.message.edit_text(text, parse_mode="HTML", reply_markup=keyboard(rows))
            except BadRequest as exc:
                if "not modified" not in exc.message:
                    raise

    async def search(self, update: Update, context: Context) -> None:
        """Search the whole library; results come 5 a page with Next/Prev and ✅/⏭ buttons."""
        assert update.effective_message and update.effective_chat
        text = " ".join(context.args or [])[:MAX_QUERY]
        if not text.strip():
            _ = self.translator_for(update).gettext
            await update.effective_message.reply_text(
                _("Usage: /search 蒸馏  or  /search attention")
            )
            return
        with self.s.store.transaction() as session:
            tr = translator(self._language(session, update))
            search_id = search_store.save_search(
                session, update.effective_chat.id, text, self.s.clock()
            )
            html_text, rows = search_page(session, update.effective_chat.id, search_id, text, 0, tr)
        await update.effective_message.reply_html(
            html_text, reply_markup=keyboard(rows), link_preview_options=NO_PREVIEW
        )

    async def turn_page(self, update: Update, turn: PageTurn, tr: gettext.NullTranslations) -> None:
        """Next/Prev on search results: redraw the message with that page."""
        query = update.callback_query
        assert query and update.effective_chat
        chat_id = update.effective_chat.id
        with self.s.store.transaction() as session:
            text = search_store.saved_search(session, turn.query_id, chat_id)
            if text is not None:
                html_text, rows = search_page(session, chat_id, turn.query_id, text, turn.page, tr)
        if text is None:
            await query.answer(
                tr.gettext("That search is not yours or no longer exists."), show_alert=True
            )
            return
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(
                html_text, parse_mode="HTML", reply_markup=keyboard(rows),
                link_preview_options=NO_PREVIEW,
            )  # fmt: skip

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
            words = outbox.muted_words(session, update.effective_chat.id)
            _ = translator(self._language(session, update)).gettext
        # i18n: nothing is muted
        listing = ", ".join(words) if words else _("none")
        await update.effective_message.reply_text(_("Muted words: {words}").format(words=listing))

    async def _muting(self, update: Update, context: Context, *, muting: bool) -> None:
        assert update.effective_message and update.effective_chat
        command = "mute" if muting else "unmute"
        with self.s.store.transaction() as session:
            chat = session.get(Chat, update.effective_chat.id)
            _ = translator(self._language(session, update)).gettext
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
                    done = chat_store.mute(session, chat.id, word)
                    reply = _("Muted “{word}”.") if done else _("“{word}” is muted already.")
                else:
                    done = chat_store.unmute(session, chat.id, word)
                    reply = _("“{word}” is back.") if done else _("“{word}” was not muted.")
                reply = reply.format(word=word)
        await update.effective_message.reply_text(reply)

    async def digest(self, update: Update, context: Context) -> None:
        """Compose and send a digest now; it does not count as the daily one."""
        assert update.effective_message and update.effective_chat
        now, chat_id = self.s.clock(), update.effective_chat.id
        with self.s.store.transaction() as session:
            chat = session.get(Chat, chat_id)
            _ = translator(self._language(session, update)).gettext
            if chat is None or not chat.subscribed:
                made = None
            else:
                clock = ChatClock(
                    chat.id, chat.timezone, chat.digest_time, chat.digest_size, None,
                    chat.language,
                )  # fmt: skip
                library = outbox.library(session)
                made = compose_for_chat(
                    session, clock, library, kind=DigestKind.ON_DEMAND,
                    day=local_date(now, chat.timezone), now=now,
                )  # fmt: skip
        if made is None:
            await update.effective_message.reply_text(
                _("Nothing to send: send /start first, or the library is empty.")
            )
            return
        # The caller's own messages only: the sweep sends everyone else's.
        await deliver_pending(self.s.store, self._sender(context), self.s.clock, only={chat_id})

    async def answer_button(self, update: Update, context: Context) -> None:
        """A ✅/⏭ press: record it, show it on the keyboard, answer the query."""
        query = update.callback_query
        assert query and update.effective_chat
        tr = self.translator_for(update)
        try:
            action = decode(query.data or "")
        except CallbackError as exc:
            await query.answer(tr.gettext(str(exc)), show_alert=True)  # its message is a msgid
            return
        if isinstance(action, SettingChange):
            await self.change_setting(update, action)
            return
        if isinstance(action, PageTurn):
            await self.turn_page(update, action, tr)
            return
        if action.digest_id == SEARCH_RESULTS:
            await self.answer_search_result(update, action, tr)
            return
        chat_id = update.effective_chat.id
        with self.s.store.transaction() as session:
            digest = outbox.digest_for_answer(session, chat_id=chat_id, digest_id=action.digest_id)
            ids = [item.item_id for item in digest.items] if digest else []
            if action.item_id not in ids:
                digest = None
            else:
                outbox.set_answer(
                    session, chat_id=chat_id, item_id=action.item_id, answer=action.answer,
                    now=self.s.clock(),
                )  # fmt: skip
                given = outbox.answers(session, chat_id, ids)
        if digest is None:
            await query.answer(
                tr.gettext("That digest is not yours or no longer exists."), show_alert=True
            )
            return
        await query.answer(tr.gettext(MARKED[action.answer]))
        if isinstance(query.message, Message):
            await _refresh_keyboard(query.message, action.digest_id, ids, given, tr)

    async def answer_search_result(
        self, update: Update, action: ItemAnswer, tr: gettext.NullTranslations
    ) -> None:
        """✅/⏭ under a search result: the same read/skip as in a digest."""
        query = update.callback_query
        assert query and update.effective_chat and isinstance(query.message, Message)
        chat_id = update.effective_chat.id
        ids = _answer_item_ids(query.message)
        with self.s.store.transaction() as session:
            known = action.item_id in ids and session.get(Item, action.item_id) is not None
            if known:
                outbox.set_answer(
                    session, chat_id=chat_id, item_id=action.item_id, answer=action.answer,
                    now=self.s.clock(),
                )  # fmt: skip
                given = outbox.answers(session, chat_id, ids)
        if not known:
            await query.answer(tr.gettext("That item no longer exists."), show_alert=True)
            return
        await query.answer(tr.gettext(MARKED[action.answer]))
        await _refresh_keyboard(query.message, SEARCH_RESULTS, ids, given, tr)

    async def answer_text(self, update: Update, context: Context) -> None:
        """`read 1 3`, `skip 2`, `r1 s2`: as a reply to a digest, or alone for the latest."""
        message, chat = update.effective_message, update.effective_chat
        assert message and chat and message.text is not None
        with self.s.store.transaction() as session:
            tr = translator(self._language(session, update))
            reply, redraw = self._record_text_answers(session, chat.id, message, tr)
        await message.reply_text(reply)
        for message_id, rows in redraw:
            await _edit_keyboard(context, chat.id, message_id, rows)

    def _record_text_answers(
        self, session: Session, chat_id: int, message: Message, tr: gettext.NullTranslations
    ) -> tuple[str, list[tuple[int, list[list[list[str]]]]]]:
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
            outbox.set_answer(
                session, chat_id=chat_id, item_id=ids[position - 1], answer=answer,
                now=self.s.clock(),
            )  # fmt: skip
        given = outbox.answers(session, chat_id, ids)
        redraw = [
            (m.telegram_message_id, _fresh_rows(m.buttons, digest.id, ids, given, tr))
            for m in outbox.sent_messages(session, digest.id)
            if m.telegram_message_id is not None
        ]
        return confirmation(marks, tr), redraw

    async def import_document(self, update: Update, context: Context) -> None:
        """An admin sends a notes file: import it and reply with the summary."""
        message, user = update.effective_message, update.effective_user
        assert message and user and message.document
        tr = self.translator_for(update)
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

    def _defaults(self, language_code: str | None) -> dict[str, object]:
        s = self.s.settings
        return {
            "timezone": s.default_timezone,
            "digest_time": s.default_digest_time,
            "digest_size": s.default_digest_size,
            "language": language_for(language_code),
        }

    def _language(self, session: Session, update: Update) -> str:
        """The chat's chosen language; before /start, the one its Telegram app reports."""
        chat = session.get(Chat, update.effective_chat.id) if update.effective_chat else None
        if chat is not None and chat.joined_at is not None:
            return chat.language
        return self.telegram_language(update)

    @staticmethod
    def telegram_language(update: Update) -> str:
        user = update.effective_user
        return language_for(user.language_code if user else None)

    def translator_for(self, update: Update) -> gettext.NullTranslations:
        """The translations for the chat `update` comes from."""
        with self.s.store.transaction() as session:
            return translator(self._language(session, update))

    def _sender(self, context: Context) -> Send:
        async def send(
            chat_id: int,
            body: str,
            buttons: Sequence[Sequence[Sequence[str]]],
            *,
            departure: Departure | None = None,
        ) -> SendResult:
            return await send_html(context.bot, chat_id, body, buttons, departure=departure)

        return send

    async def _update_chat(self, update: Update, reply: str, **values: object) -> None:
        """Change the chat's settings and answer with `reply`, a msgid."""
        assert update.effective_message and update.effective_chat
        with self.s.store.transaction() as session:
            changed = chat_store.update_chat(session, update.effective_chat.id, **values)
            _ = translator(self._language(session, update)).gettext
        await update.effective_message.reply_text(_(reply if changed else SUBSCRIBE))

    async def _setting(
        self, update: Update, context: Context, name: str, parse: Callable[[str], dict[str, object]]
    ) -> None:
        assert update.effective_message and update.effective_chat
        text = " ".join(context.args or [])
        tr = self.translator_for(update)
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
            chat = chat_store.update_chat(session, update.effective_chat.id, **values)
            reply = f"{_(SAVED)}\n\n{settings_text(chat, tr)}" if chat else _(SUBSCRIBE)
        await update.effective_message.reply_html(reply)

    async def feeds(self, update: Update, context: Context) -> None:
        """List the followed newsletters; admins add (`/feeds add URL [name]`) and remove."""
        message, user = update.effective_message, update.effective_user
        assert message and user
        action, rest = feeds_request(context.args or [])
        tr = self.translator_for(update)
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


MAX_WORD = 64
MAX_QUERY = 4000
SEARCH_PAGE = 5
SEARCH_RESULTS = 0  # the "digest" id search-result buttons carry: no digest, any item


def search_page(
    session: Session,
    chat_id: int,
    search_id: int,
    text: str,
    page: int,
    tr: gettext.NullTranslations = ENGLISH,
) -> tuple[str, list[list[list[str]]]]:
    """One page of results as Telegram HTML with its buttons."""
    _ = tr.gettext
    found = search_store.search(session, text, limit=SEARCH_PAGE, offset=page * SEARCH_PAGE)
    shown = html.escape(" ".join(text.split())[:100])
    if found.total == 0:
        return _("Nothing found for “{query}”. Try a shorter query or fewer words.").format(
            query=shown
        ), []
    pages = -(-found.total // SEARCH_PAGE)
    page = min(page, pages - 1)
    items = outbox.library(session, [item.id for item in found.items])
    order = {item.id: n for n, item in enumerate(found.items)}
    items.sort(key=lambda item: order[item.id])
    given = outbox.answers(session, chat_id, list(order))
    more = "+" if found.capped else ""  # past 10,000 results, there are more pages than shown
    title = _("🔎 {query} — {total} found, page {page} of {pages}").format(
        query=shown, total=found.total_text(), page=page + 1, pages=f"{pages:,}{more}"
    )
    first = render_digest(DigestView(SEARCH_RESULTS, title, tuple(items), given), tr)[0]
    rows = [[[b.text, b.data] for b in row] for row in first.buttons]
    turns = [
        [label, encode(PageTurn(search_id, target))]
        for label, target in ((_("◀ Prev"), page - 1), (_("Next ▶"), page + 1))
        if 0 <= target < pages
    ]
    return first.html, [*rows, turns] if turns else rows


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


# i18n: counts in an import summary
IMPORTED_KINDS = {
    ItemKind.QUOTE: N_("{count} quotes"),
    ItemKind.PAPER: N_("{count} papers"),
    ItemKind.ARTICLE: N_("{count} articles"),
}


def import_summary(name: str, report: ImportReport, tr: gettext.NullTranslations = ENGLISH) -> str:
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


def confirmation(
    marks: Sequence[tuple[int, Answer]], tr: gettext.NullTranslations = ENGLISH
) -> str:
    """
    >>> confirmation([(1, Answer.READ), (2, Answer.SKIPPED), (3, Answer.READ)])
    'Noted — read: 1, 3; skipped: 2.'
    """
    _ = tr.gettext
    read = ", ".join(str(p) for p, a in marks if a is Answer.READ)
    skipped = ", ".join(str(p) for p, a in marks if a is Answer.SKIPPED)
    parts = ([_("read: {positions}").format(positions=read)] if read else []) + (
        [_("skipped: {positions}").format(positions=skipped)] if skipped else []
    )
    # i18n: separates the read and the skipped positions
    return _("Noted — {answers}.").format(answers=_("; ").join(parts))


def _fresh_rows(
    rows: Sequence[Sequence[Sequence[str]]],
    digest_id: int,
    ids: Sequence[int],
    given: dict[int, Answer],
    tr: gettext.NullTranslations = ENGLISH,
) -> list[list[list[str]]]:
    """The stored keyboard of one message, redrawn with the answers given so far."""
    fresh = []
    for row in rows:
        try:
            action = decode(row[0][1])
        except CallbackError:
            fresh.append([list(b) for b in row])
            continue
        if isinstance(action, ItemAnswer) and action.item_id in ids:
            position = ids.index(action.item_id) + 1
            buttons = item_buttons(
                digest_id, position, action.item_id, given.get(action.item_id), tr
            )
            fresh.append([[b.text, b.data] for b in buttons])
        elif not isinstance(action, ItemAnswer):
            fresh.append([list(b) for b in row])  # e.g. Next/Prev under search results
    return fresh


def _digest_answered(session: Session, chat_id: int, message: Message) -> Digest | None:
    """The digest a text answer is about: the one it replies to, else the chat's latest."""
    replied = message.reply_to_message
    if replied is None:
        return outbox.digest_for_answer(session, chat_id=chat_id)
    digest = outbox.digest_by_message(session, chat_id, replied.message_id)
    if digest is None and (shown := _digest_on_buttons(replied)):
        # A part whose `sent` was lost in a crash has no message id stored; its buttons
        # still name the digest (checked against this chat like a press).
        digest = outbox.digest_for_answer(session, chat_id=chat_id, digest_id=shown)
    return digest


def _answer_item_ids(message: Message) -> list[int]:
    """The item ids a message's ✅/⏭ buttons name, in order."""
    rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
    ids: list[int] = []
    for row in rows:
        try:
            action = decode(str(row[0].callback_data or ""))
        except CallbackError:
            continue
        if isinstance(action, ItemAnswer):
            ids.append(action.item_id)
    return ids


def _digest_on_buttons(message: Message) -> int | None:
    """The digest named by a message's ✅/⏭ buttons, if it shows any."""
    rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
    for button in (b for row in rows for b in row):
        try:
            action = decode(str(button.callback_data or ""))
        except CallbackError:
            continue
        if isinstance(action, ItemAnswer):
            return action.digest_id
    return None


async def _refresh_keyboard(
    message: Message,
    digest_id: int,
    ids: Sequence[int],
    given: dict[int, Answer],
    tr: gettext.NullTranslations,
) -> None:
    markup = message.reply_markup
    rows = (
        [[[b.text, b.callback_data] for b in row] for row in markup.inline_keyboard]
        if markup
        else []
    )
    try:
        # PTB types callback_data as any object (arbitrary callback data, unused here): the
        # bot's buttons carry str data, and decode refuses anything else.
        fresh = _fresh_rows(rows, digest_id, ids, given, tr)  # type: ignore[arg-type]
        await message.edit_reply_markup(keyboard(fresh))
    except BadRequest as exc:
        if "not modified" not in exc.message:  # a repeated press changes nothing: stay quiet
            raise


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
