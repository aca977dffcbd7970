"""What the bot answers a capture (pure): the item as a digest shows it, whether it is new or
was in the library (with the chat's answer to it), why its page or arXiv could not be read,
and its buttons: the three answers, Undo, and Follow for a feed it found."""

from __future__ import annotations

import gettext
import html
from urllib.parse import urlsplit

from bot.capture.page import Page, Unread
from bot.capture.service import ArxivLookup, Captured, FeedOffer
from bot.digests.callbacks import CaptureUndo, FeedFollow, encode
from bot.digests.fitting import utf16_len
from bot.digests.opening import DEFAULT_ENGINES, SearchEngines
from bot.digests.render import MAX_MESSAGE, DigestView, render_digest
from bot.digests.schedule import local_date
from bot.i18n import ENGLISH, N_, format_day
from bot.library.items import Answer
from bot.store.captures import Undone

Rows = list[list[list[str]]]

# The "digest" id the answer buttons under a capture carry: like search results, none.
NO_DIGEST = 0

# i18n: a button under a captured item: take it back out of the library
UNDO = N_("↩️ Undo")
# i18n: a button under a captured link: follow the feed it is or offers
FOLLOW = N_("📡 Follow this feed")
NOT_OWNER = N_("Sorry, only the bot's owner adds links, papers and quotes to the library.")
ADD_USAGE = N_(
    "Usage: /add followed by a link, an arXiv id, a DOI or a quote, e.g. "
    "/add Alan Kay: The best way to predict the future is to invent it."
)

# Why Undo leaves an item where it is (an alert).
UNDO_REFUSED = {
    Undone.WAS_THERE: N_("It was in your library before you sent it, so it stays."),
    Undone.ALREADY: N_("It is no longer in your library."),
    Undone.UNKNOWN: N_("That capture is not yours or no longer exists."),
}
# i18n: why a captured page could not be read ({seconds}, {megabytes}, {status}, {type})
UNREAD = {
    Unread.TIMEOUT: N_("it did not answer within {seconds} s"),
    Unread.TOO_LARGE: N_("it is larger than {megabytes} MB"),
    Unread.HTTP_ERROR: N_("the site answered {status}"),
    Unread.TOO_MANY_REDIRECTS: N_("it redirects too many times"),
    Unread.CONNECT: N_("the site could not be reached"),
    Unread.UNDECODABLE: N_("its content could not be decoded"),
    Unread.NOT_HTML: N_("it is not a web page ({type})"),
}
# The chat's answer to an item it sent again.
STATES = {
    Answer.READ: N_("📚 Already in your library — you read it on {day}"),
    Answer.SKIPPED: N_("📚 Already in your library — set aside for later"),
    Answer.LESS: N_("📚 Already in your library — marked less like this"),
}


def capture_reply(
    captured: Captured,
    tr: gettext.NullTranslations = ENGLISH,
    engines: SearchEngines = DEFAULT_ENGINES,
    *,
    timeout: float = 10,
    max_bytes: int = 5 * 1024 * 1024,
    timezone: str = "UTC",
) -> tuple[str, Rows]:
    """The answer to a capture as Telegram HTML, with its buttons; days in ``timezone``."""
    if captured.item is None:
        assert captured.feed is not None
        return _feed_only(captured.capture_id, captured.feed, tr)
    _ = tr.gettext
    item = captured.item
    answers = {item.id: captured.answer} if captured.answer else {}
    view = DigestView(NO_DIGEST, _heading(captured, tr, timezone), (item,), answers, engines)
    part = render_digest(view, tr)[0]
    notes = [
        note
        for note in (
            _page_note(captured.page, tr, timeout, max_bytes),
            _arxiv_note(captured, tr),
            _feed_note(captured.feed, tr),
        )
        if note
    ]
    body = "\n\n".join([part.html, *notes])
    if utf16_len(body) > MAX_MESSAGE:  # the item fills a message on its own: it comes first
        body = part.html
    rows: Rows = [[[b.text, b.data] for b in row] for row in part.buttons]
    rows.append([[_(UNDO), encode(CaptureUndo(captured.capture_id))]])
    if captured.feed is not None and not captured.feed.followed:
        rows.append([[_(FOLLOW), encode(FeedFollow(captured.capture_id))]])
    return body, rows


def _heading(captured: Captured, tr: gettext.NullTranslations, timezone: str) -> str:
    _ = tr.gettext
    if captured.created:
        return _("📥 Added to your library")
    if captured.answer is None:
        return _("📚 Already in your library — not answered yet")
    when = captured.answered_at
    day = format_day(local_date(when, timezone), tr) if when else ""
    return _(STATES[captured.answer]).format(day=day)


def _page_note(
    page: Page | None, tr: gettext.NullTranslations, timeout: float, max_bytes: int
) -> str:
    if page is None or page.unread is None:
        return ""
    _ = tr.gettext
    reason = _(UNREAD[page.unread]).format(
        seconds=f"{timeout:g}",
        megabytes=f"{max_bytes / 1024 / 1024:g}",
        status=page.detail.removeprefix("HTTP ") if page.status else "",
        type=page.media_type or "?",
    )
    note = _("⚠️ The page could not be read ({reason}), so it is filed under its link.")
    return html.escape(note.format(reason=reason), quote=False)


def _arxiv_note(captured: Captured, tr: gettext.NullTranslations) -> str:
    _ = tr.gettext
    found = html.escape(captured.target.arxiv_id or "", quote=False)
    if captured.arxiv is ArxivLookup.FAILED:
        return _(
            "⚠️ arXiv could not be asked now; the paper is filed by its id and looked up later."
        )
    if captured.arxiv is ArxivLookup.NOT_FOUND:
        return _("⚠️ arXiv knows no paper {id}; it is filed by its id.").format(id=found)
    return ""


def _feed_note(feed: FeedOffer | None, tr: gettext.NullTranslations) -> str:
    if feed is None or feed.followed:
        return ""
    _ = tr.gettext
    # i18n: Telegram HTML; keep the tags
    note = _("📡 <b>{name}</b> has a feed: follow it, and its new posts join your digests.")
    return note.format(name=html.escape(feed.name, quote=False))


def _feed_only(capture_id: int, feed: FeedOffer, tr: gettext.NullTranslations) -> tuple[str, Rows]:
    _ = tr.gettext
    name = html.escape(feed.name or urlsplit(feed.url).hostname or feed.url, quote=False)
    if feed.followed:
        # i18n: Telegram HTML; keep the tags
        return _("📡 <b>{name}</b> is a feed, and you follow it already.").format(name=name), []
    # i18n: Telegram HTML; keep the tags
    text = tr.ngettext(
        "📡 <b>{name}</b> is a feed ({count} post). Follow it, and its new posts join your "
        "digests.",
        "📡 <b>{name}</b> is a feed ({count} posts). Follow it, and its new posts join your "
        "digests.",
        feed.posts or 0,
    ).format(name=name, count=feed.posts or 0)
    return text, [[[_(FOLLOW), encode(FeedFollow(capture_id))]]]
