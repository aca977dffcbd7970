"""Bot handlers: read the update, call the domain and the store, reply. Decisions live in the
pure modules; each handler is a few lines."""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session
from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.callbacks import CallbackError, ItemAnswer, PageTurn, SettingChange, decode, encode
from bot.config import Settings
from bot.importer import ImportFileError, import_bytes, too_big
from bot.items import Answer
from bot.render import DigestView, item_buttons, render_digest
from bot.replies import ReplyError, parse_answers
from bot.schedule import ScheduleError, local_date, parse_time, parse_timezone
from bot.store import chats as chat_store
from bot.store import digests as outbox
from bot.store import feeds as feed_store
from bot.store import search as search_store
from bot.store.db import Store
from bot.store.library import ImportReport, list_feeds
from bot.store.models import Chat, Digest, DigestKind, Item, Source
from bot.telegram.sending import NO_PREVIEW, SendResult, keyboard, send_html
from jobs.digests import ChatClock, Send, compose_for_chat, deliver_pending

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

HELP = """\
<b>lamplight</b> sends you one reading digest a day.

/digest — a digest now (your daily one still comes)
/time 07:30 — when the daily digest comes
/tz Asia/Shanghai — your time zone (also /tz +8)
/size 5 — items per digest (1–20)
/pause, /resume — hold or restart daily digests
/settings — your settings
/search words — find anything in the library
/mute word, /unmute word, /mutes — keep items with a word out
/stop — unsubscribe

Answer each item with its buttons, or reply <code>read 1 3</code>, <code>skip 2</code>, \
<code>r1 s2</code>."""

