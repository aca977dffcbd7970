"""The fake Bot API's connections (server.py): which are open and how long each has been
idle, so the fake can close them all at once (going down), refuse a request that arrives on
one idle past its keep-alive limit, and withhold an answer until the client gives up."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time

# How often a withheld answer looks whether the client hung up or the fake is closing.
_HOLD_POLL = 0.02


class Connections:
    """Open client connections, each with the moment it last went idle. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle_since: dict[socket.socket, float] = {}
        self._opened = 0

    def opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._idle_since[connection] = time.monotonic()
            self._opened += 1

    def answered(self, connection: socket.socket) -> None:
        """The connection finished a request and waits idle for the next."""
        with self._lock:
            if connection in self._idle_since:
                self._idle_since[connection] = time.monotonic()

    def closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._idle_since.pop(connection, None)

    def idle_for(self, connection: socket.socket) -> float:
        """Seconds since ``connection`` last answered (or opened)."""
        with self._lock:
            since = self._idle_since.get(connection, time.monotonic())
        return time.monotonic() - since

    def idle_longer_than(self, seconds: float) -> int:
        """How many open connections have been idle longer than ``seconds``."""
        now = time.monotonic()
        with self._lock:
            return sum(now - since > seconds for since in self._idle_since.values())

    def open_count(self) -> int:
        with self._lock:
            return len(self._idle_since)

    def opened_count(self) -> int:
        """Connections accepted since the fake started, closed ones included."""
        with self._lock:
            return self._opened

    def close_all(self) -> None:
        """Hang up on every client: a FIN each, and the handler threads' reads end."""
        with self._lock:
            connections = list(self._idle_since)
        for connection in connections:
            # Already closed by its handler meanwhile: nothing left to hang up.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def withhold(connection: socket.socket, seconds: float, closing: threading.Event) -> None:
    """Wait, answering nothing, until ``seconds`` pass, the client hangs up or ``closing``."""
    deadline = time.monotonic() + seconds
    while not closing.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        try:
            readable, _, _ = select.select([connection], [], [], min(remaining, _HOLD_POLL))
        except (OSError, ValueError):
            return  # the socket was closed under us (the fake went down)
        if readable:
            # An HTTP/1.1 client sends nothing while it waits for an answer: readable means
            # it hung up (EOF), or the fake itself shut the connection down.
            return
