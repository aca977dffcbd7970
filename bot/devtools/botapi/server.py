"""A strict local stand-in for the Telegram Bot API: a real HTTP server on 127.0.0.1.

`lamplight demo` runs the real bot against it, and the tests drive the bot through it.

The real python-telegram-bot stack reaches it through ``base_url``/``base_file_url``, so
requests, encodings and error mapping are PTB's own. The fake refuses what Telegram refuses
(long or empty text, bad HTML, oversized callback data, edits of missing or unchanged
messages, stale callback queries, unknown chats, photos that are no image) with Telegram's
error shapes, records every call, keeps each chat's messages as the user would see them, and
answers 429/403/5xx or hangs on cue. From its start it enforces Telegram's flood limits
exactly and records every message call's arrival (limits.py), and plays the network's
outcomes on cue: a refused connect while down, a keep-alive close crossing a request, an
answer lost after the message was taken, a 504 after it was taken (network.py keeps the
connections).
Where Telegram is lenient it is stricter on purpose, and says so: text length counts UTF-16
code units of the *source* (HTML included), not the parsed text; HTML as html.py says.

This module is the server: its life (start, go down, come back, close) and its HTTP plumbing.
What a call does is in calls.py and the method modules (methods.py lists them); what users do,
the faults a test plans and what tests read back are the parts of FakeBotAPI in users.py,
faults.py and reading.py, all on one State (state.py).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from bot.devtools.botapi.calls import Dropped, Withheld, call
from bot.devtools.botapi.errors import ApiError
from bot.devtools.botapi.faults import Faults
from bot.devtools.botapi.files import download
from bot.devtools.botapi.network import Connections, withhold
from bot.devtools.botapi.reading import Reading
from bot.devtools.botapi.state import State
from bot.devtools.botapi.users import Users
from bot.devtools.botapi.wire import read_params, reply_bytes

# Shaped like a real token (id:secret) so PTB accepts it; it opens nothing anywhere.
TOKEN = "123456789:AAFakeTokenForTestsOnly-not-a-secret0"


class FakeBotAPI(Users, Faults, Reading):
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
        self.state = State(known_chats_only=known_chats_only)
        self._port = port  # 0: any free port, fixed at start
        # Seconds a keep-alive connection may stay idle (None: for ever). A request arriving
        # on one idle longer is dropped unread, as when the server's close crosses it.
        self.keepalive_idle = keepalive_idle
        self._connections = Connections()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def webhook(self) -> dict[str, Any] | None:
        """The setWebhook parameters in force; None while the bot polls."""
        return self.state.webhook

    @webhook.setter
    def webhook(self, value: dict[str, Any] | None) -> None:
        self.state.webhook = value

    @property
    def commands(self) -> dict[str, list[dict[str, Any]]]:
        """The bot's command lists by ``<scope type>:<language code>`` (commands.py)."""
        return self.state.commands

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
        self.state.closing.set()
        with self.state.lock:
            self.state.lock.notify_all()  # wake long polls
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

    # --- connections ---

    def expired_connections(self) -> int:
        """Open connections idle longer than ``keepalive_idle``: the next request on one of
        them is dropped unread."""
        if self.keepalive_idle is None:
            return 0
        return self._connections.idle_longer_than(self.keepalive_idle)

    def connections_opened(self) -> int:
        """Client connections accepted since the fake started."""
        return self._connections.opened_count()

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
        try:
            if path.startswith(file_prefix):
                self._drop_if_expired(request, "download", {})
                reply_bytes(request, 200, download(self.state, path[len(file_prefix) :]))
                return
            status, body = 200, self._call(request, path)
        except ApiError as error:
            status, body = error.status, error.body()
        except Withheld as held:
            self._withhold(request, held.seconds)
            request.close_connection = True
            return
        except Dropped:
            request.close_connection = True
            return
        reply_bytes(request, status, json.dumps(body).encode())

    def _call(self, request: BaseHTTPRequestHandler, path: str) -> dict[str, Any]:
        """The answer's body to the method call at ``path`` (calls.py)."""
        api_prefix = f"/bot{self.token}/"
        if not path.startswith(api_prefix):
            raise ApiError(404, "Not Found")  # what Telegram says to a wrong token
        method = path[len(api_prefix) :]
        params, files = read_params(request)
        self._drop_if_expired(request, method, params)
        return call(self.state, method, params, files)

    def _drop_if_expired(
        self, request: BaseHTTPRequestHandler, method: str, params: dict[str, Any]
    ) -> None:
        """Drop a request (already read: unread bytes would turn the close into a reset) that
        arrived on a connection idle past ``keepalive_idle``, as if the close crossed it."""
        limit = self.keepalive_idle
        if limit is None or self._connections.idle_for(request.connection) <= limit:
            return
        why = "dropped: keep-alive connection expired"
        self.state.record(method, params, time.monotonic(), 0, why)
        raise Dropped

    def _withhold(self, request: BaseHTTPRequestHandler, seconds: float) -> None:
        state = self.state
        with state.lock:
            state.withheld += 1
            state.lock.notify_all()
        try:
            withhold(request.connection, seconds, state.closing)
        finally:
            with state.lock:
                state.withheld -= 1
                state.lock.notify_all()


class _Server(ThreadingHTTPServer):
    # HTTPServer sets SO_REUSEADDR, so the port binds again though old connections linger.
    daemon_threads = True
    # socketserver's backlog of 5 drops the SYNs of a burst of new connections; each dropped
    # one costs the client a 1 s retransmit, a delay Telegram's servers do not add.
    request_queue_size = 128
