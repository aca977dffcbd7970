"""The Bot API methods the fake knows, by name; any other is answered 404 as Telegram does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.devtools.botapi.callbacks import answer_callback_query
from bot.devtools.botapi.commands import delete_my_commands, get_my_commands, set_my_commands
from bot.devtools.botapi.editing import (
    delete_message,
    edit_message_reply_markup,
    edit_message_text,
)
from bot.devtools.botapi.errors import ApiError
from bot.devtools.botapi.files import get_file
from bot.devtools.botapi.sending import send_chat_action, send_message, send_photo
from bot.devtools.botapi.shapes import bot_user
from bot.devtools.botapi.state import State
from bot.devtools.botapi.updates import delete_webhook, set_webhook, webhook_info
from bot.devtools.botapi.wire import Files

Method = Callable[[State, dict[str, Any], Files], Any]

METHODS: dict[str, Method] = {
    "getMe": lambda state, params, files: bot_user(full=True),
    "logOut": lambda state, params, files: True,
    "close": lambda state, params, files: True,
    "deleteWebhook": delete_webhook,
    "setWebhook": set_webhook,
    "getWebhookInfo": webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "sendChatAction": send_chat_action,
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "getFile": get_file,
}


def dispatch(state: State, method: str, params: dict[str, Any], files: Files) -> Any:
    """Carry out ``method`` (getUpdates aside: it waits, see updates.py) under the lock."""
    handler = METHODS.get(method)
    if handler is None:
        raise ApiError(404, "Not Found")
    return handler(state, params, files)
