"""Three answers to a digest's items — ✅ read, ⏭ later ("not now"), 👎 less like this — by
button and by text reply, in English and Chinese. Real PTB stack, strict fake Bot API."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.digests.callbacks import MAX_BYTES
from bot.digests.compose import compose_due
from bot.digests.due import send_due_digests
from bot.library.items import Answer
from bot.store import digests
from bot.store.models import DigestMessage
from bot.telegram.background import Running
from bot.telegram.handlers.common import Services, bot_sender
from tests.support.bot import FRIEND, Clock
from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat

DIGEST_TIME = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
R, S, L = Answer.READ, Answer.SKIPPED, Answer.LESS


def daily_digest(running: Running, services: Services, clock: Clock) -> None:
    """Compose and send the daily digests due at 08:00 UTC."""
    clock.now = DIGEST_TIME
    send = bot_sender(running.application)
    report = running.run(send_due_digests(clock(), store=services.store, send=send), 10)
    assert report.sent >= 1


def given(services: Services) -> dict[int, Answer]:
    """The answers stored for the friend's latest digest, by position."""
    with services.store.transaction() as session:
        digest = digests.digest_for_answer(session, chat_id=FRIEND)
        assert digest is not None
        ids = [item.item_id for item in digest.items]
        answers = digests.answers(session, FRIEND, ids)
    return {n: answers[i] for n, i in enumerate(ids, start=1) if i in answers}


def subscribed_in_chinese(botapi: FakeBotAPI) -> Chat:
    chat = Chat(botapi, FRIEND, language_code="zh-hans")
    chat.send("/start")
    chat.reply()
    return chat


def labels(chat: Chat) -> set[str]:
    """Every button label the chat shows now."""
    return {label for message in chat.bot_messages() for label, _ in message.buttons()}


def say(chat: Chat, text: str) -> str:
    """What the bot replies to ``text``: its next new message (keyboards it redraws meanwhile,
    for this answer or the one before, are edits of older messages)."""
    sent = chat.send(text)
    reply = chat.wait_for(
        lambda: [m for m in chat.bot_messages() if m.message_id > sent],
        what=f"the reply to {text!r}",
    )
    return reply[0].visible_text or ""


def test_each_button_records_its_answer_and_its_confirmation_says_which(
    friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    daily_digest(running, services, clock)
    assert friend.buttons()[:3] == ["✅ Read 1", "⏭ Later 1", "👎 Less 1"]

    assert friend.tap("✅ Read 1")["text"] == "Marked read ✅"
    assert friend.tap("⏭ Later 2")["text"] == "Later ⏭ — not shown for 14 days"
    assert friend.tap("👎 Less 3")["text"] == "Less like this 👎 — fewer such items from now on"

    shown = ["● ✅ Read 1", "● ⏭ Later 2", "● 👎 Less 3"]
    friend.wait_for(lambda: set(shown) <= set(friend.buttons()), what="the answers shown")
    assert given(services) == {1: R, 2: S, 3: L}

    friend.tap("👎 Less 2")  # another answer replaces the first
    friend.wait_for(lambda: "● 👎 Less 2" in friend.buttons(), what="the changed answer")
    assert "⏭ Later 2" in friend.buttons()
    assert given(services) == {1: R, 2: L, 3: L}


def test_text_replies_in_english_record_all_three_and_name_each_kind(
    friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    daily_digest(running, services, clock)

    assert say(friend, "r1 l2 s3") == "Noted — read: 1; later: 3; less like this: 2."
    assert given(services) == {1: R, 2: L, 3: S}
    friend.wait_for(
        lambda: {"● ✅ Read 1", "● 👎 Less 2", "● ⏭ Later 3"} <= labels(friend),
        what="the keyboard redrawn",
    )

    assert say(friend, "not now 4, less 5 skip 1") == "Noted — later: 1, 4; less like this: 5."
    assert given(services) == {1: S, 2: L, 3: S, 4: S, 5: L}


def test_buttons_and_text_replies_in_chinese(
    botapi: FakeBotAPI, running: Running, services: Services, clock: Clock
) -> None:
    chat = subscribed_in_chinese(botapi)
    daily_digest(running, services, clock)
    assert chat.buttons()[:3] == ["✅ 已读 1", "⏭ 稍后 1", "👎 少推 1"]

    assert chat.tap("⏭ 稍后 1")["text"] == "稍后再看 ⏭ — 14 天内不再出现"
    assert chat.tap("👎 少推 2")["text"] == "少推这类 👎 — 以后这类条目会少一些"
    chat.wait_for(
        lambda: {"● ⏭ 稍后 1", "● 👎 少推 2"} <= set(chat.buttons()), what="the answers shown"
    )
    assert given(services) == {1: S, 2: L}

    assert say(chat, "已读1 不感兴趣3 跳过4") == "记下了 — 已读：1；稍后：4；少推：3。"
    assert say(chat, "少推5，稍后 2 不喜欢 4") == "记下了 — 稍后：2；少推：4、5。"
    assert given(services) == {1: R, 2: S, 3: L, 4: L, 5: L}


def test_a_digest_sent_with_the_old_skip_button_still_answers_it_as_later(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    # Composed before "less like this" existed, sent after: its keyboard is the old one.
    clock.now = DIGEST_TIME
    assert compose_due(services.store, clock()) == 1
    with services.store.transaction() as session:
        for message in session.scalars(select(DigestMessage)):
            message.buttons = [
                [[label.replace("⏭ Later", "⏭ Skip"), data] for label, data in row[:2]]
                for row in message.buttons
            ]
    daily_digest(running, services, clock)
    assert friend.buttons()[:2] == ["✅ Read 1", "⏭ Skip 1"]

    assert friend.tap("⏭ Skip 2")["text"] == "Later ⏭ — not shown for 14 days"
    assert given(services) == {2: S}
    # Redrawn as today's keyboard, "less like this" included.
    friend.wait_for(lambda: "● ⏭ Later 2" in friend.buttons(), what="the keyboard redrawn")
    assert "👎 Less 2" in friend.buttons()
    assert friend.tap("👎 Less 2")["text"].startswith("Less like this")
    assert given(services) == {2: L}


def test_the_largest_digest_goes_out_with_three_buttons_per_item(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    assert "20" in say(friend, "/size 20")
    daily_digest(running, services, clock)
    with services.store.transaction() as session:
        digest = digests.digest_for_answer(session, chat_id=FRIEND)
        assert digest is not None
        size = len(digest.items)
    for n in range(1, size + 1):
        assert {f"✅ Read {n}", f"⏭ Later {n}", f"👎 Less {n}"} <= labels(friend)
    buttons = [b for m in friend.bot_messages() for b in m.buttons()]
    # The strict fake accepted every keyboard; the data stays within Telegram's limit.
    assert all(data and len(data.encode()) <= MAX_BYTES for _, data in buttons)
    assert friend.tap(f"👎 Less {size}")["text"].startswith("Less like this")
    assert given(services)[size] is L
