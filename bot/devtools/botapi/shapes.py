"""The JSON the fake Bot API answers with and puts in updates: the bot, users, chats and
messages, shaped as Telegram's."""

from __future__ import annotations

import re
import time
from typing import Any

from bot.devtools.botapi.records import ChatMessage
from bot.devtools.botapi.state import State
from bot.digests.render import utf16_len  # one measure of length, Telegram's

BOT_ID = 123456789
BOT_USERNAME = "lamplight_test_bot"


def bot_user(*, full: bool = False) -> dict[str, Any]:
    """The bot as a User; ``full`` adds what getMe tells."""
    user: dict[str, Any] = {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Lamplight",
        "username": BOT_USERNAME,
    }
    if full:
        user |= {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
    return user


def user_json(user_id: int, first_name: str, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        user["language_code"] = language_code
    return user


def chat_json(state: State, chat_id: int) -> dict[str, Any]:
    chat = state.chats.get(chat_id, {"id": chat_id, "type": "private"})
    shown = {"id": chat_id, "type": chat["type"]}
    if chat["type"] == "private":
        shown["first_name"] = chat.get("first_name", "Ada")
    else:
        shown["title"] = "A group"
    return shown


def user_message_json(
    state: State, message: ChatMessage, user_id: int, first_name: str, language_code: str | None
) -> dict[str, Any]:
    """The start of a message a user sent; the caller adds its text or document."""
    return {
        "message_id": message.message_id,
        "date": message.date,
        "chat": chat_json(state, message.chat_id),
        "from": user_json(user_id, first_name, language_code),
    }


def message_json(state: State, message: ChatMessage, *, edited: bool = False) -> dict[str, Any]:
    """A message as it shows now (Telegram's Message)."""
    shown: dict[str, Any] = {
        "message_id": message.message_id,
        "date": message.date,
        "chat": chat_json(state, message.chat_id),
    }
    if message.from_bot:
        shown["from"] = bot_user()
    if message.photo is not None:
        width, height = message.photo_size or (1, 1)
        shown["photo"] = [
            {"file_id": "PHOTO", "file_unique_id": "UPHOTO", "width": width, "height": height}
        ]
        if message.visible_text is not None:
            shown["caption"] = message.visible_text
    elif message.document is not None:
        shown["document"] = message.document
        if message.caption is not None:
            shown["caption"] = message.caption
    elif message.visible_text is not None:
        shown["text"] = message.visible_text
    if message.reply_markup is not None:
        shown["reply_markup"] = message.reply_markup
    if edited:
        shown["edit_date"] = int(time.time())
    return shown


def command_entities(text: str) -> list[dict[str, Any]]:
    # Telegram marks a leading /command; PTB's CommandHandler needs that entity.
    match = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?", text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match[0])}]
