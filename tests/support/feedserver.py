"""A fake newsletter host: a real HTTP server on 127.0.0.1 in a thread (stdlib only).

Each route serves one situation a feed fetcher meets in the wild. The server records every
request (path and headers), how many requests were in flight at once (overall and per route),
and how many body bytes the endless routes managed to send before the client hung up.
The feed texts are lamplight's own small samples.
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

import pytest

from bot.feeds.fetch import FetchLimits
from tests.support.serving import QuietHandler, QuietServer, ServedOnAThread

__all__ = [
    "ATOM",
    "BOZO",
    "CP1252",
    "GB18030",
    "GB18030_TITLES",
    "HTML_PAGE",
    "MOJIBAKE",
    "MOJIBAKE_TITLES",
    "RDF",
    "RSS",
    "TTL",
    "FeedServer",
    "Recorder",
    "mojibake",
]

# --- sample documents -------------------------------------------------------------------------

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Lamplight Test Weekly</title>
  <link>http://example.invalid/</link>
  <description>Small notes on what to read in AI this week.</description>
  <item>
    <title>Reading list: attention, three ways</title>
    <link>http://example.invalid/posts/attention-three-ways</link>
    <guid isPermaLink="false">ltw-0001</guid>
    <dc:creator>Ada Reader</dc:creator>
    <pubDate>Mon, 02 Nov 2026 09:30:00 +0800</pubDate>
    <description>&lt;p&gt;We reread the &lt;b&gt;attention&lt;/b&gt; paper &amp;amp; two
      follow-ups.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;Notes   inside.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Why small models still matter</title>
    <link>/posts/small-models</link>
    <guid>http://example.invalid/posts/small-models</guid>
    <pubDate>Sun, 01 Nov 2026 18:00:00 GMT</pubDate>
    <description>A short &lt;i&gt;case&lt;/i&gt; for distillation.</description>
  </item>
</channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Gradient Notes (test)</title>
  <id>urn:lamplight:test:atom</id>
  <updated>2026-11-03T10:00:00Z</updated>
  <entry>
    <title type="html">Retrieval &amp;amp; memory: a reading map</title>
    <id>urn:lamplight:test:atom:1</id>
    <link rel="alternate" href="http://example.invalid/atom/retrieval-map"/>
    <author><name>Ben Notetaker</name></author>
    <published>2026-11-03T08:15:00-05:00</published>
    <updated>2026-11-03T09:00:00-05:00</updated>
    <content type="html">&lt;h2&gt;Start here&lt;/h2&gt;&lt;ul&gt;&lt;li&gt;RAG basics&lt;/li&gt;&lt;li&gt;Long context&lt;/li&gt;&lt;/ul&gt;</content>
  </entry>
  <entry>
    <title>Only updated, never published</title>
    <id>urn:lamplight:test:atom:2</id>
    <link href="http://example.invalid/atom/updated-only"/>
    <updated>2026-11-02T12:00:00Z</updated>
    <summary>Plain summary text.</summary>
  </entry>
</feed>
"""

RDF = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://example.invalid/rdf">
    <title>Papers to Read (RSS 1.0 test)</title>
    <link>http://example.invalid/rdf</link>
    <description>Daily picks.</description>
    <items><rdf:Seq><rdf:li rdf:resource="http://example.invalid/rdf/1"/></rdf:Seq></items>
  </channel>
  <item rdf:about="http://example.invalid/rdf/1">
    <title>A survey of evaluation for language models</title>
    <link>http://example.invalid/rdf/1</link>
    <description>Benchmarks, their leaks, and what to trust.</description>
    <dc:creator>Cy Reviewer</dc:creator>
    <dc:date>2026-11-04T07:00:00+00:00</dc:date>
  </item>
