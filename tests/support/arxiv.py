"""A fake arXiv API: a real HTTP server on 127.0.0.1 in a thread (stdlib only), as strict as
arXiv's terms of use.

It refuses, as arXiv does (503 with Retry-After), a request that comes less than
`min_interval` seconds after its last answer ended, and any request while a second connection
is open. It answers `id_list` and `search_query=ti:"…"` queries with Atom built from a small
catalogue, and records every query it answered and every refusal. Modes make it fail (500),
ask to wait (503 + Retry-After), hang, or answer with a malformed document.
"""

from __future__ import annotations

import math
import re
import select
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.support.serving import QuietHandler, QuietServer, ServedOnAThread

__all__ = ["CATALOGUE", "FakeArxiv", "Listing", "numbered"]

MODES = ("ok", "fail", "retry_after", "hang", "malformed")


@dataclass(frozen=True)
class Listing:
    """A paper as arXiv lists it."""

    arxiv_id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    year: int


CATALOGUE = (
    Listing(
        "1706.03762",
        "Attention Is All You Need",
        "The dominant sequence transduction models are based on complex recurrent or\n"
        "convolutional neural networks. We propose a new simple network architecture,\n"
        "the Transformer, based solely on attention mechanisms.",
        ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar"),
        2017,
    ),
    Listing(
        "1512.03385",
        "Deep Residual Learning for Image Recognition",
        "Deeper neural networks are more difficult to train. We present a residual\n"
        "learning framework to ease the training of substantially deeper networks.",
        ("Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"),
        2015,
    ),
    Listing(
        "2005.14165",
        "Language Models are Few-Shot Learners",
        "We demonstrate that scaling up language models greatly improves task-agnostic,\n"
        "few-shot performance.",
        ("Tom B. Brown", "Benjamin Mann"),
        2020,
    ),
    Listing(
        "hep-th/9901001",
        "A Very Old Paper on Strings",
        "Strings, before new-style identifiers.",
        ("A. Physicist",),
        1999,
    ),
)


def numbered(count: int) -> tuple[Listing, ...]:
    """`count` papers with ids 2301.00001 … for batching tests."""
    return tuple(
        Listing(f"2301.{n:05d}", f"Synthetic paper number {n}", f"Abstract {n}.", ("X. Y",), 2023)
        for n in range(1, count + 1)
    )


def atom(listings: Iterable[Listing]) -> bytes:
    entries = "".join(
        f"""
  <entry>
    <id>http://arxiv.org/abs/{p.arxiv_id}v2</id>
    <updated>{p.year}-07-01T00:00:00Z</updated>
    <published>{p.year}-06-12T17:57:34Z</published>
    <title>{escape(p.title)}</title>
    <summary>  {escape(p.abstract)}
</summary>
    {"".join(f"<author><name>{escape(name)}</name></author>" for name in p.authors)}
    <link href="http://arxiv.org/abs/{p.arxiv_id}v2" rel="alternate" type="text/html"/>
    <arxiv:primary_category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>"""
        for p in listings
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom">
  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query</title>
  <id>http://arxiv.org/api/fake</id>
  <updated>2026-12-06T00:00:00-05:00</updated>
  <opensearch:totalResults>0</opensearch:totalResults>{entries}
</feed>
""".encode()


MALFORMED = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Atten'


@dataclass
class _State:
    catalogue: dict[str, Listing]
    min_interval: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    mode: str = "ok"
    retry_after: str = "120"
    open_connections: int = 0
    max_connections: int = 0
    last_end: float | None = None
    queries: list[dict[str, str]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


class _Server(QuietServer):
    state: _State


class _Handler(QuietHandler):
    server: _Server

    def setup(self) -> None:
        super().setup()
        state = self.server.state
        with state.lock:
            state.open_connections += 1
            state.max_connections = max(state.max_connections, state.open_connections)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.state.lock:
                self.server.state.open_connections -= 1

    def do_GET(self) -> None:
        state = self.server.state
        self._ended = False  # one handler serves every request of a kept-alive connection
        with state.lock:
            refusal = self._refusal(state)
            if refusal:
                state.refusals.append(refusal)
            else:
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                state.queries.append(query)
                state.user_agents.append(self.headers.get("User-Agent", ""))
            mode = state.mode
        try:
            if refusal:
                wait = str(max(1, math.ceil(state.min_interval)))
                self._send(b"Rate exceeded.\n", 503, "text/plain", {"Retry-After": wait})
            else:
                self._answer(mode, query)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            if not self._ended:  # a hang, or a client gone before its answer
                self._end_now()

    _ended = False

    def _end_now(self) -> None:
        with self.server.state.lock:
            self.server.state.last_end = time.monotonic()
        self._ended = True

    def _refusal(self, state: _State) -> str:
        if state.open_connections > 1:
            return f"{state.open_connections} connections at once"
        if state.last_end is not None:
            since = time.monotonic() - state.last_end
            if since < state.min_interval:
                return f"a request {since:.3f} s after the last answer"
        return ""

    def _answer(self, mode: str, query: dict[str, str]) -> None:
        state = self.server.state
        if mode == "fail":
            self._send(b"Internal error\n", 500, "text/plain")
        elif mode == "retry_after":
            self._send(b"Busy\n", 503, "text/plain", {"Retry-After": state.retry_after})
        elif mode == "hang":
            self._hang()
        elif mode == "malformed":
            self._send(MALFORMED, 200, "application/atom+xml")
        else:
            self._send(atom(self._found(query)), 200, "application/atom+xml")

    def _found(self, query: dict[str, str]) -> list[Listing]:
        state = self.server.state
        limit = int(query.get("max_results", "10"))
        if "id_list" in query:
            ids = [i for i in query["id_list"].split(",") if i]
            return [state.catalogue[i] for i in ids if i in state.catalogue][:limit]
        match = re.fullmatch(r'ti:"(.*)"', query.get("search_query", ""))
        words = set(_words(match.group(1))) if match else set()
        scored = [(len(words & set(_words(p.title))), p) for p in state.catalogue.values() if words]
        hits = [(score, p) for score, p in scored if score * 2 >= len(words)]
        return [p for _, p in sorted(hits, key=lambda hit: -hit[0])][:limit]

    def _hang(self) -> None:
        """Answer nothing until released, or until the client hangs up."""
        while not self.server.state.release.wait(0.02):
            readable, _, _ = select.select([self.connection], [], [], 0)
            if readable and not self.connection.recv(1, socket.MSG_PEEK):
                break
        self.close_connection = True

    def _send(
        self, body: bytes, status: int, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        # The answer ends for the client once this body is written: taking the time after it,
        # a thread switch here would make a client that waited its interval look too quick.
        self._end_now()
        self.wfile.write(body)
        self.wfile.flush()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


class FakeArxiv(ServedOnAThread):
    """Serve the fake API on 127.0.0.1; use as a context manager."""

    def __init__(self, catalogue: Sequence[Listing] = CATALOGUE, min_interval: float = 3.0):
        self.state = _State({p.arxiv_id: p for p in catalogue}, min_interval)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self.state
        super().__init__(self._server, self.state.release)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/query"

    @property
    def queries(self) -> list[dict[str, str]]:
        with self.state.lock:
            return list(self.state.queries)

    @property
    def refusals(self) -> list[str]:
        with self.state.lock:
            return list(self.state.refusals)

    def set_mode(self, mode: str, retry_after: str = "120") -> None:
        assert mode in MODES, mode
        with self.state.lock:
            self.state.mode, self.state.retry_after = mode, retry_after
