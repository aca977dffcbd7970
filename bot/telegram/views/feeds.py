"""/feeds: its arguments, and what it answers (pure, apart from the store calls of add and
remove, which run in the handler's transaction)."""

from __future__ import annotations

import datetime as dt
import gettext
import html
from collections.abc import Sequence

from sqlalchemy.orm import Session

from bot.digests.fitting import utf16_len
from bot.digests.render import MAX_MESSAGE
from bot.i18n import ENGLISH, N_
from bot.store.feeds import follow, unfollow
from bot.store.models import Source

FEEDS_USAGE = N_("Usage: /feeds, /feeds add URL [name], /feeds remove NAME_OR_URL")


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


def feeds_add_reply(
    session: Session, args: Sequence[str], now: dt.datetime, tr: gettext.NullTranslations = ENGLISH
) -> str:
    _ = tr.gettext
    if not args:
        return _(FEEDS_USAGE)
    url, name = args[0], (args[1][:256] if len(args) > 1 else None)
    if not url.startswith(("http://", "https://")) or len(url) > 1024:
        return _(
            "A feed URL starts with http:// or https://, e.g. /feeds add https://jack-clark.net/feed/"
        )
    if follow(session, url, name, now):
        return _("Following {url}.").format(url=html.escape(url))
    return _("{url} is followed already.").format(url=html.escape(url))


def feeds_remove_reply(
    session: Session, args: Sequence[str], tr: gettext.NullTranslations = ENGLISH
) -> str:
    _ = tr.gettext
    if not args:
        return _(FEEDS_USAGE)
    removed = unfollow(session, args[0])
    if removed is None:
        return _("No feed named {name}; /feeds lists them.").format(name=html.escape(args[0]))
    return _("Stopped following {name}.").format(name=html.escape(removed))


def feed_state(feed: Source, tr: gettext.NullTranslations = ENGLISH) -> str:
    """ok, paused, no known feed, or how many fetches failed and the last error."""
    _ = tr.gettext
    if feed.paused:
        # i18n: a feed's state
        return _("paused")
    if not feed.feed_url:
        return _("no known feed")
    if feed.error_count:
        return _("{count} failures: {error}").format(
            count=feed.error_count, error=(feed.last_error or _("unknown error"))[:200]
        )
    # i18n: a feed's state
    return _("ok")


def feeds_text(
    feeds: Sequence[Source], limit: int = MAX_MESSAGE, tr: gettext.NullTranslations = ENGLISH
) -> str:
    """The followed feeds as Telegram HTML, cut (with a note) to fit one message."""
    _ = tr.gettext
    if not feeds:
        return _("No newsletters followed yet. Admins add one with /feeds add URL [name].")
    # i18n: Telegram HTML; keep the tags
    head = _("<b>Newsletters followed ({count})</b>").format(count=len(feeds))
    lines = [
        f"• <b>{html.escape(f.name)}</b> — {html.escape(feed_state(f, tr))}"
        + (f"\n  {html.escape(f.feed_url)}" if f.feed_url else "")
        for f in feeds
    ]
    shown = head
    for number, line in enumerate(lines):
        # i18n: Telegram HTML; keep the tags
        more = _("… and {count} more; <code>lamplight feeds list</code> shows all.")
        note = "\n" + more.format(count=len(lines) - number)
        if (
            utf16_len(f"{shown}\n{line}") + (utf16_len(note) if number < len(lines) - 1 else 0)
            > limit
        ):
            return shown + note
        shown += f"\n{line}"
    return shown