MAX_SIZE = 20
NO_DIGEST = "There is no digest to answer yet; try /digest."


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
            summary = settings_text(chat)
        await message.reply_html(f"Welcome! You are subscribed.\n\n{summary}\n\n{HELP}")

    async def stop(self, update: Update, context: Context) -> None:
        """Unsubscribe; reading history stays for a later /start."""
        await self._update_chat(
            update, "You are unsubscribed. /start brings you back.", subscribed=False
        )

    async def help(self, update: Update, context: Context) -> None:
        """List the commands."""
        assert update.effective_message
        await update.effective_message.reply_html(HELP)

    async def pause(self, update: Update, context: Context) -> None:
        """Hold daily digests."""
        await self._update_chat(update, "Daily digests paused. /resume restarts them.", paused=True)

    async def resume(self, update: Update, context: Context) -> None:
        """Restart daily digests."""
        await self._update_chat(update, "Daily digests resumed.", paused=False)

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
            if chat is None or not chat.subscribed:
                await update.effective_message.reply_text("Send /start to subscribe.")
                return
            text, rows = settings_text(chat), settings_buttons(chat)
        await update.effective_message.reply_html(text, reply_markup=keyboard(rows))

    async def change_setting(self, update: Update, change: SettingChange) -> None:
        """A /settings button: apply one step and redraw the settings message."""
        query = update.callback_query
        assert query and update.effective_chat
        with self.s.store.transaction() as session:
            chat = session.get(Chat, update.effective_chat.id)
            if chat is not None and chat.subscribed:
                chat_store.update_chat(session, chat.id, **setting_step(change.change, chat))
                text, rows = settings_text(chat), settings_buttons(chat)
            else:
                chat = None
        if chat is None:
            await query.answer("Send /start to subscribe.", show_alert=True)
            return
        await query.answer("Saved.")
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
            await update.effective_message.reply_text("Usage: /search 蒸馏  or  /search attention")
            return
        with self.s.store.transaction() as session:
            search_id = search_store.save_search(
                session, update.effective_chat.id, text, self.s.clock()
            )
            html_text, rows = search_page(session, update.effective_chat.id, search_id, text, 0)
        await update.effective_message.reply_html(
            html_text, reply_markup=keyboard(rows), link_preview_options=NO_PREVIEW
        )

    async def turn_page(self, update: Update, turn: PageTurn) -> None:
        """Next/Prev on search results: redraw the message with that page."""
        query = update.callback_query
        assert query and update.effective_chat
        chat_id = update.effective_chat.id
        with self.s.store.transaction() as session:
            text = search_store.saved_search(session, turn.query_id, chat_id)
            if text is not None:
                html_text, rows = search_page(session, chat_id, turn.query_id, text, turn.page)
        if text is None:
            await query.answer("That search is not yours or no longer exists.", show_alert=True)
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
        listing = ", ".join(words) if words else "none"
        await update.effective_message.reply_text(f"Muted words: {listing}")

    async def _muting(self, update: Update, context: Context, *, muting: bool) -> None:
        assert update.effective_message and update.effective_chat
        command = "mute" if muting else "unmute"
        try:
            word = mute_word(" ".join(context.args or []))
        except ValueError as exc:
            await update.effective_message.reply_text(f"{exc} Usage: /{command} crypto")
            return
        with self.s.store.transaction() as session:
            chat = session.get(Chat, update.effective_chat.id)
            if chat is None or not chat.subscribed:
                reply = "Send /start to subscribe."
            elif muting:
                done = chat_store.mute(session, chat.id, word)
                reply = f"Muted “{word}”." if done else f"“{word}” is muted already."
            else:
                done = chat_store.unmute(session, chat.id, word)
                reply = f"“{word}” is back." if done else f"“{word}” was not muted."
        await update.effective_message.reply_text(reply)

    async def digest(self, update: Update, context: Context) -> None:
        """Compose and send a digest now; it does not count as the daily one."""
        assert update.effective_message and update.effective_chat
        now, chat_id = self.s.clock(), update.effective_chat.id
        with self.s.store.transaction() as session:
            chat = session.get(Chat, chat_id)
            if chat is None or not chat.subscribed:
                made = None
            else:
                clock = ChatClock(chat.id, chat.timezone, chat.digest_time, chat.digest_size, None)
                library = outbox.library(session)
                made = compose_for_chat(
                    session, clock, library, kind=DigestKind.ON_DEMAND,
                    day=local_date(now, chat.timezone), now=now,
                )  # fmt: skip
        if made is None:
            await update.effective_message.reply_text(
                "Nothing to send: send /start first, or the library is empty."
            )
            return
        await deliver_pending(self.s.store, self._sender(context), now)

    async def answer_button(self, update: Update, context: Context) -> None:
        """A ✅/⏭ press: record it, show it on the keyboard, answer the query."""
        query = update.callback_query
        assert query and update.effective_chat
        try:
            action = decode(query.data or "")
        except CallbackError as exc:
            await query.answer(str(exc), show_alert=True)
            return
        if isinstance(action, SettingChange):
            await self.change_setting(update, action)
            return
        if isinstance(action, PageTurn):
            await self.turn_page(update, action)
            return
        if action.digest_id == SEARCH_RESULTS:
            await self.answer_search_result(update, action)
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
            await query.answer("That digest is not yours or no longer exists.", show_alert=True)
            return
        await query.answer("Marked read ✅" if action.answer is Answer.READ else "Skipped ⏭")
        if isinstance(query.message, Message):
            await _refresh_keyboard(query.message, action.digest_id, ids, given)

    async def answer_search_result(self, update: Update, action: ItemAnswer) -> None:
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
            await query.answer("That item no longer exists.", show_alert=True)
            return
        await query.answer("Marked read ✅" if action.answer is Answer.READ else "Skipped ⏭")
        await _refresh_keyboard(query.message, SEARCH_RESULTS, ids, given)

    async def answer_text(self, update: Update, context: Context) -> None:
        """`read 1 3`, `skip 2`, `r1 s2`: as a reply to a digest, or alone for the latest."""
        message, chat = update.effective_message, update.effective_chat
        assert message and chat and message.text is not None
        with self.s.store.transaction() as session:
            reply, redraw = self._record_text_answers(session, chat.id, message)
        await message.reply_text(reply)
        for message_id, rows in redraw:
            await _edit_keyboard(context, chat.id, message_id, rows)

    def _record_text_answers(
        self, session: Session, chat_id: int, message: Message
    ) -> tuple[str, list[tuple[int, list[list[list[str]]]]]]:
        """The reply to a text answer, and the digest keyboards to redraw."""
        digest = _digest_answered(session, chat_id, message)
        ids = [item.item_id for item in digest.items] if digest else []
        try:
            marks = parse_answers(message.text or "", len(ids) if digest else MAX_SIZE)
        except ReplyError as exc:
            return (str(exc) if digest else NO_DIGEST), []
        if not marks:
            return "Send /help to see what I understand.", []
        if digest is None:
            return NO_DIGEST, []
        for position, answer in marks:
            outbox.set_answer(
                session, chat_id=chat_id, item_id=ids[position - 1], answer=answer,
                now=self.s.clock(),
            )  # fmt: skip
        given = outbox.answers(session, chat_id, ids)
        redraw = [
            (m.telegram_message_id, _fresh_rows(m.buttons, digest.id, ids, given))
            for m in outbox.sent_messages(session, digest.id)
            if m.telegram_message_id is not None
        ]
        return confirmation(marks), redraw

    async def import_document(self, update: Update, context: Context) -> None:
        """An admin sends a notes file: import it and reply with the summary."""
        message, user = update.effective_message, update.effective_user
        assert message and user and message.document
        if user.id not in self.s.settings.admin_user_ids:
            await message.reply_text("Only the bot's admins can import notes files.")
            return
        document = message.document
        name = document.file_name or "notes.txt"
        limit = self.s.settings.import_max_bytes
        try:
            if document.file_size and document.file_size > limit:
                raise ImportFileError(too_big(name, document.file_size, limit))
            telegram_file = await context.bot.get_file(document.file_id)
            data = bytes(await telegram_file.download_as_bytearray())
            report = import_bytes(
                self.s.store, name, data, settings=self.s.settings, now=self.s.clock()
            )
        except ImportFileError as exc:
            await message.reply_text(f"Nothing imported. {exc}")
            return
        await message.reply_text(import_summary(name, report))

    def _defaults(self, language_code: str | None) -> dict[str, object]:
        s = self.s.settings
        return {
            "timezone": s.default_timezone,
            "digest_time": s.default_digest_time,
            "digest_size": s.default_digest_size,
            "language": "zh" if (language_code or "").startswith("zh") else "en",
        }

    def _sender(self, context: Context) -> Send:
        async def send(
            chat_id: int, body: str, buttons: Sequence[Sequence[Sequence[str]]]
        ) -> SendResult:
            return await send_html(context.bot, chat_id, body, buttons)

        return send

    async def _update_chat(self, update: Update, reply: str, **values: object) -> None:
        assert update.effective_message and update.effective_chat
        with self.s.store.transaction() as session:
            changed = chat_store.update_chat(session, update.effective_chat.id, **values)
        await update.effective_message.reply_text(reply if changed else "Send /start to subscribe.")

    async def _setting(
        self, update: Update, context: Context, name: str, parse: Callable[[str], dict[str, object]]
    ) -> None:
        assert update.effective_message and update.effective_chat
        text = " ".join(context.args or [])
        if not text:
            await update.effective_message.reply_text(f"Usage: /{name} {EXAMPLES[name]}")
            return
        try:
            values = parse(text)
        except (ScheduleError, ValueError) as exc:
            await update.effective_message.reply_text(str(exc))
            return
        with self.s.store.transaction() as session:
            chat = chat_store.update_chat(session, update.effective_chat.id, **values)
            reply = f"Saved.\n\n{settings_text(chat)}" if chat else "Send /start to subscribe."
        await update.effective_message.reply_html(reply)

    async def feeds(self, update: Update, context: Context) -> None:
        """List the followed newsletters; admins add (`/feeds add URL [name]`) and remove."""
        message, user = update.effective_message, update.effective_user
        assert message and user
        action, rest = feeds_request(context.args or [])
        if action in ("add", "remove") and user.id not in self.s.settings.admin_user_ids:
            await message.reply_text("Sorry, only the bot's admins can add or remove feeds.")
            return
        with self.s.store.transaction() as session:
            if action == "add":
                reply = feeds_add_reply(session, rest, self.s.clock())
            elif action == "remove":
                reply = feeds_remove_reply(session, rest)
            elif action == "usage":
                reply = FEEDS_USAGE
            else:
                reply = feeds_text(list_feeds(session))
        await message.reply_html(reply, link_preview_options=NO_PREVIEW)


