"""/feeds: anyone allowed sees the newsletters followed; only admins add or remove them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from bot.store.models import Source
from bot.telegram.views.feeds import feed_state, feeds_request, feeds_text
from tests.support.bot import OWNER
from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat


def feed(name: str, **values: Any) -> Source:
    defaults: dict[str, Any] = {
        "feed_url": f"https://{name.lower().replace(' ', '-')}.example/feed",
        "paused": False,
        "error_count": 0,
        "last_error": None,
    }
    return cast(Source, SimpleNamespace(name=name, **(defaults | values)))


def owner_chat(botapi: FakeBotAPI) -> Chat:
    chat = Chat(botapi, OWNER)
    chat.send("/start")
    chat.reply()
    return chat


def test_an_admin_adds_a_feed_and_sees_it(botapi: FakeBotAPI, running: object) -> None:
    owner = owner_chat(botapi)
    owner.send("/feeds add https://jack-clark.net/feed/ Import <AI> & co")
    assert owner.reply().visible_text == "Following https://jack-clark.net/feed/."
    owner.send("/feeds add https://jack-clark.net/feed/")
    assert "followed already" in owner.reply().visible_text
    owner.send("/feeds")
    listing = owner.reply()
    assert "Import <AI> & co — ok" in listing.visible_text
    assert "Import &lt;AI&gt; &amp; co" in owner.last_html()
    assert "https://jack-clark.net/feed/" in listing.visible_text
    owner.send("/feeds remove Import <AI> & co")
    assert owner.reply().visible_text == "Stopped following Import <AI> & co."
    owner.send("/feeds remove Import <AI> & co")
    assert "No feed named" in owner.reply().visible_text
    owner.send("/feeds add ftp://old.example/feed")
    assert "starts with http://" in owner.reply().visible_text


def test_a_friend_sees_the_list_but_may_not_change_it(
    botapi: FakeBotAPI, friend: Chat, services: Any
) -> None:
    owner = owner_chat(botapi)
    owner.send("/feeds add https://jack-clark.net/feed/ Import AI")
    owner.reply()
    friend.send("/feeds add https://evil.example/feed")
    assert "only the bot's admins" in friend.reply().visible_text
    friend.send("/feeds remove Import AI")
    assert "only the bot's admins" in friend.reply().visible_text
    friend.send("/feeds")
    assert "Import AI — ok" in friend.reply().visible_text
    friend.send("/feeds frobnicate")
    assert friend.reply().visible_text.startswith("Usage: /feeds")


def test_feed_states() -> None:
    assert feed_state(feed("A")) == "ok"
    assert feed_state(feed("A", paused=True, error_count=12)) == "paused"
    assert feed_state(feed("A", feed_url=None)) == "no known feed"
    assert feed_state(feed("A", error_count=3, last_error="HTTP 500")) == "3 failures: HTTP 500"


def test_the_list_escapes_names_and_errors() -> None:
    text = feeds_text([feed("<script> & co", error_count=1, last_error="bad <xml>")])
    assert "&lt;script&gt; &amp; co" in text
    assert "1 failures: bad &lt;xml&gt;" in text
    assert "<script>" not in text
    assert feeds_text([]).startswith("No newsletters followed yet")


def test_a_long_list_is_cut_to_one_message_with_a_note() -> None:
    feeds = [feed(f"Newsletter number {n} 📰", last_error="x" * 300) for n in range(200)]
    text = feeds_text(feeds)
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert "more; <code>lamplight feeds list</code> shows all." in text
    shown = text.count("• ")
    assert f"and {200 - shown} more" in text
    assert feeds_text(feeds[:3]).count("• ") == 3


def test_the_request_is_parsed() -> None:
    assert feeds_request([]) == ("list", [])
    assert feeds_request(["ADD", "https://a.example/rss"]) == ("add", ["https://a.example/rss"])
    assert feeds_request(["add"]) == ("add", [])
    assert feeds_request(["remove"]) == ("remove", [])
    assert feeds_request(["what"]) == ("usage", [])