</rdf:RDF>
"""

GB18030_TITLES = ("每周AI阅读：注意力机制入门 📚", "小模型为什么仍然重要")
GB18030 = (
    '<?xml version="1.0" encoding="GB18030"?>\n'
    '<rss version="2.0"><channel><title>灯下读书（测试）</title>'
    "<link>http://example.invalid/zh</link><description>中文订阅</description>"
    f"<item><title>{GB18030_TITLES[0]}</title><link>http://example.invalid/zh/1</link>"
    "<description>本周精读三篇论文。</description></item>"
    f"<item><title>{GB18030_TITLES[1]}</title><link>http://example.invalid/zh/2</link>"
    "<description>蒸馏与量化的笔记。</description></item>"
    "</channel></rss>\n"
).encode("gb18030")

CP1252 = (
    '<?xml version="1.0" encoding="windows-1252"?>\n'
    '<rss version="2.0"><channel><title>Caf\u00e9 Papers</title>'
    "<link>http://example.invalid/cp</link><description>Old-school encoding.</description>"
    "<item><title>\u201cNa\u00efve\u201d baselines \u2014 worth \u20ac0?</title>"
    "<link>http://example.invalid/cp/1</link>"
    "<description>R\u00e9sum\u00e9 of the week\u2019s reading.</description></item>"
    "</channel></rss>\n"
).encode("cp1252")


def mojibake(text: str) -> str:
    """``text`` as it looks after its UTF-8 bytes were read as Windows-1252."""
    return text.encode("utf-8").decode("sloppy-windows-1252")  # ftfy's codec: no byte is lost


MOJIBAKE_TITLES = (
    "Notes on \u201cscaling laws\u201d \u2014 revisited",
    "一周 AI 阅读：检索增强生成",
)
MOJIBAKE = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<rss version="2.0"><channel><title>Mangled Weekly</title>'
    "<link>http://example.invalid/mj</link><description>x</description>"
    + "".join(
        f"<item><title>{mojibake(title)}</title><link>http://example.invalid/mj/{n}</link>"
        f"<description>{mojibake('摘要：' + title)}</description></item>"
        for n, title in enumerate(MOJIBAKE_TITLES)
    )
    + "</channel></rss>\n"
).encode("utf-8")

# A bare "&" and an unclosed <description>: not XML, but a reader can still see the posts.
BOZO = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hasty Digest</title>
<link>http://example.invalid/bozo</link>
<item><title>Tools & tricks for reading papers fast</title>
<link>http://example.invalid/bozo/1</link><description>Skim, then dig in.</item>
<item><title>Second post</title><link>http://example.invalid/bozo/2</link></item>
</channel></rss>
"""

