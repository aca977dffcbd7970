"""The fake Bot API's records: each call the bot made (Call), each message in a chat as its
user sees it (ChatMessage), and each fault a test planned for a call (Fault)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Call:
    """One request the bot made, with what the fake answered."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when it arrived
    status: int = 200
    description: str | None = None
    result: Any = None  # what the fake answered on success

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def message_id(self) -> int | None:
        """The message this call sent or changed."""
        if isinstance(self.result, dict) and "message_id" in self.result:
            return int(self.result["message_id"])
        return as_chat_id(self.params.get("message_id"))

    @property
    def chat_id(self) -> int | None:
        return as_chat_id(self.params.get("chat_id"))


@dataclass
class ChatMessage:
    """A message in a chat, as the user sees it now."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    text: str | None = None  # what was sent (HTML source for parse_mode HTML)
    visible_text: str | None = None  # what the user reads
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    caption: str | None = None
    photo: str | None = None  # file_id, URL or "upload:<filename>"
    photo_bytes: bytes | None = None  # an uploaded photo as it arrived
    photo_size: tuple[int, int] | None = None  # its width and height in pixels
    document: dict[str, Any] | None = None
    edits: int = 0
    deleted: bool = False

    def buttons(self) -> list[tuple[str, str | None]]:
        """(label, callback_data) of each inline button, row by row; None for link buttons."""
        return [(b["text"], b.get("callback_data")) for b in self._inline_buttons()]

    def links(self) -> list[tuple[str, str]]:
        """(label, url) of each link button."""
        return [(b["text"], b["url"]) for b in self._inline_buttons() if "url" in b]

    def _inline_buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


@dataclass
class Fault:
    """How the next call of ``method`` (into ``chat_id``, if given) is to go wrong."""

    method: str
    chat_id: int | None
    status: int | None = None
    description: str | None = None
    retry_after: int | None = None
    hang: float = 0.0  # hold the call this long before it takes effect (or is dropped)
    deliver: bool = False  # with a status: the call takes effect, then that error answers
    withhold: float = 0.0  # the call takes effect at once; its answer is held back this long
    garble: bool = False  # the call takes effect; its answer lacks what Telegram always sends

    def matches(self, method: str, chat_id: int | None) -> bool:
        return self.method == method and (self.chat_id is None or self.chat_id == chat_id)


def as_chat_id(value: Any) -> int | None:
    """A chat or message id as the bot sent it (a number, or digits in a string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None
