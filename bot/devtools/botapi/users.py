"""What users do, as a part of FakeBotAPI (server.py): start the bot, write, send a file, press
a button, block the bot. Each queues the update Telegram would send the bot, or returns it for
a webhook (``queue=False``, then :meth:`Users.post_update`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from bot.devtools.botapi.entities import checked_origin, message_entities
from bot.devtools.botapi.shapes import (
    bot_user,
    chat_json,
    message_json,
    user_json,
    user_message_json,
)
from bot.devtools.botapi.state import State


class Users:
    """FakeBotAPI's user actions, on its ``state``."""

    state: State

    def add_chat(self, chat_id: int, *, first_name: str = "Ada", language_code: str = "en") -> None:
        """Make a private chat known, as if its user had once started the bot."""
        with self.state.lock:
            self.state.add_chat(chat_id, first_name, language_code)

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (an ``update_id`` is assigned when missing)."""
        with self.state.lock:
            return self.state.queue_update(update)

    def user_sends(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Ada",
        language_code: str = "en",
        chat_id: int | None = None,
        reply_to: int | None = None,
        entities: Sequence[dict[str, Any]] = (),
        forward_origin: dict[str, Any] | None = None,
        queue: bool = True,
    ) -> dict[str, Any]:
        """A user writes ``text``; in a private chat ``chat_id`` is the user's id. Telegram
        marks its /command and links; ``entities`` adds the formatting the user's app sent
        (a text_link's hidden URL); ``forward_origin`` makes it a forwarded message.

        The update is queued for getUpdates; with ``queue=False`` it is only returned, for
        :meth:`post_update` to a webhook. The same holds for the other ``user_*`` actions.
        """
        chat_id = user_id if chat_id is None else chat_id
        state = self.state
        with state.lock:
            state.add_chat(chat_id, first_name, language_code)
            state.blocked.discard(chat_id)  # writing to a bot means it is not blocked
            message = state.store_user_message(chat_id, text=text)
            payload = user_message_json(state, message, user_id, first_name, language_code)
            payload["text"] = text
            marked = message_entities(text, entities)
            if marked:
                payload["entities"] = marked
            if forward_origin is not None:
                payload["forward_origin"] = checked_origin(forward_origin)
            if reply_to is not None:
                payload["reply_to_message"] = message_json(
                    state, state.require_message(chat_id, reply_to)
                )
            return self._deliver({"message": payload}, queue)

    def user_sends_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        *,
        mime_type: str = "text/plain",
        caption: str | None = None,
        first_name: str = "Ada",
        language_code: str = "en",
        chat_id: int | None = None,
        queue: bool = True,
    ) -> dict[str, Any]:
        """A user sends a file; the bot can getFile it and download the bytes."""
        chat_id = user_id if chat_id is None else chat_id
        state = self.state
        with state.lock:
            state.add_chat(chat_id, first_name, language_code)
            number = next(state.file_ids)
            file_id = f"DOC{number:06d}"
            state.files[file_id] = (f"documents/file_{number}_{filename}", data)
            document = {
                "file_id": file_id,
                "file_unique_id": f"U{file_id}",
                "file_name": filename,
                "mime_type": mime_type,
                "file_size": len(data),
            }
            message = state.store_user_message(chat_id, caption=caption, document=document)
            payload = user_message_json(state, message, user_id, first_name, language_code)
            payload["document"] = document
            if caption is not None:
                payload["caption"] = caption
            return self._deliver({"message": payload}, queue)

    def user_taps(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        forge: bool = False,
        queue: bool = True,
    ) -> str:
        """A user presses the button carrying ``data``; returns the callback query id.

        Unless ``forge``, the data must be on one of that message's buttons: a real user can
        only press what is shown.
        """
        user_id = chat_id if user_id is None else user_id
        state = self.state
        with state.lock:
            message = state.require_message(chat_id, message_id)
            if not forge and data not in [d for _, d in message.buttons()]:
                raise AssertionError(f"message {message_id} has no button with data {data!r}")
            query_id = f"{next(state.query_ids)}{chat_id}"
            state.open_queries[query_id] = chat_id
            chat = state.chats[chat_id]
            user = user_json(user_id, chat.get("first_name", "Ada"), chat.get("language_code"))
            query = {
                "id": query_id,
                "from": user,
                "message": message_json(state, message),
                "chat_instance": f"ci{chat_id}",
                "data": data,
            }
            self._deliver({"callback_query": query}, queue)
            return query_id

    def user_blocks(self, chat_id: int) -> None:
        """The user blocks the bot: sends get 403, and the bot hears a my_chat_member update."""
        state = self.state
        with state.lock:
            state.blocked.add(chat_id)
            chat = state.chats.get(chat_id, {"id": chat_id, "type": "private"})
            bot = bot_user()
            state.queue_update(
                {
                    "my_chat_member": {
                        "chat": chat_json(state, chat_id),
                        "from": user_json(chat_id, chat.get("first_name", "Ada"), None),
                        "date": int(time.time()),
                        "old_chat_member": {"status": "member", "user": bot},
                        "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0},
                    }
                }
            )

    def post_update(self, url: str, update: dict[str, Any]) -> int:
        """Deliver ``update`` to a webhook listener at ``url`` as Telegram does; HTTP status.

        Like PTB's tests/auxil/networking.py ``send_webhook_message``: a JSON POST carrying
        the secret token given to setWebhook. ``url`` is the listener's local address (the
        registered https URL would lead through a proxy that tests do not have).
        """
        import httpx

        with self.state.lock:
            update.setdefault("update_id", next(self.state.update_ids))
            secret = (self.state.webhook or {}).get("secret_token")
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        with httpx.Client(trust_env=False, timeout=10) as client:
            return client.post(url, json=update, headers=headers).status_code

    def _deliver(self, update: dict[str, Any], queue: bool) -> dict[str, Any]:
        if queue:
            return self.queue_update(update)
        update.setdefault("update_id", next(self.state.update_ids))
        return update