EXAMPLES = {"time": "07:30", "tz": "Asia/Shanghai (or +8)", "size": "5"}


MAX_WORD = 64
MAX_QUERY = 4000
SEARCH_PAGE = 5
SEARCH_RESULTS = 0  # the "digest" id search-result buttons carry: no digest, any item


def search_page(
    session: Session, chat_id: int, search_id: int, text: str, page: int
) -> tuple[str, list[list[list[str]]]]:
    """One page of results as Telegram HTML with its buttons."""
    found = search_store.search(session, text, limit=SEARCH_PAGE, offset=page * SEARCH_PAGE)
    shown = html.escape(" ".join(text.split())[:100])
    if found.total == 0:
        return f"Nothing found for “{shown}”. Try a shorter query or fewer words.", []
    pages = -(-found.total // SEARCH_PAGE)
    page = min(page, pages - 1)
    items = outbox.library(session, [item.id for item in found.items])
    order = {item.id: n for n, item in enumerate(found.items)}
    items.sort(key=lambda item: order[item.id])
    given = outbox.answers(session, chat_id, list(order))
    title = f"🔎 {shown} — {found.total} found, page {page + 1} of {pages}"
    first = render_digest(DigestView(SEARCH_RESULTS, title, tuple(items), given))[0]
    rows = [[[b.text, b.data] for b in row] for row in first.buttons]
    turns = [
        [label, encode(PageTurn(search_id, target))]
        for label, target in (("◀ Prev", page - 1), ("Next ▶", page + 1))
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
        raise ValueError("Which word?")
    if len(word) > MAX_WORD:
        raise ValueError(f"A muted word is at most {MAX_WORD} characters.")
    return word


def parse_size(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_SIZE:
        raise ValueError(f"The size is a number from 1 to {MAX_SIZE}, e.g. /size 5")
    return int(text)


def settings_text(chat: Chat) -> str:
    state = "paused" if chat.paused else "active"
    return (
        "<b>Your settings</b>\n"
        f"Daily digest at {chat.digest_time:%H:%M} ({html.escape(chat.timezone)}), "
        f"{chat.digest_size} items — {state}."
    )


def import_summary(name: str, report: ImportReport) -> str:
    added = (
        ", ".join(f"{n} {kind.value}s" for kind, n in report.added.items() if n) or "nothing new"
    )
    return (
        f"Imported {name}: {added}. {report.duplicates} already known, "
        f"{report.marked_read} marked read, {report.feeds} newsletters added."
    )


def settings_buttons(chat: Chat) -> list[list[list[str]]]:
    def button(label: str, change: str) -> list[str]:
        return [label, encode(SettingChange(change))]

    hold = button("▶️ Resume", "resume") if chat.paused else button("⏸ Pause", "pause")
    return [
        [button("🕗 −1 h", "time-"), button("🕗 +1 h", "time+")],
        [button("➖ fewer items", "size-"), button("➕ more items", "size+")],
        [hold],
    ]


def setting_step(change: str, chat: Chat) -> dict[str, object]:
    """The new values one /settings button sets."""
    if change in ("pause", "resume"):
        return {"paused": change == "pause"}
    if change in ("size-", "size+"):
        step = 1 if change == "size+" else -1
        return {"digest_size": min(MAX_SIZE, max(1, chat.digest_size + step))}
    hours = 1 if change == "time+" else -1
    moved = dt.datetime.combine(dt.date(2000, 1, 1), chat.digest_time) + dt.timedelta(hours=hours)
    return {"digest_time": moved.time()}


def confirmation(marks: Sequence[tuple[int, Answer]]) -> str:
    read = [str(p) for p, a in marks if a is Answer.READ]
    skipped = [str(p) for p, a in marks if a is Answer.SKIPPED]
    parts = ([f"read: {', '.join(read)}"] if read else []) + (
        [f"skipped: {', '.join(skipped)}"] if skipped else []
    )
    return "Noted — " + "; ".join(parts) + "."


def _fresh_rows(
    rows: Sequence[Sequence[Sequence[str]]],
    digest_id: int,
    ids: Sequence[int],
    given: dict[int, Answer],
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
            buttons = item_buttons(digest_id, position, action.item_id, given.get(action.item_id))
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
    message: Message, digest_id: int, ids: Sequence[int], given: dict[int, Answer]
) -> None:
    markup = message.reply_markup
    rows = (
        [[[b.text, b.callback_data] for b in row] for row in markup.inline_keyboard]
        if markup
        else []
    )
    try:
        await message.edit_reply_markup(keyboard(_fresh_rows(rows, digest_id, ids, given)))  # type: ignore[arg-type]
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


FEEDS_USAGE = "Usage: /feeds, /feeds add URL [name], /feeds remove NAME_OR_URL"
FEEDS_LIMIT = 4096  # Telegram's limit on a message, in UTF-16 code units


def feeds_request(args: Sequence[str]) -> tuple[str, list[str]]:
    """What `/feeds …` asks: ("list" | "add" | "remove" | "usage", its arguments).

    >>> feeds_request(["add", "https://a.org/rss", "Import", "AI"])
    ('add', ['https://a.org/rss', 'Import AI'])
    >>> feeds_request(["remove", "Import", "AI"])
    ('remove', ['Import AI'])
    """
    if not args:
        return "list", []
    verb, rest = args[0].casefold(), list(args[1:])
    if verb == "add" and rest:
        return "add", [rest[0], *([" ".join(rest[1:])] if rest[1:] else [])]
    if verb == "remove" and rest:
        return "remove", [" ".join(rest)]
    return ("add" if verb == "add" else "remove" if verb == "remove" else "usage"), []


def feeds_add_reply(session: Session, args: Sequence[str], now: dt.datetime) -> str:
    if not args:
        return FEEDS_USAGE
    url, name = args[0], (args[1][:256] if len(args) > 1 else None)
    if not url.startswith(("http://", "https://")) or len(url) > 1024:
        return "A feed URL starts with http:// or https://, e.g. /feeds add https://jack-clark.net/feed/"
    if feed_store.follow(session, url, name, now):
        return f"Following {html.escape(url)}."
    return f"{html.escape(url)} is followed already."


def feeds_remove_reply(session: Session, args: Sequence[str]) -> str:
    if not args:
        return FEEDS_USAGE
    removed = feed_store.unfollow(session, args[0])
    if removed is None:
        return f"No feed named {html.escape(args[0])}; /feeds lists them."
    return f"Stopped following {html.escape(removed)}."


def feed_state(feed: Source) -> str:
    """ok, paused, no known feed, or how many fetches failed and the last error."""
    if feed.paused:
        return "paused"
    if not feed.feed_url:
        return "no known feed"
    if feed.error_count:
        return f"{feed.error_count} failures: {(feed.last_error or 'unknown error')[:200]}"
    return "ok"


def feeds_text(feeds: Sequence[Source], limit: int = FEEDS_LIMIT) -> str:
    """The followed feeds as Telegram HTML, cut (with a note) to fit one message."""
    if not feeds:
        return "No newsletters followed yet. Admins add one with /feeds add URL [name]."
    head = f"<b>Newsletters followed ({len(feeds)})</b>"
    lines = [
        f"• <b>{html.escape(f.name)}</b> — {html.escape(feed_state(f))}"
        + (f"\n  {html.escape(f.feed_url)}" if f.feed_url else "")
        for f in feeds
    ]
    shown = head
    for number, line in enumerate(lines):
        note = f"\n… and {len(lines) - number} more; <code>lamplight feeds list</code> shows all."
        if (
            _utf16_len(f"{shown}\n{line}") + (_utf16_len(note) if number < len(lines) - 1 else 0)
            > limit
        ):
            return shown + note
        shown += f"\n{line}"
    return shown


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
