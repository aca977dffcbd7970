"""Capture through Telegram: the owner sends or forwards a link, an arXiv id, a DOI, or `/add`s
a quote, and it joins the library as a digest would show it, with Undo; pages come from a
local web (tests/support/pageserver.py), papers from a local arXiv (tests/support/arxiv.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.devtools.botapi.entities import channel_origin
from bot.store.models import Capture, Item, Source, SourceKind
from bot.telegram.application import build_application
from bot.telegram.handlers.common import Services
from tests.support.arxiv import FakeArxiv, Listing
from tests.support.bot import FRIEND, OWNER, Clock
from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat, polling
from tests.support.pageserver import ARTICLE, HUGE_SIZE, PageServer

LORA = Listing(
    "2106.09685",
    "LoRA: Low-Rank Adaptation of Large Language Models",
    "We propose Low-Rank Adaptation, which freezes the pretrained weights. It trains less.",
    ("Edward J. Hu", "Yelong Shen"),
    2021,
)
Start = Callable[..., Chat]


@pytest.fixture(scope="module")
def web() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


@pytest.fixture
def start(services: Services, botapi: FakeBotAPI) -> Iterator[Start]:
    """Start the bot with capture settings (short timeouts; arXiv off unless given) and
    return the owner's chat."""
    with ExitStack() as stack:

        def started(**overrides: Any) -> Chat:
            settings = services.settings.model_copy(
                update={"capture_timeout_seconds": 1.0, "enrich": False, **overrides}
            )
            bot = dataclasses.replace(services, settings=settings)
            stack.enter_context(polling(build_application(bot)))
            return Chat(botapi, OWNER)

        yield started


def scalar(services: Services, query: Any) -> Any:
    with services.store.transaction() as session:
        return session.scalar(query)


def item_at(services: Services, url: str) -> Item | None:
    with services.store.transaction() as session:
        item = session.scalar(select(Item).where(Item.url == url))
        if item is not None:
            session.expunge(item)
        return item


def test_a_link_is_filed_under_the_pages_own_title_and_its_feed_can_be_followed(
    start: Start, services: Services, web: PageServer
) -> None:
    owner = start()
    url = web.url("/article")
    owner.send(f"worth a read: {url}")
    reply = owner.reply()
    assert reply.text is not None
    assert reply.text.startswith("<b>📥 Added to your library</b>")
    assert f'<a href="{url}">{ARTICLE["title"]}</a>' in reply.text
    assert ARTICLE["description"] in (reply.visible_text or "")
    assert ARTICLE["site"] in (reply.visible_text or "")
    labels = owner.buttons()
    assert labels == ["✅ Read 1", "⏭ Later 1", "👎 Less 1", "↩️ Undo", "📡 Follow this feed"]
    item = item_at(services, url)
    assert item is not None and item.title == ARTICLE["title"]
    assert item.notes == "worth a read"  # the owner's own words about it

    answer = owner.tap("📡 Follow this feed")
    assert answer["text"] == f"Following {ARTICLE['site']}."
    owner.reply()  # the button goes
    assert "📡 Follow this feed" not in owner.buttons()
    feed = scalar(services, select(Source).where(Source.feed_url == web.url("/feed.xml")))
    assert feed is not None and feed.kind is SourceKind.FEED and feed.name == ARTICLE["site"]


def test_a_forwarded_channel_post_files_its_hidden_link_under_the_channel(
    start: Start, services: Services, web: PageServer
) -> None:
    owner = start()
    text = "New on the blog: three passes, and why."
    link = {"type": "text_link", "offset": 17, "length": 12, "url": web.url("/moved")}
    origin = channel_origin(-1001234567890, "Reading Room", 77, username="readingroom")
    owner.send(text, entities=[link], forward_origin=origin)
    reply = owner.reply()
    assert ARTICLE["title"] in (reply.visible_text or "")
    assert "Reading Room" in (reply.visible_text or "")  # where it came from
    item = item_at(services, web.url("/moved"))
    assert item is not None and item.notes == ""  # the channel's words are not the owner's
    source = scalar(services, select(Source.name).where(Source.id == item.source_id))
    assert source == "Reading Room"


