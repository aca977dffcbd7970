"""A local HTTP server for tests, served on a thread of its own for a `with` block."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Self


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
