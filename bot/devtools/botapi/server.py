"""A strict local stand-in for the Telegram Bot API: a real HTTP server on 127.0.0.1.

`lamplight demo` runs the real bot against it, and the tests drive the bot through it.

The real python-telegram-bot stack reaches it through ``base_url``/``base_file_url``, so
requests, encodings and error mapping are PTB's own. The fake refuses what Telegram refuses
(long or empty text, bad HTML, oversized callback data, edits of missing or unchanged
messages, stale callback queries, unknown chats, photos that are no image) with Telegram's
error shapes, records every call, keeps each chat's messages as the user would see them, and
answers 429/403/5xx or hangs on cue. It enforces the flood limits exactly and records every
message call's arrival (limits.py), and plays the network's outcomes on cue: a
refused connect while down, a keep-alive close crossing a request, an answer lost after the
message was taken, a 504 after it was taken (network.py keeps the connections).
Where Telegram is lenient it is stricter on purpose, and says so below:

- text length counts UTF-16 code units of the *source* (HTML included), not the parsed text;
- a bare ``&`` that is not ``&lt;``, ``&gt;``, ``&amp;``, ``&quot;`` or a numeric entity is
  refused (Telegram would show it literally; unescaped text is a bug we want to see).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from bot.devtools.botapi.limits import (
    INJECTED,
    Arrival,
    FloodControl,
    FloodRule,
    max_per_window,
    min_gap_per_chat,
    refusals_by_cause,
)
from bot.devtools.botapi.network import Connections, withhold
from bot.digests.render import utf16_len  # one measure of length, Telegram's

# Shaped like a real token (id:secret) so PTB accepts it; it opens nothing anywhere.
TOKEN = "123456789:AAFakeTokenForTestsOnly-not-a-secret0"
BOT_ID = 123456789
BOT_USERNAME = "lamplight_test_bot"

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_DOWNLOAD = 20 * 1024 * 1024
# Telegram's limits for a photo: 10 MB, width + height ≤ 10000, sides at most 1:20.
MAX_PHOTO = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10000
MAX_PHOTO_RATIO = 20
MAX_LONG_POLL = 50.0

# Tags Telegram's HTML parse mode accepts (lamplight needs no others).
ALLOWED_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "span",
    ]
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

# Values PTB sends as plain strings; everything else it JSON-encodes (RequestParameter).
STRING_PARAMS = frozenset(
    [
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "file_id",
        "inline_message_id",
        "description",
        "short_description",
        "language_code",
        "ip_address",
        "photo",
        "document",
        "action",
        "emoji",
        "name",
        "title",
        "business_connection_id",
        "message_effect_id",
    ]
)

# Methods that put or change a message in a chat: the ones Telegram's flood limits count.
PACED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")


def is_paced(method: str) -> bool:
    return method.startswith(PACED_PREFIXES) and method != "sendChatAction"


class ApiError(Exception):
    """A refusal, answered as Telegram answers it."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def retry_after_error(seconds: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
}


# --- Telegram HTML ------------------------------------------------------------------------

