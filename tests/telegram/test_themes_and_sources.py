"""`/digest WORDS`, a digest on a theme, and `/sources`, a reader's level per source, through
the real PTB stack on the strict fake Bot API, on the sample notes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.digests.callbacks import SourceLevelChange, encode
from bot.library.items import SourceLevel
from bot.store import digests
from bot.store.models import Digest, DigestItem, Item, Source
from bot.telegram.handlers.common import Services
from tests.support.bot import FRIEND, OWNER, Clock
from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat


def say(chat: Chat, text: str) -> str:
    """What the bot replies to ``text``: its next new message."""
    sent = chat.send(text)
    reply = chat.wait_for(
        lambda: [m for m in chat.bot_messages() if m.message_id > sent],
        what=f"the reply to {text!r}",
    )
    return reply[0].visible_text or ""


def latest_digest(services: Services) -> list[tuple[str, str]]:
    """(title, section) of each item of the friend's latest digest, in order."""
    with services.store.transaction() as session:
        digest = digests.digest_for_answer(session, chat_id=FRIEND)
        assert digest is not None
        ids = [entry.item_id for entry in digest.items]
        items = {item.id: item for item in digests.library(session, ids)}
    return [(items[i].title, items[i].topic) for i in ids]


def test_a_digest_on_words_holds_only_what_matches_them_and_answers_as_any(
    friend: Chat, services: Services
) -> None:
    shown = say(friend, "/digest 扩散模型")
    assert shown.startswith("Your reading on “扩散模型” for Mon 23 Nov")
    items = latest_digest(services)
    # The section so named, and the items /search ranks first for its words; fewer than the
    # digest's five, so all of them.
    assert len(items) == 3
    assert all(topic == "扩散模型" or "扩散模型" in title for title, topic in items)
    assert friend.tap("✅ Read 1")["text"] == "Marked read ✅"
    friend.wait_for(lambda: "● ✅ Read 1" in friend.buttons(), what="the answer shown")


def test_words_that_match_nothing_are_named_in_either_language(
    friend: Chat, botapi: FakeBotAPI
) -> None:
    assert say(friend, "/digest zebra  crossing") == (
        "Nothing in the library matches “zebra crossing”. Try other words or a section's "
        "name; /search shows what there is."
    )
    # A button naming a source that is gone (or never was) says so.
    data = encode(SourceLevelChange(10_000, SourceLevel.NEVER))
    query = botapi.user_taps(FRIEND, friend.last_message().message_id, data, forge=True)
    answer = friend.wait_for(lambda: botapi.answer(query), what="the tap answered")
    assert answer["text"] == "That source no longer exists." and answer["show_alert"]

    owner = Chat(botapi, OWNER, language_code="zh-hans")
    owner.send("/start")
    owner.reply()
    assert say(owner, "/digest 斑马") == (
        "资料库里没有和“斑马”相符的条目。换几个词或者用章节名试试；/search 可以看看有什么。"
    )


def stream_items(services: Services) -> set[int]:
    with services.store.transaction() as session:
        stream = session.scalars(select(Source.id).where(Source.name == "stream.txt")).one()
        return set(session.scalars(select(Item.id).where(Item.source_id == stream)))


def digested(services: Services) -> list[int]:
    """Every item of every digest the friend got."""
    with services.store.transaction() as session:
        rows = session.scalars(
            select(DigestItem.item_id).join(Digest).where(Digest.chat_id == FRIEND)
        )
        return list(rows)


def test_a_source_set_to_never_stops_coming_and_its_button_redraws_the_list(
    friend: Chat, services: Services, clock: Clock
) -> None:
    listed = say(friend, "/sources")
    assert "1. 📄 collection.md · 4 items — = normal" in listed
    assert "3. 📄 stream.txt · 7 items — = normal" in listed
    sources = friend.last_message()
    assert friend.buttons()[:4] == ["➕ more 1", "● = normal 1", "➖ less 1", "🚫 never 1"]

    assert friend.tap("🚫 never 3")["text"] == "stream.txt: 🚫 never"
    redrawn = friend.wait_for(
        lambda: (m := friend.botapi.message(FRIEND, sources.message_id)).edits and m,
        what="the list redrawn",
    )
    assert "3. 📄 stream.txt · 7 items — 🚫 never" in (redrawn.visible_text or "")
    assert "● 🚫 never 3" in [label for label, _ in redrawn.buttons()]

    for _ in range(2):  # the nine items left come, then come again: stream.txt's never do
        clock.now += dt.timedelta(days=1)
        assert say(friend, "/digest").startswith("Your reading for")
    shown = digested(services)
    assert len(shown) == 10
    assert not set(shown) & stream_items(services)
