"""What the fake Bot API holds, as Telegram would: the chats and their messages, the updates
waiting for the bot, files, callback queries, commands and webhook, the faults planned, the
flood rule, and every call made. All of it is read and changed under ``lock``, which long polls
also wait on."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.devtools.botapi.errors import ApiError, bad_request
from bot.devtools.botapi.limits import FloodControl, FloodRule
from bot.devtools.botapi.records import Call, ChatMessage, Fault, as_chat_id


def _condition() -> threading.Condition:
    return threading.Condition(threading.RLock())


@dataclass(eq=False)
class State:
    # Telegram refuses to message a chat that never talked to the bot.
    known_chats_only: bool = True
    lock: threading.Condition = field(default_factory=_condition)
    closing: threading.Event = field(default_factory=threading.Event)
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))
    query_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    file_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[int, list[ChatMessage]] = field(default_factory=dict)
    next_message_id: dict[int, int] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    open_queries: dict[str, int] = field(default_factory=dict)  # query id -> chat id
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # id -> (path, bytes)
    faults: list[Fault] = field(default_factory=list)
    # Telegram's limits from the start: a sender that does not pace is refused, as there.
    flood: FloodControl = field(default_factory=lambda: FloodControl(FloodRule()))
    withheld: int = 0  # requests whose answer is being held back now
    poll_generation: int = 0
    allowed_updates: list[str] = field(default_factory=list)
    webhook: dict[str, Any] | None = None
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add_chat(self, chat_id: int, first_name: str = "Ada", language_code: str = "en") -> None:
        self.chats.setdefault(
            chat_id,
            {
                "id": chat_id,
                "type": "private" if chat_id > 0 else "group",
                "first_name": first_name,
                "language_code": language_code,
            },
        )

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        update.setdefault("update_id", next(self.update_ids))
        self.updates.append(update)
        self.lock.notify_all()
        return update

    def record(
        self,
        method: str,
        params: dict[str, Any],
        at: float,
        status: int,
        why: str | None,
        result: Any = None,
    ) -> None:
        with self.lock:
            self.calls.append(Call(method, params, at, status, why, result))
            self.lock.notify_all()

    def require_chat(self, params: dict[str, Any]) -> int:
        """The chat a call is for, refused as Telegram refuses an unknown or blocked one."""
        chat_id = as_chat_id(params.get("chat_id"))
        if chat_id is None or (self.known_chats_only and chat_id not in self.chats):
            raise bad_request("chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        self.add_chat(chat_id)
        return chat_id

    def new_message(self, chat_id: int, *, from_bot: bool) -> ChatMessage:
        number = self.next_message_id.get(chat_id, 1)
        self.next_message_id[chat_id] = number + 1
        message = ChatMessage(number, chat_id, from_bot, int(time.time()))
        self.messages.setdefault(chat_id, []).append(message)
        return message

    def store_user_message(
        self,
        chat_id: int,
        *,
        text: str | None = None,
        caption: str | None = None,
        document: dict[str, Any] | None = None,
    ) -> ChatMessage:
        message = self.new_message(chat_id, from_bot=False)
        message.text = message.visible_text = text
        message.caption, message.document = caption, document
        return message

    def find_message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        return next((m for m in self.messages.get(chat_id, []) if m.message_id == message_id), None)

    def require_message(self, chat_id: int, message_id: int) -> ChatMessage:
        """A message a test acts on; an AssertionError if the chat has no such message."""
        message = self.find_message(chat_id, message_id)
        if message is None or message.deleted:
            raise AssertionError(f"chat {chat_id} has no message {message_id}")
        return message