_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR = re.compile(r"""\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")


class HtmlError(ValueError):
    pass


def parse_html(source: str) -> str:
    """Check ``source`` as Telegram's HTML parse mode would and return the visible text.

    >>> parse_html('<b>Read</b> &amp; <a href="https://x.org/?a=1&amp;b=2">skip</a>')
    'Read & skip'
    >>> try:
    ...     parse_html("1 < 2")
    ... except HtmlError as error:
    ...     print(error)
    Unsupported start tag "" at byte offset 2
    """
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&":
            text, i = _parse_entity(source, i)
            out.append(text)
        elif char == "<" and source.startswith("</", i):
            i = _parse_end_tag(source, i, stack)
        elif char == "<":
            i = _parse_start_tag(source, i, stack)
        else:
            out.append(char)
            i += 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _offset(source: str, i: int) -> int:
    # Telegram reports UTF-8 byte offsets.
    return len(source[:i].encode("utf-8"))


def _parse_entity(source: str, i: int) -> tuple[str, int]:
    match = _ENTITY.match(source, i)
    if match is None or (match[3] is not None and match[3] not in NAMED_ENTITIES):
        raise HtmlError(f"Unsupported HTML entity at byte offset {_offset(source, i)}")
    if match[3] is not None:
        return NAMED_ENTITIES[match[3]], match.end()
    code = int(match[1]) if match[1] is not None else int(match[2], 16)
    if not 0 < code <= 0x10FFFF:
        raise HtmlError(f"Unsupported HTML entity at byte offset {_offset(source, i)}")
    return chr(code), match.end()


def _parse_end_tag(source: str, i: int, stack: list[str]) -> int:
    end = source.find(">", i)
    if end < 0:
        raise HtmlError(f"Unclosed end tag at byte offset {_offset(source, i)}")
    name = source[i + 2 : end].strip().lower()
    if not stack:
        raise HtmlError(f'Unexpected end tag "{name}" at byte offset {_offset(source, i)}')
    if name != stack[-1]:
        raise HtmlError(
            f"Unmatched end tag at byte offset {_offset(source, i)}, "
            f'expected "</{stack[-1]}>", found "</{name}>"'
        )
    stack.pop()
    return end + 1


def _parse_start_tag(source: str, i: int, stack: list[str]) -> int:
    match = _TAG_NAME.match(source, i + 1)
    name = match[0].lower() if match else ""
    if name not in ALLOWED_TAGS:
        raise HtmlError(f'Unsupported start tag "{name}" at byte offset {_offset(source, i)}')
    assert match is not None
    attributes: dict[str, str] = {}
    j = match.end()
    while True:
        while j < len(source) and source[j].isspace():
            j += 1
        if j >= len(source):
            raise HtmlError(f"Unclosed start tag at byte offset {_offset(source, i)}")
        if source[j] == ">":
            break
        attr = _ATTR.match(source, j)
        if attr is None:
            raise HtmlError(
                f'Empty attribute name in the tag "{name}" at byte offset {_offset(source, j)}'
            )
        value = attr[2] or ""
        if value[:1] in "\"'" and value:
            value = value[1:-1]
        attributes[attr[1].lower()] = parse_html(value) if "&" in value else value
        j = attr.end()
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_offset(source, i)}'
        )
    stack.append(name)
    return j + 1


# --- records ------------------------------------------------------------------------------


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
        return _as_chat_id(self.params.get("message_id"))

    @property
    def chat_id(self) -> int | None:
        return _as_chat_id(self.params.get("chat_id"))


@dataclass
class Message:
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
class _Fault:
    method: str
    chat_id: int | None
    status: int | None = None
    description: str | None = None
    retry_after: int | None = None
    hang: float = 0.0  # hold the call this long before it takes effect (or is dropped)
    deliver: bool = False  # with a status: the call takes effect, then that error answers
    withhold: float = 0.0  # the call takes effect at once; its answer is held back this long

    def matches(self, method: str, chat_id: int | None) -> bool:
        return self.method == method and (self.chat_id is None or self.chat_id == chat_id)


def _as_chat_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def _decode_params(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, raw in pairs:
        value: Any = raw
        if key not in STRING_PARAMS:
            with contextlib.suppress(ValueError):
                value = json.loads(raw)
        params[key] = value
    return params


# --- the fake -----------------------------------------------------------------------------


class FakeBotAPI:
    """The fake Bot API server; use as a context manager or through the ``botapi`` fixture."""

    def __init__(
        self,
        *,
        token: str = TOKEN,
        known_chats_only: bool = True,
        port: int = 0,
        keepalive_idle: float | None = None,
    ) -> None:
        self.token = token
        # Telegram refuses to message a chat that never talked to the bot.
        self.known_chats_only = known_chats_only
        self._port = port  # 0: any free port, fixed at start
        # Seconds a keep-alive connection may stay idle (None: for ever). A request arriving
        # on one idle longer is dropped unread, as when the server's close crosses it.
        self.keepalive_idle = keepalive_idle
        self._lock = threading.Condition(threading.RLock())
        self._closing = threading.Event()
        self._calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1000)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, list[Message]] = {}
        self._next_message_id: dict[int, int] = {}
        self._blocked: set[int] = set()
        self._open_queries: dict[str, int] = {}  # query id -> chat id
        self._answers: dict[str, dict[str, Any]] = {}
        self._files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes)
        self._faults: list[_Fault] = []
        self._flood = FloodControl()
        self._connections = Connections()
        self._withheld = 0  # requests whose answer is being held back now
        self._poll_generation = 0
        self._allowed_updates: list[str] = []
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    @property
    def port(self) -> int:
        """The port the fake listens on (kept while it is down, so it comes back there)."""
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def environment(self) -> dict[str, str]:
        """Settings for a `lamplight run` subprocess pointed at this fake."""
        return {
            "TELEGRAM_BOT_TOKEN": self.token,
            "TELEGRAM_API_BASE_URL": self.base_url,
            "TELEGRAM_API_FILE_URL": self.base_file_url,
        }

    def start(self) -> FakeBotAPI:
        """Listen on ``port`` (a free one when 0) and serve."""
        self._listen()
        return self

    def close(self) -> None:
        self._closing.set()
        with self._lock:
            self._lock.notify_all()  # wake long polls
        self._stop_listening()
        self._connections.close_all()

    def go_down(self) -> None:
        """Stop listening and hang up on every open connection, idle keep-alive ones and
        requests in flight alike: until :meth:`come_back`, clients get a refused connect
        (``httpx.ConnectError``)."""
        self._stop_listening()
        self._connections.close_all()

    def come_back(self) -> None:
        """Listen again on the same port, as a restarted Bot API server would."""
        if self._server is None:
            self._listen()

    @property
    def is_up(self) -> bool:
        return self._server is not None

    def _listen(self) -> None:
        server = _Server(("127.0.0.1", self._port), self._handler_class())
        self._port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    def _stop_listening(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def bot(self, **kwargs: Any) -> Any:
        """A PTB ExtBot on this fake, with a connection pool wide enough for concurrent sends."""
        from telegram.ext import ExtBot
        from telegram.request import HTTPXRequest

        kwargs.setdefault("request", HTTPXRequest(connection_pool_size=128))
        return ExtBot(
            self.token, base_url=self.base_url, base_file_url=self.base_file_url, **kwargs
        )

    def application_builder(self) -> Any:
        """PTB's ApplicationBuilder already pointed at this fake."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    # --- what tests read ---

    def calls(
        self, method: str | None = None, *, chat_id: int | None = None, ok: bool | None = None
    ) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method)
                and (chat_id is None or c.chat_id == chat_id)
                and (ok is None or c.ok == ok)
            ]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Texts of the sendMessage calls Telegram accepted, in order."""
        return [c.params["text"] for c in self.calls("sendMessage", chat_id=chat_id, ok=True)]

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[Message]:
        with self._lock:
            return [m for m in self._messages.get(chat_id, []) if include_deleted or not m.deleted]

    def message(self, chat_id: int, message_id: int) -> Message:
        with self._lock:
            found = self._find_message(chat_id, message_id)
            if found is None:
                raise KeyError((chat_id, message_id))
            return found

    def answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery parameters for ``query_id``, once answered."""
        with self._lock:
            return self._answers.get(query_id)

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    def is_blocked(self, chat_id: int) -> bool:
        with self._lock:
            return chat_id in self._blocked

    def arrivals(self, chat_id: int | None = None) -> list[Arrival]:
        """Every message-producing call that reached the fake, refused ones included, in the
        order the fake judged them."""
        with self._lock:
            found = [a for a in self._flood.arrivals if chat_id is None or a.chat_id == chat_id]
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

    def held_requests(self) -> int:
        """Requests taken whose answer is being held back now (see :meth:`hold_answer_next`)."""
        with self._lock:
            return self._withheld

    def expired_connections(self) -> int:
        """Open connections idle longer than ``keepalive_idle``: the next request on one of
        them is dropped unread."""
        if self.keepalive_idle is None:
            return 0
        return self._connections.idle_longer_than(self.keepalive_idle)

    def connections_opened(self) -> int:
        """Client connections accepted since the fake started."""
        return self._connections.opened_count()

    def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5.0, *, what: str = "condition"
    ) -> Any:
        return wait_for(predicate, timeout, what=what)

    # --- what users do ---

    def add_chat(self, chat_id: int, *, first_name: str = "Ada", language_code: str = "en") -> None:
        """Make a private chat known, as if its user had once started the bot."""
        with self._lock:
            self._chats.setdefault(
                chat_id,
                {
                    "id": chat_id,
                    "type": "private" if chat_id > 0 else "group",
                    "first_name": first_name,
                    "language_code": language_code,
                },
            )

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (an ``update_id`` is assigned when missing)."""
        with self._lock:
            update.setdefault("update_id", next(self._update_ids))
            self._updates.append(update)
            self._lock.notify_all()
        return update

    def user_sends(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Ada",
        language_code: str = "en",
        chat_id: int | None = None,
        reply_to: int | None = None,
        queue: bool = True,
    ) -> dict[str, Any]:
        """A user writes ``text``; in a private chat ``chat_id`` is the user's id.

        The update is queued for getUpdates; with ``queue=False`` it is only returned, for
        :meth:`post_update` to a webhook. The same holds for the other ``user_*`` actions.
        """
        chat_id = user_id if chat_id is None else chat_id
        with self._lock:
            self.add_chat(chat_id, first_name=first_name, language_code=language_code)
            self._blocked.discard(chat_id)  # writing to a bot means it is not blocked
            message = self._store_user_message(chat_id, text=text)
            payload = self._user_message_json(message, user_id, first_name, language_code)
            payload["text"] = text
            entities = _command_entities(text)
            if entities:
                payload["entities"] = entities
            if reply_to is not None:
                payload["reply_to_message"] = self._message_json(
                    self._require_message(chat_id, reply_to)
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
        with self._lock:
            self.add_chat(chat_id, first_name=first_name, language_code=language_code)
            number = next(self._file_ids)
            file_id = f"DOC{number:06d}"
            self._files[file_id] = (f"documents/file_{number}_{filename}", data)
            document = {
                "file_id": file_id,
                "file_unique_id": f"U{file_id}",
                "file_name": filename,
                "mime_type": mime_type,
                "file_size": len(data),
            }
            message = self._store_user_message(chat_id, caption=caption, document=document)
            payload = self._user_message_json(message, user_id, first_name, language_code)
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
        with self._lock:
            message = self._require_message(chat_id, message_id)
            if not forge and data not in [d for _, d in message.buttons()]:
                raise AssertionError(f"message {message_id} has no button with data {data!r}")
            query_id = f"{next(self._query_ids)}{chat_id}"
            self._open_queries[query_id] = chat_id
            chat = self._chats[chat_id]
            self._deliver(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": self._user_json(
                            user_id, chat.get("first_name", "Ada"), chat.get("language_code")
                        ),
                        "message": self._message_json(message),
                        "chat_instance": f"ci{chat_id}",
                        "data": data,
                    }
                },
                queue,
            )
            return query_id

    def _deliver(self, update: dict[str, Any], queue: bool) -> dict[str, Any]:
        if queue:
            return self.queue_update(update)
        update.setdefault("update_id", next(self._update_ids))
        return update

    def user_blocks(self, chat_id: int) -> None:
        """The user blocks the bot: sends get 403, and the bot hears a my_chat_member update."""
        with self._lock:
            self._blocked.add(chat_id)
            chat = self._chats.get(chat_id, {"id": chat_id, "type": "private"})
            bot = self._bot_user()
            self.queue_update(
                {
                    "my_chat_member": {
                        "chat": self._chat_json(chat_id),
                        "from": self._user_json(chat_id, chat.get("first_name", "Ada"), None),
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

        with self._lock:
            update.setdefault("update_id", next(self._update_ids))
            secret = (self.webhook or {}).get("secret_token")
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        with httpx.Client(trust_env=False, timeout=10) as client:
            return client.post(url, json=update, headers=headers).status_code

    # --- failure injection ---

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        chat_id: int | None = None,
        times: int = 1,
        deliver: bool = False,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``, if given) with an error.

        429 defaults to ``retry_after=3``; descriptions default to Telegram's. With ``deliver``
        the call first takes effect as it would have (the message shows in the chat), as when
        a gateway answers 504 Gateway Timeout for a request Telegram went on to carry out.
        """
        if status == 429 and retry_after is None:
            retry_after = 3
        with self._lock:
            for _ in range(times):
                self._faults.append(
                    _Fault(method, chat_id, status, description, retry_after, deliver=deliver)
                )

    def hang_next(
        self, method: str, seconds: float, *, chat_id: int | None = None, deliver: bool = False
    ) -> None:
        """Hold the next call of ``method`` for ``seconds`` (the client times out meanwhile).

        With ``deliver`` the call then takes effect, as when Telegram got it but the answer was
        lost; without, the connection is dropped and nothing happens.
        """
        with self._lock:
            self._faults.append(_Fault(method, chat_id, hang=seconds, deliver=deliver))

    def hold_answer_next(
        self, method: str, *, chat_id: int | None = None, seconds: float = 60.0
    ) -> None:
        """The next call of ``method`` takes effect at once (the message shows in the chat) but
        its answer is held back: for ``seconds``, until the client hangs up, or until the fake
        goes down or closes; then the connection is closed unanswered. The client times out
        (``httpx.ReadTimeout``) not knowing the message went. :meth:`held_requests` counts
        the requests held now, so a test can act exactly while one is out. A call the fake
        refuses (a 429, a bad request) takes no effect and is answered as usual.
        """
        with self._lock:
            self._faults.append(_Fault(method, chat_id, withhold=seconds))

    def enforce_limits(
        self,
        per_chat_per_second: float | None = 1,
        global_per_second: float | None = 30,
        *,
        slack: float = 0.0,
    ) -> None:
        """Answer 429 (``Too Many Requests: retry after N``) to a message call that comes
        faster than the limits, counting the messages accepted in a sliding window of
        ``1 - slack`` seconds (exactly 1 s by default; limits.py). Every arrival
        is recorded either way: :meth:`arrivals`, :meth:`refusals_by_cause`.
        """
        if not 0 <= slack < 1:
            raise ValueError("slack must be at least 0 and less than 1 second")
        with self._lock:
            self._flood.rule = FloodRule(
                per_chat=per_chat_per_second or float("inf"),
                overall=global_per_second or float("inf"),
                window=1.0 - slack,
            )

    def stop_enforcing(self) -> None:
        with self._lock:
            self._flood.rule = None

    # --- HTTP plumbing ---

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes: with Nagle on, each answer would
            # wait out the client's delayed ACK (40 ms), which real Telegram does not add.
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                fake._connections.opened(self.connection)

            def handle(self) -> None:
                # Accepted just as the fake went down: hung up on, not served.
                if self.server is fake._server:
                    super().handle()

            def handle_one_request(self) -> None:
                super().handle_one_request()
                fake._connections.answered(self.connection)  # idle from here on

            def finish(self) -> None:
                fake._connections.closed(self.connection)
                with contextlib.suppress(OSError):  # the fake may have shut it down already
                    super().finish()

            def do_GET(self) -> None:
                fake._serve(self)

            def do_POST(self) -> None:
                fake._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean (and the token out of it)

        return Handler

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        path = unquote(urlsplit(request.path).path)
        file_prefix = f"/file/bot{self.token}/"
        api_prefix = f"/bot{self.token}/"
        try:
            if path.startswith(file_prefix):
                self._drop_if_expired(request, "download", {})
                self._reply_bytes(request, 200, self._download(path[len(file_prefix) :]))
                return
            if not path.startswith(api_prefix):
                raise ApiError(404, "Not Found")  # what Telegram says to a wrong token
            method = path[len(api_prefix) :]
            params, files = self._read_params(request)
            self._drop_if_expired(request, method, params)
            status, body = self._call(method, params, files)
        except ApiError as error:
            status, body = error.status, error.body()
        except _Withheld as held:
            self._withhold(request, held.seconds)
            request.close_connection = True
            return
        except _Dropped:
            request.close_connection = True
            return
        self._reply_bytes(request, status, json.dumps(body).encode())

    def _drop_if_expired(
        self, request: BaseHTTPRequestHandler, method: str, params: dict[str, Any]
    ) -> None:
        """Drop a request (already read: unread bytes would turn the close into a reset) that
        arrived on a connection idle past ``keepalive_idle``, as if the close crossed it."""
        limit = self.keepalive_idle
        if limit is None or self._connections.idle_for(request.connection) <= limit:
            return
        self._record(method, params, time.monotonic(), 0, "dropped: keep-alive connection expired")
        raise _Dropped

    def _withhold(self, request: BaseHTTPRequestHandler, seconds: float) -> None:
        with self._lock:
            self._withheld += 1
            self._lock.notify_all()
        try:
            withhold(request.connection, seconds, self._closing)
        finally:
            with self._lock:
                self._withheld -= 1
                self._lock.notify_all()

    @staticmethod
    def _reply_bytes(request: BaseHTTPRequestHandler, status: int, payload: bytes) -> None:
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(payload)))
            request.end_headers()
            request.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timed out); Telegram would not notice either

    @staticmethod
    def _read_params(
        request: BaseHTTPRequestHandler,
    ) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        ctype = request.headers.get("Content-Type", "")
        pairs = parse_qsl(urlsplit(request.path).query, keep_blank_values=True)
        files: dict[str, tuple[str, bytes]] = {}
        if ctype.startswith("application/json") and body:
            data = json.loads(body)
            return {**_decode_params(pairs), **data}, files
        if ctype.startswith("application/x-www-form-urlencoded"):
            pairs += parse_qsl(body.decode(), keep_blank_values=True)
        elif ctype.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body
            )
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                # PTB's form fields: a plain name parameter, each part a leaf holding bytes
                assert isinstance(name, str) and isinstance(payload, bytes)
                filename = part.get_filename()
                if filename is not None:
                    files[name] = (filename, payload)
                else:
                    pairs.append((name, payload.decode()))
        return _decode_params(pairs), files

    def _call(
        self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> tuple[int, dict[str, Any]]:
        chat_id = _as_chat_id(params.get("chat_id"))
        with self._lock:
            fault = next((f for f in self._faults if f.matches(method, chat_id)), None)
            if fault is not None:
                self._faults.remove(fault)
        judged = _Judged(time.monotonic(), chat_id)
        status = 0  # no answer, unless one is given below
        try:
            status, body = self._answer(method, params, files, fault, judged)
            return status, body
        except ApiError as error:
            status = error.status
            raise
        finally:
            if is_paced(method):
                arrival = Arrival(judged.at, method, chat_id, status, judged.cause, judged.taken)
                with self._lock:
                    self._flood.record(arrival)

    def _answer(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes]],
        fault: _Fault | None,
        judged: _Judged,
    ) -> tuple[int, dict[str, Any]]:
        arrived, result = judged.at, None
        injected = _fault_error(fault) if fault is not None else None
        try:
            if fault is not None and fault.hang:
                self._closing.wait(fault.hang)
                if not fault.deliver:
                    self._record(method, params, arrived, 0, "dropped after hang")
                    raise _Dropped
            elif injected is not None and fault is not None and not fault.deliver:
                raise injected
            result = self._take_effect(method, params, files, judged)
            if injected is not None:
                raise injected  # taken, and yet the error answers
        except ApiError as refused:
            # Whatever Telegram made of it, an injected answer is what reaches the client.
            error = refused if injected is None else injected
            if injected is not None:
                judged.cause = INJECTED
            self._record(method, params, arrived, error.status, error.description, result)
            raise error from None
        self._record(method, params, arrived, 200, None, result)
        if fault is not None and fault.withhold:
            raise _Withheld(fault.withhold)
        return 200, {"ok": True, "result": result}

    def _take_effect(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes]],
        judged: _Judged,
    ) -> Any:
        if method == "getUpdates":
            return self._get_updates(params)
        paced = is_paced(method)
        with self._lock:
            # Judged under the lock, so arrivals are in time order and counted exactly.
            judged.at = time.monotonic()
            refusal = self._flood.refusal(judged.chat_id, judged.at) if paced else None
            if refusal is not None:
                judged.cause = refusal.cause
                raise retry_after_error(refusal.retry_after)
            result = self._dispatch(method, params, files)
            if paced:
                self._flood.accept(judged.chat_id, judged.at)
                judged.taken = True
            return result

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        at: float,
        status: int,
        why: str | None,
        result: Any = None,
    ) -> None:
        with self._lock:
            self._calls.append(Call(method, params, at, status, why, result))
            self._lock.notify_all()

    def _dispatch(
        self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> Any:
        handler = self._methods().get(method)
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(params, files)

    def _methods(self) -> dict[str, Callable[[dict[str, Any], Any], Any]]:
        return {
            "getMe": lambda p, f: self._bot_user(full=True),
            "logOut": lambda p, f: True,
            "close": lambda p, f: True,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": lambda p, f: self.commands.get(self._commands_key(p), []),
            "deleteMyCommands": self._delete_my_commands,
            "sendChatAction": self._send_chat_action,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
        }

    # --- methods ---

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = min(float(params.get("timeout") or 0), MAX_LONG_POLL)
        with self._lock:
            if self.webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if params.get("allowed_updates") is not None:
                self._allowed_updates = list(params["allowed_updates"])
            if offset > 0:  # confirms everything before it
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._poll_generation += 1
            generation = self._poll_generation
            self._lock.notify_all()  # an older long poll is now superseded
            deadline = time.monotonic() + timeout
            while not self._updates and not self._closing.is_set():
                if self._poll_generation != generation:
                    raise ApiError(409, DEFAULT_DESCRIPTIONS[409])
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._lock.wait(remaining)
            allowed = self._allowed_updates
            return [
                u
                for u in self._updates[:limit]
                if not allowed or any(kind in u for kind in allowed)
            ]

    def _delete_webhook(self, params: dict[str, Any], files: Any) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _set_webhook(self, params: dict[str, Any], files: Any) -> bool:
        url = params.get("url") or ""
        if not url:
            return self._delete_webhook(params, files)
        if not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(params)
        return True

    def _webhook_info(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = (params.get("scope") or {}).get("type", "default")
        return f"{scope}:{params.get('language_code') or ''}"

    def _set_my_commands(self, params: dict[str, Any], files: Any) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be an array of at most 100 BotCommand")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description is empty or too long")
        self.commands[self._commands_key(params)] = commands
        return True

    def _delete_my_commands(self, params: dict[str, Any], files: Any) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _send_chat_action(self, params: dict[str, Any], files: Any) -> bool:
        self._require_chat(params)
        return True

    def _send_message(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("message text is empty")
        visible = self._parse(text, params.get("parse_mode"))
        if not visible.strip():
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        markup = self._check_markup(params.get("reply_markup"))
        message = self._new_message(chat_id, from_bot=True)
        message.text, message.visible_text = text, visible
        message.parse_mode, message.reply_markup = params.get("parse_mode"), markup
        return self._message_json(message)

    def _send_photo(
        self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> dict[str, Any]:
        chat_id = self._require_chat(params)
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
            visible = self._parse(caption, params.get("parse_mode"))
            if utf16_len(caption) > MAX_CAPTION:
                raise bad_request("message caption is too long")
        markup = self._check_markup(params.get("reply_markup"))
        message = self._new_message(chat_id, from_bot=True)
        message.photo, message.caption, message.visible_text = photo, caption, visible
        message.photo_bytes, message.photo_size = data, size
        message.parse_mode, message.reply_markup = params.get("parse_mode"), markup
        return self._message_json(message)

    def _edit_target(self, params: dict[str, Any]) -> Message:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # lamplight sends no inline messages
        chat_id = self._require_chat(params)
        message = self._find_message(chat_id, _as_chat_id(params.get("message_id")) or 0)
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _edit_message_text(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        message = self._edit_target(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("message text is empty")
        visible = self._parse(text, params.get("parse_mode"))
        if not visible.strip():
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
        markup = self._check_markup(params.get("reply_markup"))
        if (
            visible == message.visible_text
            and text == message.text
            and markup == message.reply_markup
        ):
            raise _not_modified()
        message.text, message.visible_text = text, visible
        message.parse_mode, message.reply_markup = params.get("parse_mode"), markup
        message.edits += 1
        return self._message_json(message, edited=True)

    def _edit_message_reply_markup(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        message = self._edit_target(params)
        markup = self._check_markup(params.get("reply_markup"))
        if not (markup or {}).get("inline_keyboard"):
            markup = None  # an empty keyboard removes it
        if markup == message.reply_markup:
            raise _not_modified()
        message.reply_markup = markup
        message.edits += 1
        return self._message_json(message, edited=True)

    def _delete_message(self, params: dict[str, Any], files: Any) -> bool:
        chat_id = self._require_chat(params)
        message = self._find_message(chat_id, _as_chat_id(params.get("message_id")) or 0)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        return True

    def _answer_callback_query(self, params: dict[str, Any], files: Any) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        del self._open_queries[query_id]
        self._answers[query_id] = dict(params)
        return True

    def _get_file(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        file_id = str(params.get("file_id") or "")
        if file_id not in self._files:
            raise bad_request("invalid file_id")
        path, data = self._files[file_id]
        if len(data) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_size": len(data),
            "file_path": path,
        }

    def _download(self, path: str) -> bytes:
        with self._lock:
            self._calls.append(Call("download", {"file_path": path}, time.monotonic()))
            for stored_path, data in self._files.values():
                if stored_path == path:
                    return data
        raise ApiError(404, "Not Found")

    # --- checks and JSON shapes ---

    def _require_chat(self, params: dict[str, Any]) -> int:
        chat_id = _as_chat_id(params.get("chat_id"))
        if chat_id is None or (self.known_chats_only and chat_id not in self._chats):
            raise bad_request("chat not found")
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        self.add_chat(chat_id)
        return chat_id

    @staticmethod
    def _parse(text: str, parse_mode: Any) -> str:
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

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
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
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
        return markup

    def _new_message(self, chat_id: int, *, from_bot: bool) -> Message:
        number = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = number + 1
        message = Message(number, chat_id, from_bot, int(time.time()))
        self._messages.setdefault(chat_id, []).append(message)
        return message

    def _store_user_message(
        self,
        chat_id: int,
        *,
        text: str | None = None,
        caption: str | None = None,
        document: dict[str, Any] | None = None,
    ) -> Message:
        message = self._new_message(chat_id, from_bot=False)
        message.text = message.visible_text = text
        message.caption, message.document = caption, document
        return message

    def _find_message(self, chat_id: int, message_id: int) -> Message | None:
        return next(
            (m for m in self._messages.get(chat_id, []) if m.message_id == message_id), None
        )

    def _require_message(self, chat_id: int, message_id: int) -> Message:
        message = self._find_message(chat_id, message_id)
        if message is None or message.deleted:
            raise AssertionError(f"chat {chat_id} has no message {message_id}")
        return message

    def _bot_user(self, *, full: bool = False) -> dict[str, Any]:
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

    @staticmethod
    def _user_json(user_id: int, first_name: str, language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        chat = self._chats.get(chat_id, {"id": chat_id, "type": "private"})
        shown = {"id": chat_id, "type": chat["type"]}
        if chat["type"] == "private":
            shown["first_name"] = chat.get("first_name", "Ada")
        else:
            shown["title"] = "A group"
        return shown

    def _user_message_json(
        self, message: Message, user_id: int, first_name: str, language_code: str | None
    ) -> dict[str, Any]:
        return {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(message.chat_id),
            "from": self._user_json(user_id, first_name, language_code),
        }

    def _message_json(self, message: Message, *, edited: bool = False) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(message.chat_id),
        }
        if message.from_bot:
            shown["from"] = self._bot_user()
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


def photo_size(data: bytes) -> tuple[int, int]:
    """Width and height of an uploaded PNG or JPEG; refused as Telegram refuses a file it cannot
    decode as a photo, or one over its size limits. (Telegram takes WebP too; lamplight sends
    none, so here only the two are known.)"""
    if len(data) > MAX_PHOTO:
        raise ApiError(413, "Request Entity Too Large")
    size = _png_size(data) or _jpeg_size(data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if (
        not width
        or not height
        or width + height > MAX_PHOTO_SIDES
        or max(width, height) > MAX_PHOTO_RATIO * min(width, height)
    ):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return size


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The signature, then the IHDR chunk: length, type, width, height.
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR" or len(data) < 33:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Walk the segments to the first start-of-frame marker, which holds height then width.
    if not data.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


class _Server(ThreadingHTTPServer):
    # HTTPServer sets SO_REUSEADDR, so the port binds again though old connections linger.
    daemon_threads = True
    # socketserver's backlog of 5 drops the SYNs of a burst of new connections; each dropped
    # one costs the client a 1 s retransmit, a delay Telegram's servers do not add.
    request_queue_size = 128


class _Dropped(Exception):
    """The fake hangs up without answering."""


class _Withheld(Exception):
    """The call took effect; its answer is held back for ``seconds``, then never given."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


@dataclass
class _Judged:
    """What became of a call on its way through the fake, for its arrival record."""

    at: float  # when the flood rule judged it (or when it arrived, if it never got that far)
    chat_id: int | None
    cause: str | None = None
    taken: bool = False


def _fault_error(fault: _Fault) -> ApiError | None:
    """The error a fault answers with; None for a fault that only delays or withholds."""
    if fault.status is None:
        return None
    if fault.description:
        description = fault.description
    elif fault.status == 429:
        description = f"Too Many Requests: retry after {fault.retry_after}"
    else:
        description = DEFAULT_DESCRIPTIONS.get(fault.status, "Internal Server Error")
    parameters = {"retry_after": fault.retry_after} if fault.retry_after else None
    return ApiError(fault.status, description, parameters)


def _not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message"
    )


def _command_entities(text: str) -> list[dict[str, Any]]:
    # Telegram marks a leading /command; PTB's CommandHandler needs that entity.
    match = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?", text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match[0])}]


def wait_for(
    predicate: Callable[[], Any],
    timeout: float = 5.0,
    *,
    interval: float = 0.01,
    what: str = "condition",
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


async def wait_for_async(
    predicate: Callable[[], Any],
    timeout: float = 5.0,
    *,
    interval: float = 0.01,
    what: str = "condition",
) -> Any:
    """:func:`wait_for` for code running on an event loop (the bot's loop keeps turning)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)
