"""The search engines the owner set (PAPER_SEARCH_URL, WEB_SEARCH_URL) are the ones a reader
taps in Telegram, for an item that has no link of its own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest

from bot.library.items import ItemKind
from bot.library.tokens import search_tokens
from bot.store.models import Item
from bot.telegram.handlers.common import Services
from tests.support.chat import Chat

PAPERS = "https://papers.example.cn/find?title={query}&y=1"
WEB = "https://web.example.cn/s?wd={query}"


@pytest.fixture
def services(services: Services) -> Iterator[Services]:
    """The sample library's bot, with engines of the owner's own and two items without a link."""
    engines = {"paper_search_url": PAPERS, "web_search_url": WEB}
    with services.store.transaction() as session:
        for n, (kind, title) in enumerate(
            [(ItemKind.PAPER, "Zebrafish lanterns at dusk"), (ItemKind.ARTICLE, "Zebrafish 图鉴")]
        ):
            tokens = search_tokens(title)
            session.add(Item(kind=kind, title=title, canonical_key=f"z{n}", title_tokens=tokens))
    yield Services(services.settings.model_copy(update=engines), services.store, services.clock)


def test_a_digest_searches_an_item_without_a_link_in_the_owners_engines(friend: Chat) -> None:
    friend.send("/digest zebrafish")
    digest = friend.reply().text or ""
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', digest)  # as Telegram took the HTML
    titles = {unescape(title): unescape(href) for href, title in links}
    assert titles == {
        "Zebrafish lanterns at dusk": "https://papers.example.cn/find?title=Zebrafish+lanterns+at+dusk&y=1",
        "Zebrafish 图鉴": "https://web.example.cn/s?wd=Zebrafish+%E5%9B%BE%E9%89%B4",
    }
