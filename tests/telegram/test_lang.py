"""The bot speaks the user's language: Chinese for a Telegram app set to Chinese, English
otherwise, and /lang (or its buttons) changes it. Real PTB stack, fake Bot API."""

from __future__ import annotations

import datetime as dt

from bot.digests.due import send_due_digests
from bot.store.models import Chat as ChatRow
from bot.telegram.background import Running
from bot.telegram.handlers.common import Services, bot_sender
from tests.support.bot import FRIEND, OWNER, STRANGER, Clock
from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat


def subscribed(botapi: FakeBotAPI, language_code: str) -> Chat:
    chat = Chat(botapi, FRIEND, language_code=language_code)
    chat.send("/start")
    chat.reply()
    return chat


def say(chat: Chat, text: str) -> str:
    chat.send(text)
    return chat.reply().visible_text or ""


def stored_language(services: Services) -> str | None:
    with services.store.transaction() as session:
        row = session.get(ChatRow, FRIEND)
        return row.language if row else None


def daily_digest_at(running: Running, services: Services, clock: Clock, chat: Chat) -> str:
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    send = bot_sender(running.application)
    report = running.run(send_due_digests(clock(), store=services.store, send=send), 10)
    assert report.sent >= 1
    return chat.last_text()


def test_a_chinese_telegram_user_gets_chinese_help_settings_and_digest(
    botapi: FakeBotAPI, running: Running, services: Services, clock: Clock
) -> None:
    chat = Chat(botapi, FRIEND, language_code="zh-hans")
    welcome = say(chat, "/start")
    assert "欢迎！你已订阅。" in welcome
    assert "每天 08:00（UTC）发送每日摘要，每份 5 条" in welcome
    assert stored_language(services) == "zh"

    assert "每天给你发一份阅读摘要" in say(chat, "/help")

    digest = daily_digest_at(running, services, clock, chat)
    assert digest.startswith("你的阅读 · 11月23日 周一")
    assert "Your reading" not in digest
    assert chat.buttons()[:3] == ["✅ 已读 1", "⏭ 稍后 1", "👎 少推 1"]

    assert chat.tap("✅ 已读 1").get("text") == "已标为已读 ✅"
    chat.wait_for(lambda: "● ✅ 已读 1" in chat.buttons(), what="the redrawn Chinese keyboard")


def test_lang_en_switches_to_english_and_the_reply_comes_in_english(
    botapi: FakeBotAPI, running: Running, services: Services
) -> None:
    chat = subscribed(botapi, "zh-TW")
    assert say(chat, "/lang en") == "From now on I speak English."
    assert stored_language(services) == "en"
    assert "sends you one reading digest a day" in say(chat, "/help")
    assert say(chat, "/lang 中文") == "好的，接下来我和你说中文。"
    assert stored_language(services) == "zh"


def test_the_lang_buttons_switch_the_language_in_place(
    botapi: FakeBotAPI, running: Running, services: Services
) -> None:
    chat = subscribed(botapi, "en-GB")
    assert "I speak English with you" in say(chat, "/lang")
    assert chat.buttons() == ["● English", "中文"]

    assert chat.tap("中文").get("text") == "已保存。"
    redrawn = chat.reply()
    assert "现在我和你说中文" in (redrawn.visible_text or "")
    assert [label for label, _ in redrawn.buttons()] == ["English", "● 中文"]
    assert stored_language(services) == "zh"
    assert "你的设置" in say(chat, "/settings")


def test_an_unknown_language_is_answered_clearly_and_changes_nothing(
    botapi: FakeBotAPI, running: Running, services: Services
) -> None:
    chat = subscribed(botapi, "en")
    answer = say(chat, "/lang klingon")
    assert "I don't speak “klingon”" in answer
    assert "/lang en (English)" in answer and "/lang zh (中文)" in answer
    assert stored_language(services) == "en"


def test_a_wrong_text_answer_is_explained_in_chinese(
    botapi: FakeBotAPI, running: Running, services: Services
) -> None:
    chat = subscribed(botapi, "zh")
    chat.send("/digest")
    chat.reply()
    assert say(chat, "已读 9") == "这份摘要里没有第 9 条（编号是 1–5）。"
    assert say(chat, "已读 3-2") == "范围 3–2 是倒过来的；试试“2-3”。"


def test_a_stranger_is_refused_in_the_language_of_their_app(
    botapi: FakeBotAPI, running: Running, services: Services
) -> None:
    stranger = Chat(botapi, STRANGER, language_code="zh-CN")
    refusal = say(stranger, "/start")
    assert refusal.startswith("抱歉，这是一个私人阅读机器人")
    assert str(STRANGER) in refusal


def test_the_command_menu_is_registered_in_english_and_in_chinese(
    botapi: FakeBotAPI, running: Running
) -> None:
    app = running.application
    assert app.post_init is not None
    running.run(app.post_init(app))  # what run_polling does once the bot is up
    english, chinese = botapi.commands["default:"], botapi.commands["default:zh"]
    assert [c["command"] for c in english] == [c["command"] for c in chinese]
    assert "lang" in [c["command"] for c in english]
    described = {c["command"]: c["description"] for c in chinese}
    assert described["digest"] == "现在就来一份摘要"
    assert not set(described.values()) & {c["description"] for c in english}


def test_a_file_that_cannot_be_imported_is_explained_in_the_admins_language(
    botapi: FakeBotAPI, running: Running, services: Services
) -> None:
    owner = Chat(botapi, OWNER, language_code="zh-hans")
    owner.send("/start")
    owner.reply()
    owner.send_document("cover.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert last_reply(owner) == "没有导入任何内容。cover.png：这是二进制文件，不是文本笔记"
    owner.send_document("empty.txt", b"  \n")
    assert last_reply(owner) == "没有导入任何内容。empty.txt：文件是空的"


def last_reply(chat: Chat) -> str:
    return chat.reply().visible_text or ""
