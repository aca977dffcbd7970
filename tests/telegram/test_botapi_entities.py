"""The fake Bot API marks a user's message as Telegram does (its links, the formatting the app
sent, where a forwarded one came from), and refuses shapes Telegram never sends."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Message, MessageOriginChannel

from bot.devtools.botapi.entities import channel_origin, user_origin
from bot.telegram.handlers.capture import incoming
from tests.support.botapi import FakeBotAPI

ALICE = 31


def sent(botapi: FakeBotAPI, text: str, **extra: Any) -> Message:
    update = botapi.user_sends(ALICE, text, **extra)
    return Message.de_json(update["message"], None)


def test_links_are_marked_in_utf16_units_and_read_back_as_the_capture_rules_see_them(
    botapi: FakeBotAPI,
) -> None:
    message = sent(botapi, "📚 see https://example.org/a, and www.example.org/b.")
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("url", 7, 21),
        ("url", 34, 17),
    ]
    assert incoming(message).links == ("https://example.org/a", "https://www.example.org/b")


def test_a_text_link_and_a_channel_origin_reach_the_bot(botapi: FakeBotAPI) -> None:
    link = {"type": "text_link", "offset": 4, "length": 4, "url": "https://example.org/post"}
    origin = channel_origin(-1001, "Reading Room", 7, username="readingroom")
    message = sent(botapi, "New post today", entities=[link], forward_origin=origin)
    assert isinstance(message.forward_origin, MessageOriginChannel)
    read = incoming(message)
    assert read.links == ("https://example.org/post",)
    assert read.origin is not None
    assert (read.origin.name, read.origin.key, read.origin.link) == (
        "Reading Room",
        "chat:-1001",
        "https://t.me/readingroom/7",
    )
    person = incoming(sent(botapi, "hi", forward_origin=user_origin(5, "Ada", "Reader")))
    assert person.origin is not None and person.origin.name == "Ada Reader"


@pytest.mark.parametrize(
    "entity",
    [
        {"type": "text_link", "offset": 0, "length": 2},  # no URL
        {"type": "text_link", "offset": 0, "length": 2, "url": "javascript:x"},
        {"type": "bold", "offset": 3, "length": 5},  # past the end
        {"type": "sparkle", "offset": 0, "length": 1},
    ],
)
def test_entities_telegram_never_sends_are_refused(
    botapi: FakeBotAPI, entity: dict[str, Any]
) -> None:
    with pytest.raises(AssertionError):
        botapi.user_sends(ALICE, "four", entities=[entity])


@pytest.mark.parametrize(
    "origin",
    [{"type": "ghost"}, {"type": "channel", "chat": {"id": -1, "type": "channel"}}],
)
def test_origins_telegram_never_sends_are_refused(
    botapi: FakeBotAPI, origin: dict[str, Any]
) -> None:
    with pytest.raises(AssertionError):
        botapi.user_sends(ALICE, "x", forward_origin=origin)
