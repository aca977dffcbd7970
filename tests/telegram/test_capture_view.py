"""What the bot answers a capture (pure): new or known with the chat's answer, why a page or
arXiv said nothing, a feed to follow; in the chat's language, and always one message."""

from __future__ import annotations

import datetime as dt

from bot.capture.page import Page, Unread
from bot.capture.rules import Target, TargetKind
from bot.capture.service import ArxivLookup, Captured, FeedOffer
from bot.digests.fitting import utf16_len
from bot.digests.render import MAX_MESSAGE
from bot.i18n import translator
from bot.library.items import Answer, ItemKind, LibraryItem
from bot.telegram.views.capture import capture_reply

PAGE = Target(TargetKind.PAGE, url="https://example.org/p")
ITEM = LibraryItem(7, ItemKind.ARTICLE, "A post", url="https://example.org/p", source="Telegram")


def test_an_item_known_already_says_how_the_chat_answered_it() -> None:
    later = Captured(PAGE, 1, ITEM, created=False, answer=Answer.SKIPPED)
    assert capture_reply(later)[0].startswith("<b>📚 Already in your library — set aside for")
    less = Captured(PAGE, 1, ITEM, created=False, answer=Answer.LESS)
    assert "marked less like this" in capture_reply(less)[0]
    late = dt.datetime(2026, 11, 1, 20, 0, tzinfo=dt.UTC)  # Monday morning in Shanghai
    read = Captured(PAGE, 1, ITEM, answer=Answer.READ, answered_at=late)
    shown = capture_reply(read, translator("zh"), timezone="Asia/Shanghai")[0]
    assert "📚 已在你的资料库里 — 你在11月2日 周一读过" in shown


def test_an_error_status_and_an_unknown_arxiv_id_are_named() -> None:
    page = Page(
        "https://example.org/p", unread=Unread.HTTP_ERROR, detail="HTTP 404 Not Found", status=404
    )
    html, rows = capture_reply(Captured(PAGE, 1, ITEM, created=True, page=page))
    assert "(the site answered 404 Not Found), so it is filed under its link." in html
    assert rows[-1] == [["↩️ Undo", "l1:u:1"]]
    arxiv = Target(TargetKind.ARXIV, url="https://arxiv.org/abs/2401.99999", arxiv_id="2401.99999")
    paper = LibraryItem(8, ItemKind.PAPER, "", arxiv_id="2401.99999")
    html, _ = capture_reply(Captured(arxiv, 2, paper, True, arxiv=ArxivLookup.NOT_FOUND))
    assert "arXiv:2401.99999" in html
    assert "⚠️ arXiv knows no paper 2401.99999; it is filed by its id." in html


def test_a_feed_followed_already_offers_nothing() -> None:
    feed = Target(TargetKind.PAGE, url="https://example.org/feed")
    offer = FeedOffer("https://example.org/feed", "Example <Weekly>", 3, followed=True)
    html, rows = capture_reply(Captured(feed, 3, feed=offer))
    assert html == "📡 <b>Example &lt;Weekly&gt;</b> is a feed, and you follow it already."
    assert rows == []
    one = FeedOffer("https://example.org/feed", "Example", 1)
    html, rows = capture_reply(Captured(feed, 3, feed=one), translator("zh"))
    assert html.startswith("📡 <b>Example</b> 是一个订阅源（1 篇文章）")
    assert rows == [[["📡 关注这个订阅源", "l1:w:3"]]]


def test_the_answer_is_always_one_message() -> None:
    long = LibraryItem(
        9, ItemKind.ARTICLE, "&" * 300, text="<" * 1000, url="https://e.org/" + "&" * 1000
    )
    page = Page("https://e.org/", unread=Unread.CONNECT)
    html, _ = capture_reply(Captured(PAGE, 4, long, True, page=page))
    assert utf16_len(html) <= MAX_MESSAGE
