"""/status for the bot's admins and /stats for every reader: read the store, render, reply."""

from __future__ import annotations

import asyncio
import datetime as dt
import gettext
import html
from zoneinfo import ZoneInfo

from telegram import InputFile, Update

from bot.digests.fitting import shorten, utf16_len
from bot.digests.render import MAX_MESSAGE
from bot.digests.stats import DEFAULT_WEEKS, MAX_WEEKS, caption, draw, reading_stats
from bot.i18n import language_for, translator
from bot.library.items import ItemKind
from bot.store import reports
from bot.store.models import Chat
from bot.telegram.handlers.common import Context, Handlers

ERROR_CHARS = 200
NAME_CHARS = 80


class OperatorHandlers(Handlers):
    """The two report commands; everything they show comes from bot.store.reports."""

    async def status(self, update: Update, context: Context) -> None:
        """Admins only: subscribers, the library, feeds, the last digest run and its errors."""
        user, message = update.effective_user, update.effective_message
        assert user and message
        now = self.s.clock()
        with self.s.store.transaction() as session:
            tr = translator(_language(session.get(Chat, user.id), user.language_code))
            report = reports.status(session, now) if self._is_admin(user.id) else None
        if report is None:
            await message.reply_text(tr.gettext("Sorry, only the bot's admins can see /status."))
            return
        await message.reply_html(status_html(report, now, tr))

    async def stats(self, update: Update, context: Context) -> None:
        """A picture of the chat's reading: read and skipped per week, by kind, and the streak."""
        user, chat, message = update.effective_user, update.effective_chat, update.effective_message
        assert user and chat and message
        with self.s.store.transaction() as session:
            row = session.get(Chat, chat.id)
            tr = translator(_language(row, user.language_code))
            zone = row.timezone if row else self.s.settings.default_timezone
            answered = reports.answers(session, chat.id)
        weeks = stats_weeks(context.args or [])
        if weeks is None:
            usage = tr.gettext("Usage: /stats, or /stats 12 for the last 12 weeks (1–52).")
            await message.reply_text(usage)
            return
        summary = reading_stats(answered, now=self.s.clock(), zone=ZoneInfo(zone), weeks=weeks)
        # Drawing takes a good fraction of a second (longer on the first, font-caching run):
        # off the event loop, so other chats are answered meanwhile.
        png = await asyncio.to_thread(draw, summary)
        await message.reply_photo(
            InputFile(png, filename="stats.png"), caption=caption(summary, tr)
        )

    def _is_admin(self, user_id: int) -> bool:
        return user_id in self.s.settings.admin_user_ids


def _language(chat: Chat | None, language_code: str | None) -> str:
    return chat.language if chat is not None else language_for(language_code)


def stats_weeks(args: list[str]) -> int | None:
    """How many weeks /stats shows: none given means the default; None means a bad argument.

    >>> stats_weeks([]), stats_weeks(["12"]), stats_weeks(["0"]), stats_weeks(["x"])
    (8, 12, None, None)
    """
    if not args:
        return DEFAULT_WEEKS
    if len(args) == 1 and args[0].isdigit() and 1 <= int(args[0]) <= MAX_WEEKS:
        return int(args[0])
    return None


def ago(then: dt.datetime, now: dt.datetime, tr: gettext.NullTranslations) -> str:
    """How long ago, roughly, in the reader's language.

    >>> now = dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)
    >>> en = gettext.NullTranslations()
    >>> [ago(now - dt.timedelta(minutes=m), now, en) for m in (0, 5, 150, 3000)]
    ['just now', '5 min ago', '2 h ago', '2 d ago']
    """
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return tr.gettext("just now")
    if minutes < 60:
        return tr.gettext("{n} min ago").format(n=minutes)
    if minutes < 48 * 60:
        return tr.gettext("{n} h ago").format(n=minutes // 60)
    return tr.gettext("{n} d ago").format(n=minutes // (24 * 60))


def status_html(report: reports.Status, now: dt.datetime, tr: gettext.NullTranslations) -> str:
    """/status as Telegram HTML; every stored text escaped and cut, so it fits one message."""
    title = tr.gettext("lamplight status")
    lines = [
        f"<b>{title}</b>",
        "",
        *_library_lines(report, tr),
        "",
        *_delivery_lines(report.deliveries, now, tr),
    ]
    text = "\n".join(lines)
    assert utf16_len(text) <= MAX_MESSAGE  # bounded above: a handful of lines, each cut
    return text


def _library_lines(report: reports.Status, tr: gettext.NullTranslations) -> list[str]:
    """Subscribers, items and feeds, then a line for each failing feed."""
    _ = tr.gettext
    subs, feeds, paused = report.subscribers, report.feeds, _("paused")
    lines = [
        _(
            "Subscribers: {active} active, {paused} paused, {blocked} blocked, {left} left, "
            "{denied} denied"
        ).format(
            active=subs.active,
            paused=subs.paused,
            blocked=subs.blocked,
            left=subs.left,
            denied=subs.denied,
        ),
        _("Items: {papers} papers, {articles} articles, {quotes} quotes").format(
            papers=report.items[ItemKind.PAPER],
            articles=report.items[ItemKind.ARTICLE],
            quotes=report.items[ItemKind.QUOTE],
        ),
        _("Feeds: {following} followed, {paused} paused").format(
            following=feeds.following, paused=feeds.paused
        ),
    ]
    for feed in feeds.failing:
        line = _("{name}: {count} failures, last: {error}").format(
            name=_esc(feed.name, NAME_CHARS),
            count=feed.error_count,
            error=_esc(feed.last_error or "?", ERROR_CHARS),
        )
        lines.append(f"  • {line}" + (f" ({paused})" if feed.paused else ""))
    return lines


def _delivery_lines(
    sent: reports.Deliveries, now: dt.datetime, tr: gettext.NullTranslations
) -> list[str]:
    """The last digest sent, the last day's counts, then the latest delivery errors."""
    _ = tr.gettext
    last = sent.last_sent_at
    when = f"{last.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC, {ago(last, now, tr)}" if last else None
    lines = [
        _("Last digest sent: {when}").format(when=when or _("never")),
        _("Last 24 h: {sent} digests sent, {given_up} given up; {waiting} messages waiting").format(
            sent=sent.digests_sent_last_day, given_up=sent.given_up_last_day, waiting=sent.waiting
        ),
    ]
    if sent.uncertain_last_day:
        lines.append(
            _(
                "Uncertain: {count} messages whose answer was lost (they may have arrived, "
                "so they are not sent again)"
            ).format(count=sent.uncertain_last_day)
        )
    if sent.errors:
        lines.append(_("Latest delivery errors:"))
    for error in sent.errors:
        line = _("chat {chat} ({state}, {attempts} attempts): {error}").format(
            chat=error.chat_id,
            state=error.state.value,
            attempts=error.attempts,
            error=_esc(error.error, ERROR_CHARS),
        )
        lines.append(f"  • {line}")
    return lines


def _esc(text: str, limit: int) -> str:
    """`text` cut and escaped to at most `limit` UTF-16 units of HTML (an escaped `<` is 4)."""
    room = limit
    while True:
        escaped = html.escape(shorten(text, room), quote=False)
        size = utf16_len(escaped)
        if size <= limit or room <= 1:
            return escaped
        room = max(1, room * limit // size - 1)