TTL = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Slow Feed</title><link>http://example.invalid/ttl</link>
<description>Checks every three hours, please.</description><ttl>180</ttl>
<item><title>One post a day about agents</title><link>http://example.invalid/ttl/1</link></item>
</channel></rss>
"""

HTML_PAGE = b"""<!DOCTYPE html>
<html><head><title>Subscribe to our newsletter</title></head>
<body><h1>AI reading, weekly</h1><p>Enter your email to subscribe.</p></body></html>
"""

GARBAGE = bytes(range(256)) * 8

ETAG = '"lamplight-v1"'
LAST_MODIFIED = "Tue, 03 Nov 2026 10:00:00 GMT"
BIG_SIZE = 60 * 1024 * 1024
BOMB_SIZE = 64 * 1024 * 1024


@functools.cache
def gzip_bomb() -> bytes:
    """A few tens of KB that inflate to 64 MiB."""
    return gzip.compress(b"<rss>" + b" " * (BOMB_SIZE - 5), compresslevel=9)


# --- the server -------------------------------------------------------------------------------


@dataclass
class Recorder:
    """What the server saw; may be shared by several servers."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    active: int = 0
    max_active: int = 0
    active_by_route: Counter[str] = field(default_factory=Counter)
    max_active_by_route: Counter[str] = field(default_factory=Counter)
    active_by_host: Counter[str] = field(default_factory=Counter)
    max_active_by_host: Counter[str] = field(default_factory=Counter)  # "host:port" → max
    bytes_sent: Counter[str] = field(default_factory=Counter)
    statuses: list[tuple[str, int]] = field(default_factory=list)  # (path, status) answered

    def answered(self, path: str, status: int) -> None:
        with self.lock:
            self.statuses.append((path, status))

    def enter(self, host: str, route: str, path: str, headers: dict[str, str]) -> None:
        with self.lock:
            self.requests.append((path, headers))
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.active_by_host[host] += 1
            self.max_active_by_host[host] = max(
                self.max_active_by_host[host], self.active_by_host[host]
            )
            self.active_by_route[route] += 1
            self.max_active_by_route[route] = max(
                self.max_active_by_route[route], self.active_by_route[route]
            )

    def leave(self, host: str, route: str) -> None:
        with self.lock:
            self.active -= 1
            self.active_by_host[host] -= 1
            self.active_by_route[route] -= 1

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _ in self.requests]

    def headers_for(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [headers for p, headers in self.requests if p == path]


class _Server(QuietServer):
    request_queue_size = 128  # many feeds connect at once; a backlog of 5 drops SYNs
    recorder: Recorder
    stopping: threading.Event
    live: bytes  # what /live serves now: a feed a test publishes posts to
    live_modified: str  # its Last-Modified: when it was last published


class _Handler(QuietHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        route = "/" + path.strip("/").split("/", 1)[0]
        recorder = self.server.recorder
        address, port = self.server.server_address[:2]
        host = f"{address}:{port}"
        recorder.enter(host, route, path, {k.lower(): v for k, v in self.headers.items()})
        try:
            self._route(path)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client hung up, as it may
        finally:
            recorder.leave(host, route)

    def send_response(self, code: int, message: str | None = None) -> None:
        self.server.recorder.answered(self.path.split("?", 1)[0], code)
        super().send_response(code, message)

    # -- helpers --

    def _send(
        self,
        body: bytes,
        status: int = 200,
        content_type: str = "application/rss+xml",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, status: int, location: str) -> None:
        self._send(b"", status, "text/plain", {"Location": location})

    def _stream(self, route: str, chunks: Iterator[bytes], content_length: int | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        if content_length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(content_length))
        self.end_headers()
        for chunk in chunks:
            if self.server.stopping.is_set():
                self.close_connection = True
                return
            if content_length is None:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(chunk)
            self.wfile.flush()
            with self.server.recorder.lock:
                self.server.recorder.bytes_sent[route] += len(chunk)
        if content_length is None:
            self.wfile.write(b"0\r\n\r\n")

    # -- routes --

    def _route(self, path: str) -> None:
        simple = {
            "/rss": (RSS, "application/rss+xml"),
            "/atom": (ATOM, "application/atom+xml"),
            "/rdf": (RDF, "application/rdf+xml"),
            "/gb18030": (GB18030, "application/rss+xml; charset=GB18030"),
            "/gb18030-prolog": (GB18030, "application/xml"),
            "/cp1252": (CP1252, "application/rss+xml"),
            "/mojibake": (MOJIBAKE, "application/rss+xml; charset=utf-8"),
            "/bozo": (BOZO, "application/rss+xml"),
            "/ttl": (TTL, "application/rss+xml"),
            "/html": (HTML_PAGE, "text/html; charset=utf-8"),
            "/garbage": (GARBAGE, "application/octet-stream"),
        }
        if path in simple:
            body, content_type = simple[path]
            self._send(body, content_type=content_type)
        else:
            self._route_more(path)

    def _route_more(self, path: str) -> None:
        if path == "/gzip-rss":
            self._send(gzip.compress(RSS), headers={"Content-Encoding": "gzip"})
        elif path == "/bomb":
            self._send(gzip_bomb(), headers={"Content-Encoding": "gzip"})
        elif path == "/big":
            self._stream("/big", _filler(BIG_SIZE), BIG_SIZE)
        elif path == "/big-chunked":
            self._stream("/big-chunked", _filler(BIG_SIZE), None)
        elif path == "/hang":
            self.server.stopping.wait(30)  # never answers while the test runs
            self.close_connection = True
        elif path == "/drip":
            self._stream("/drip", _drip(), None)
        elif path == "/slow" or path.startswith("/slow/"):
            time.sleep(0.3)
            self._send(RSS)
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self._send(b"nope", code, "text/plain")
        elif path == "/loop/a":
            self._redirect(302, "/loop/b")
        elif path == "/loop/b":
            self._redirect(302, "/loop/a")
        elif path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            if left:
                self._redirect(302, f"/chain/{left - 1}")
            else:
                self._send(RSS)
        else:
            self._route_rest(path)

    def _route_rest(self, path: str) -> None:
        if path == "/moved":
            self._redirect(301, "/moved-again")
        elif path == "/moved-again":
            self._redirect(308, "/rss")
        elif path == "/found":
            self._redirect(302, "/rss")
        elif path == "/moved-then-found":
            self._redirect(301, "/found")
        elif path == "/moved-to-404":
            self._redirect(301, "/status/404")
        elif path == "/etag":
            self._conditional(RSS, ETAG, LAST_MODIFIED)
        elif path == "/live":
            live = self.server.live
            etag = f'"{hashlib.sha256(live).hexdigest()[:16]}"'
            self._conditional(live, etag, self.server.live_modified)
        elif path.startswith("/padded/"):  # /padded/<KiB>/<anything>: a feed that size
            size = int(path.split("/")[2]) * 1024
            self._stream(path, _padded(size), size)
        elif path.startswith("/retry-after/"):  # /retry-after/<status>/<header value>
            _, _, status, value = path.split("/", 3)
            self._send(b"slow down", int(status), "text/plain", {"Retry-After": unquote(value)})
        else:
            self._send(b"not here", 404, "text/plain")

    def _conditional(self, body: bytes, etag: str, last_modified: str) -> None:
        validators = {"ETag": etag, "Last-Modified": last_modified}
        # As RFC 9110 says: If-None-Match, when sent, decides; If-Modified-Since only without it.
        if_none_match = self.headers.get("If-None-Match")
        if (
            if_none_match == etag
            if if_none_match is not None
            else self.headers.get("If-Modified-Since") == last_modified
        ):
            self.send_response(304)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self._send(body, headers=validators)


def _filler(size: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """``size`` bytes of an endless-looking feed, made as they are sent."""
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
    yield head
    sent = len(head)
    block = b"<item><title>padding</title></item>" * (chunk // 36)
    while sent < size:
        piece = block[: size - sent]
        sent += len(piece)
        yield piece


def _padded(size: int, chunk: int = 32 * 1024) -> Iterator[bytes]:
    """A one-post feed padded to ``size`` bytes with an XML comment, sent a chunk every 10 ms
    so that many of them are in flight at once."""
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Padded</title><!--'
    tail = b"--><item><title>Post</title><link>https://example.org/p</link></item></channel></rss>"
    padding = size - len(head) - len(tail)
    blank = b" " * chunk  # one chunk's worth, shared: the server holds no whole body
    yield head
    for start in range(0, padding, chunk):
        time.sleep(0.01)
        yield blank[: min(chunk, padding - start)]
    yield tail


def _drip() -> Iterator[bytes]:
    """One byte every 50 ms, for ever: each read is quick, the whole body never ends."""
    while True:
        yield b" "
        time.sleep(0.05)


class FeedServer(ServedOnAThread):
    """Serve the routes above on 127.0.0.1; use as a context manager."""

    def __init__(self, recorder: Recorder | None = None) -> None:
        self.recorder = recorder or Recorder()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.recorder = self.recorder
        self._server.stopping = threading.Event()
        self._server.live = RSS
        self._server.live_modified = email.utils.formatdate(usegmt=True)
        super().__init__(self._server, self._server.stopping)  # releases /hang, ends /drip

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def publish(self, *titles: str) -> None:
        """/live becomes an RSS feed of these posts, newest first; a post's link is its title's."""
        items = "".join(
            f"<item><title>{title}</title><link>http://example.invalid/{quote(title)}</link></item>"
            for title in titles
        )
        self._server.live = (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Live Notes</title><link>http://example.invalid/live</link>{items}"
            "</channel></rss>\n"
        ).encode()
        self._server.live_modified = email.utils.formatdate(usegmt=True)

    def __enter__(self) -> FeedServer:
        gzip_bomb()  # built before serving, so its first request is not slowed by compression
        return super().__enter__()


# Short bounds keep the tests that wait for a timeout fast (/hang waits the read timeout, /drip
# the total); they are still long enough for a busy machine (CI runs tests side by side) to
# fetch and parse a feed, in a parser process it starts, within them. A 1 MiB cap is plenty.
LIMITS = FetchLimits(
    max_bytes=1024 * 1024, connect_timeout=2.0, read_timeout=1.0, total_timeout=4.0
)


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    """The feed server, shared by a test module."""
    with FeedServer() as running:
        yield running
