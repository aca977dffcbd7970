"""A local HTTP server for tests, served on a thread of its own for a `with` block."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


class QuietServer(ThreadingHTTPServer):
    """A server whose handlers never hold up its shutdown, and for which a client that hangs
    up (as a reader does at a size cap) is no failure."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 (keep-alive, as the clients under test use it), without a log line a request."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass


class ServedOnAThread:
    """Starts the server on entry; on exit sets ``release`` first, so a handler holding a
    request open (a page that hangs, a body that drips) lets go, then shuts the server down."""

    def __init__(self, server: ThreadingHTTPServer, release: threading.Event) -> None:
        self._server, self._release = server, release
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