def test_an_arxiv_link_is_looked_up_on_arxiv_or_filed_by_its_id(start: Start) -> None:
    with FakeArxiv(catalogue=(LORA,), min_interval=0.05) as arxiv:
        owner = start(enrich=True, arxiv_api_url=arxiv.url, arxiv_min_interval_seconds=0.05)
        owner.send("https://arxiv.org/pdf/2106.09685v2.pdf")
        shown = owner.reply().text or ""
        assert '<a href="https://arxiv.org/abs/2106.09685">LoRA: Low-Rank Adaptation' in shown
        assert "Edward J. Hu, Yelong Shen · Telegram · 2021" in shown
        assert "We propose Low-Rank Adaptation, which freezes the pretrained weights." in shown
        assert arxiv.queries == [{"id_list": "2106.09685", "max_results": "1"}]

        arxiv.set_mode("fail")
        owner.send("arXiv:2312.00752")
        shown = owner.reply().visible_text or ""
    assert "arXiv:2312.00752" in shown  # titled by its id, linked to its abstract page
    assert "arXiv could not be asked now" in shown


def test_a_doi_files_a_paper_and_its_publishers_page_is_the_same_paper(
    start: Start, services: Services, web: PageServer
) -> None:
    owner = start()
    owner.send("10.1145/3292500.3330701")
    shown = owner.reply().text or ""
    assert '<a href="https://doi.org/10.1145/3292500.3330701">doi:10.1145/3292500.3330701</a>' in (
        shown
    )
    owner.send(web.url("/doi/10.1145/3292500.3330701"))
    again = owner.reply().visible_text or ""
    assert again.startswith("📚 Already in your library — not answered yet")
    assert "Graph Embeddings at Scale (a sample)" in again  # the page named it
    assert scalar(services, select(func.count()).select_from(Capture)) == 2
    assert [c for c in _created(services)] == [True, False]


def test_add_files_a_quote_with_its_speaker(start: Start) -> None:
    owner = start()
    owner.send("/add 鲁迅：其实地上本没有路，走的人多了，也便成了路。")
    shown = owner.reply().text or ""
    assert "<blockquote>其实地上本没有路，走的人多了，也便成了路。</blockquote>" in shown
    assert "— 鲁迅 · Telegram" in shown
    owner.send("/add Premature optimization is the root of all evil. — Donald Knuth")
    shown = owner.reply().text or ""
    assert "<blockquote>Premature optimization is the root of all evil.</blockquote>" in shown
    assert "— Donald Knuth" in shown


def test_a_paper_already_read_is_named_so_and_undo_leaves_it(
    start: Start, services: Services
) -> None:
    owner = start()
    before = scalar(services, select(func.count()).select_from(Item))
    owner.send("https://arxiv.org/abs/2005.14165v4")  # in the sample notes, marked ✅
    shown = owner.reply().visible_text or ""
    assert shown.startswith("📚 Already in your library — you read it on Mon 23 Nov")
    assert "Language Models are Few-Shot Learners" in shown
    assert "● ✅ Read 1" in owner.buttons()
    answer = owner.tap("↩️ Undo")
    assert answer["text"] == "It was in your library before you sent it, so it stays."
    assert scalar(services, select(func.count()).select_from(Item)) == before
    assert owner.tap("⏭ Later 1")["text"] == "Later ⏭ — not shown for 14 days"
    owner.reply()  # its buttons show the new answer, Undo still under them
    assert owner.buttons() == ["✅ Read 1", "● ⏭ Later 1", "👎 Less 1", "↩️ Undo"]


