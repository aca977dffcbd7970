"""The Bot API methods that change or delete a message the bot sent: editMessageText,
editMessageReplyMarkup, deleteMessage."""

from __future__ import annotations

from typing import Any

from bot.devtools.botapi.errors import bad_request, not_modified
from bot.devtools.botapi.records import ChatMessage, as_chat_id
from bot.devtools.botapi.sending import check_markup, checked_text
from bot.devtools.botapi.shapes import message_json
from bot.devtools.botapi.state import State
from bot.devtools.botapi.wire import Files


def edit_message_text(state: State, params: dict[str, Any], files: Files) -> dict[str, Any]:
    message = _edit_target(state, params)
    text, visible = checked_text(params, too_long="MESSAGE_TOO_LONG")
    markup = check_markup(params.get("reply_markup"))
    if visible == message.visible_text and text == message.text and markup == message.reply_markup:
        raise not_modified()
    message.text, message.visible_text = text, visible
    message.parse_mode, message.reply_markup = params.get("parse_mode"), markup
    message.edits += 1
    return message_json(state, message, edited=True)


def edit_message_reply_markup(state: State, params: dict[str, Any], files: Files) -> dict[str, Any]:
    message = _edit_target(state, params)
    markup = check_markup(params.get("reply_markup"))
    if not (markup or {}).get("inline_keyboard"):
        markup = None  # an empty keyboard removes it
    if markup == message.reply_markup:
        raise not_modified()
    message.reply_markup = markup
    message.edits += 1
    return message_json(state, message, edited=True)


def delete_message(state: State, params: dict[str, Any], files: Files) -> bool:
    chat_id = state.require_chat(params)
    message = state.find_message(chat_id, as_chat_id(params.get("message_id")) or 0)
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    message.deleted = True
    return True


def _edit_target(state: State, params: dict[str, Any]) -> ChatMessage:
    if params.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")  # lamplight sends no inline messages
    chat_id = state.require_chat(params)
    message = state.find_message(chat_id, as_chat_id(params.get("message_id")) or 0)
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message
