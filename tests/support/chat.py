"""A driver that reads like the user: ``chat.send("/start")``, ``chat.tap("✅ Read 1")``.

It acts through the fake Bot API (tests/support/botapi.py) and reads back what the user would
see there. The bot itself runs for real, e.g. inside :func:`polling` below, which runs a PTB
Application on its own event loop in a thread so tests stay plain synchronous functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.telegram.background import polling_in_thread
from tests.support.botapi import ChatMessage, FakeBotAPI, is_paced, wait_for

DEFAULT_TIMEOUT = 10.0


class Chat:
    """One user in a private chat with the bot (``chat_id == user_id``)."""

    def __init__(
        self,
        botapi: FakeBotAPI,
        user_id: int,
        *,
        first_name: str = "Ada",
        language_code: str = "en",
    ) -> None:
        self.botapi = botapi
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self._seen = 0  # bot activity already accounted for by the last action

    # --- what the user does ---

    def send(
        self,
        text: str,
        *,
        reply_to: int | None = None,
        entities: Sequence[dict[str, Any]] = (),
        forward_origin: dict[str, Any] | None = None,
    ) -> int:
        """Write ``text`` to the bot (``entities``: formatting such as a text_link;
        ``forward_origin``: forwarded from there); returns the user's message id."""
        self._mark()
        update = self.botapi.user_sends(
            self.user_id,
            text,
            first_name=self.first_name,
            language_code=self.language_code,
            reply_to=reply_to,
            entities=entities,
            forward_origin=forward_origin,
        )
        return int(update["message"]["message_id"])

    def send_document(
        self,
        filename: str,
        data: bytes,
        *,
        caption: str | None = None,
        mime_type: str = "text/plain",
    ) -> int:
        """Send a file (e.g. a notes file) to the bot; returns the user's message id."""
        self._mark()
        update = self.botapi.user_sends_document(
            self.user_id,
            filename,
            data,
            caption=caption,
            mime_type=mime_type,
            first_name=self.first_name,
            language_code=self.language_code,
        )
        return int(update["message"]["message_id"])

    def tap(self, label: str, *, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        """Press the button labelled ``label`` on the latest message showing it.

        Waits until the bot answers the callback query (every query must be answered) and
        returns the answer's parameters (``text``, ``show_alert``...).
        """
        message = self.message_with_button(label)
        data = dict(message.buttons())[label]
        if data is None:
            raise AssertionError(f"button {label!r} is a link, not a callback button")
        self._mark()
        query_id = self.botapi.user_taps(self.user_id, message.message_id, data)
        return wait_for(
            lambda: self.botapi.answer(query_id),
            timeout,
            what=f"the bot to answer the tap on {label!r}",
        )

    def blocks_bot(self) -> None:
        self.botapi.user_blocks(self.user_id)

    # --- what the user sees ---

    def messages(self) -> list[ChatMessage]:
        """Every message in the chat, the user's and the bot's, as shown now."""
        return self.botapi.messages(self.user_id)

    def bot_messages(self) -> list[ChatMessage]:
        return [m for m in self.messages() if m.from_bot]

    def last_message(self) -> ChatMessage:
        shown = self.bot_messages()
        if not shown:
            raise AssertionError(f"the bot has sent nothing to chat {self.user_id}")
        return shown[-1]

    def last_text(self) -> str:
        """The text the user reads in the bot's latest message (tags removed)."""
        message = self.last_message()
        return message.visible_text or ""

    def last_html(self) -> str:
        """The bot's latest message as it was sent (HTML source)."""
        message = self.last_message()
        return message.text or message.caption or ""

    def buttons(self) -> list[str]:
        """Labels of the buttons on the bot's latest message."""
        return [label for label, _ in self.last_message().buttons()]

    def message_with_button(self, label: str) -> ChatMessage:
        for message in reversed(self.bot_messages()):
            if label in dict(message.buttons()):
                return message
        labels = sorted({b for m in self.bot_messages() for b, _ in m.buttons()})
        raise AssertionError(f"no message shows a button {label!r}; buttons: {labels}")

    # --- waiting for the bot ---

    def reply(self, timeout: float = DEFAULT_TIMEOUT) -> ChatMessage:
        """Wait until the bot sends or edits something here after the user's last action."""
        return self.replies(1, timeout)[-1]

    def replies(self, count: int, timeout: float = DEFAULT_TIMEOUT) -> list[ChatMessage]:
        """Wait for ``count`` bot messages (sent or edited) since the user's last action."""

        def arrived() -> list[ChatMessage] | None:
            calls = self._bot_activity()[self._seen :]
            if len(calls) < count:
                return None
            ids = [int(c["message_id"]) for c in calls]
            return [self.botapi.message(self.user_id, i) for i in ids]

        return wait_for(arrived, timeout, what=f"{count} message(s) from the bot")

    def wait_for(
        self, predicate: Callable[[], Any], timeout: float = DEFAULT_TIMEOUT, what: str = "it"
    ) -> Any:
        return wait_for(predicate, timeout, what=what)

    def _mark(self) -> None:
        self._seen = len(self._bot_activity())

    def _bot_activity(self) -> list[dict[str, Any]]:
        # Successful sends and edits into this chat, with the message id they touched.
        return [
            {"method": call.method, "message_id": call.message_id}
            for call in self.botapi.calls(chat_id=self.user_id, ok=True)
            if is_paced(call.method) and call.message_id is not None
        ]


# The runner is the app's own (the demo uses it too).
polling = polling_in_thread