def test_undo_takes_back_what_the_capture_added(start: Start, services: Services) -> None:
    owner = start()
    before = scalar(services, select(func.count()).select_from(Item))
    owner.send("/add Simple things should be simple. — Alan Kay")
    owner.reply()
    assert scalar(services, select(func.count()).select_from(Item)) == before + 1
    assert owner.tap("↩️ Undo")["text"] == "Removed from your library."
    edited = owner.reply()
    assert edited.visible_text == "↩️ Removed from your library: Simple things should be simple."
    assert edited.buttons() == []
    assert scalar(services, select(func.count()).select_from(Item)) == before


def test_a_page_that_hangs_is_filed_under_its_link_and_the_reply_says_why(
    start: Start, services: Services, web: PageServer
) -> None:
    owner = start()
    url = web.url("/hang")
    owner.send(url)
    shown = owner.reply().text or ""
    assert f'<a href="{url}">{url}</a>' in shown
    assert "The page could not be read (it did not answer within 1 s)" in shown
    item = item_at(services, url)
    assert item is not None and item.title == url


def test_a_40_mb_page_is_not_read_whole(start: Start, web: PageServer) -> None:
    owner = start()
    owner.send(web.url("/huge"))
    shown = owner.reply().visible_text or ""
    assert "The page could not be read (it is larger than 5 MB)" in shown
    assert web.bytes_sent("/huge") < HUGE_SIZE / 2  # the cap, and what sockets buffer


def test_only_the_owner_adds_and_others_are_told_in_their_language(
    start: Start, botapi: FakeBotAPI, services: Services, web: PageServer
) -> None:
    start()
    friend = Chat(botapi, FRIEND, language_code="zh")
    friend.send(web.url("/article"))
    assert friend.reply().visible_text == "抱歉，只有机器人的主人才能把链接、论文和引语加入资料库。"
    friend.send("/add Simple things should be simple. — Alan Kay")
    assert friend.reply().visible_text == "抱歉，只有机器人的主人才能把链接、论文和引语加入资料库。"
    assert scalar(services, select(func.count()).select_from(Capture)) == 0


def test_answers_to_a_digest_are_never_captured(start: Start, services: Services) -> None:
    owner = start()
    owner.send("read 2")
    assert owner.reply().visible_text == "There is no digest to answer yet; try /digest."
    assert scalar(services, select(func.count()).select_from(Capture)) == 0


def test_a_feed_link_offers_to_follow_the_feed_and_files_nothing(
    start: Start, services: Services, web: PageServer
) -> None:
    owner = start()
    url = web.url("/feed.xml")
    owner.send(url)
    reply = owner.reply()
    assert reply.visible_text == (
        "📡 Lamplight Test Weekly is a feed (2 posts). Follow it, and its new posts join your "
        "digests."
    )
    assert owner.tap("📡 Follow this feed")["text"] == "Following Lamplight Test Weekly."
    feed = scalar(services, select(Source).where(Source.feed_url == url))
    assert feed is not None and feed.name == "Lamplight Test Weekly"
    assert item_at(services, url) is None


def test_captures_and_searches_keep_a_pace(start: Start, botapi: FakeBotAPI, clock: Clock) -> None:
    owner = start(captures_per_minute=1, searches_per_minute=1)
    friend = Chat(botapi, FRIEND)
    friend.send("/start")
    friend.reply()
    owner.send("/add Simple things should be simple. — Alan Kay")
    friend.send("/search attention")
    assert owner.reply().visible_text.startswith("📥 Added to your library")  # type: ignore[union-attr]
    assert "found" in (friend.reply().visible_text or "")
    clock.now += dt.timedelta(seconds=15)
    owner.send("/add Less, but better. — Dieter Rams")
    friend.send("/search attention")
    slow = "Slow down: at most 1 a minute. Try again in 45 s."
    assert owner.reply().visible_text == slow
    assert friend.reply().visible_text == slow


def _created(services: Services) -> list[bool]:
    with services.store.transaction() as session:
        return list(session.scalars(select(Capture.created).order_by(Capture.id)))
