"""The Bot API methods that send: sendMessage, sendPhoto, sendChatAction; and the checks of
text and keyboards that editing shares."""

from __future__ import annotations

import re
from typing import Any

from bot.devtools.botapi.errors import bad_request
from bot.devtools.botapi.html import MAX_TEXT, HtmlError, parse_html
from bot.devtools.botapi.photos import photo_size
from bot.devtools.botapi.shapes import message_json
from bot.devtools.botapi.state import State
from bot.devtools.botapi.wire import Files
from bot.digests.render import utf16_len  # one measure of length, Telegram's

MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64


def send_chat_action(state: State, params: dict[str, Any], files: Files) -> bool:
    state.require_chat(params)
    return True


def send_message(state: State, params: dict[str, Any], files: Files) -> dict[str, Any]:
    chat_id = state.require_chat(params)
    text, visible = checked_text(params, too_long="message is too long")
    markup = check_markup(params.get("reply_markup"))
    message = state.new_message(chat_id, from_bot=True)
    message.text, message.visible_text = text, visible
    message.parse_mode, message.reply_markup = params.get("parse_mode"), markup
    return message_json(state, message)


def send_photo(state: State, params: dict[str, Any], files: Files) -> dict[str, Any]:
    chat_id = state.require_chat(params)
    data, size = None, None
    if "photo" in files:
        photo, data = f"upload:{files['photo'][0]}", files["photo"][1]
        size = photo_size(data)
    elif isinstance(params.get("photo"), str) and params["photo"]:
        photo = params["photo"]
    else:
        raise bad_request("there is no photo in the request")
    caption = params.get("caption")
    visible = None
    if caption:
        visible = parse_text(caption, params.get("parse_mode"))
        if utf16_len(caption) > MAX_CAPTION:
            raise bad_request("message caption is too long")
    markup = check_markup(params.get("reply_markup"))
    message = state.new_message(chat_id, from_bot=True)
    message.photo, message.caption, message.visible_text = photo, caption, visible
    message.photo_bytes, message.photo_size = data, size
    message.parse_mode, message.reply_markup = params.get("parse_mode"), markup
    return message_json(state, message)


def checked_text(params: dict[str, Any], *, too_long: str) -> tuple[str, str]:
    """A message's text and what the user will read of it; refused when empty, unparsable or
    (``too_long``, Telegram's wording differs by method) over 4096 UTF-16 units."""
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    visible = parse_text(text, params.get("parse_mode"))
    if not visible.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request(too_long)
    return text, visible


def parse_text(text: str, parse_mode: Any) -> str:
    """What the user reads of ``text`` in ``parse_mode``."""
    if parse_mode is None or parse_mode == "":
        return text
    if not isinstance(parse_mode, str) or parse_mode.lower() not in (
        "html",
        "markdown",
        "markdownv2",
    ):
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    if parse_mode.lower() != "html":
        return text  # lamplight speaks HTML; Markdown is accepted unchecked
    try:
        return parse_html(text)
    except HtmlError as error:
        raise bad_request(f"can't parse entities: {error}") from None


def check_markup(markup: Any) -> dict[str, Any] | None:
    """``reply_markup`` as Telegram takes it; inline keyboards are checked button by button."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup  # reply keyboards, force_reply, remove_keyboard: kept as sent
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for button in (b for row in rows for b in row):
        _check_button(button)
    return markup


def _check_button(button: dict[str, Any]) -> None:
    if not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    if "callback_data" in button:
        size = len(str(button["callback_data"]).encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    elif "url" in button:
        if not re.match(r"(https?|tg)://\S+$", str(button["url"])):
            raise bad_request("BUTTON_URL_INVALID")
    else:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
