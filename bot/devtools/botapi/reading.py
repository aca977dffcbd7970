"""What tests read back, as a part of FakeBotAPI (server.py): the calls the bot made, the chats
as their users see them, the bot's answers to button presses, the arrivals of message calls
and what the flood limits made of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.devtools.botapi.limits import (
    Arrival,
    max_per_window,
    min_gap_per_chat,
    refusals_by_cause,
)
from bot.devtools.botapi.records import Call, ChatMessage
from bot.devtools.botapi.state import State
from bot.devtools.botapi.waiting import wait_for


class Reading:
    """FakeBotAPI's read-back, from its ``state``."""

    state: State

    def calls(
        self, method: str | None = None, *, chat_id: int | None = None, ok: bool | None = None
    ) -> list[Call]:
        with self.state.lock:
            return [
                c
                for c in self.state.calls
                if (method is None or c.method == method)
                and (chat_id is None or c.chat_id == chat_id)
                and (ok is None or c.ok == ok)
            ]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Texts of the sendMessage calls Telegram accepted, in order."""
        return [c.params["text"] for c in self.calls("sendMessage", chat_id=chat_id, ok=True)]

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        with self.state.lock:
            chat = self.state.messages.get(chat_id, [])
            return [m for m in chat if include_deleted or not m.deleted]

    def message(self, chat_id: int, message_id: int) -> ChatMessage:
        with self.state.lock:
            found = self.state.find_message(chat_id, message_id)
            if found is None:
                raise KeyError((chat_id, message_id))
            return found

    def answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery parameters for ``query_id``, once answered."""
        with self.state.lock:
            return self.state.answers.get(query_id)

    def pending_updates(self) -> int:
        with self.state.lock:
            return len(self.state.updates)

    def is_blocked(self, chat_id: int) -> bool:
        with self.state.lock:
            return chat_id in self.state.blocked

    def arrivals(self, chat_id: int | None = None) -> list[Arrival]:
        """Every message-producing call that reached the fake, refused ones included, in the
        order the fake judged them."""
        with self.state.lock:
            arrivals = self.state.flood.arrivals
            found = [a for a in arrivals if chat_id is None or a.chat_id == chat_id]
        # Recorded as each call ends, so a slow one lands late: ordered by when judged.
        return sorted(found, key=lambda a: a.at)

    def max_arrivals_per_second(self) -> int:
        """The most message calls (refused included) that arrived in any sliding second."""
        return max_per_window(a.at for a in self.arrivals())

    def min_chat_gap(self) -> float | None:
        """The smallest gap in seconds between two message calls into one chat (refused
        included); None while no chat had two."""
        return min_gap_per_chat(self.arrivals())

    def refusals_by_cause(self) -> dict[str, int]:
        """429s answered to message calls: ``per-chat``, ``overall`` and ``injected``."""
        return refusals_by_cause(self.arrivals())

    def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5.0, *, what: str = "condition"
    ) -> Any:
        return wait_for(predicate, timeout, what=what)
