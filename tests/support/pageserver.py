"""A fake web: pages a captured link may lead to, served on 127.0.0.1 in a thread (stdlib only).

Each route is one situation the page reader meets: a post with Open Graph tags and a feed, a
page with only <title> (in GBK), a scholarly page, a feed itself, a PDF, a 404, a redirect, a
page that never answers, and one of 40 MB sent without a Content-Length. The server counts the
bytes it managed to send of the big one before the reader hung up. The texts are lamplight's
own small samples.
"""

from __future__ import annotations

import threading
from collections import Counter

from tests.support.feedserver import RSS
from tests.support.serving import QuietHandler, QuietServer, ServedOnAThread

__all__ = ["ARTICLE", "HUGE_SIZE", "PageServer"]

ARTICLE = {
    "title": "Reading papers in three passes",
    "description": "Skim first, then read the figures, then the whole paper when it earns it.",
    "site": "Lamplight Test Blog",
}

_ARTICLE = f"""<!doctype html>
<html><head><meta charset="utf-8">
<title>Three passes | a blog title that loses to Open Graph</title>
<meta property="og:title" content="{ARTICLE["title"]}">
<meta property="og:description" content="{ARTICLE["description"]}">
<meta property="og:site_name" content="{ARTICLE["site"]}">
<link rel="alternate" type="application/rss+xml" title="Posts" href="/feed.xml">
</head><body><h1>Three passes</h1><p>First, the abstract.</p></body></html>
""".encode()

_PLAIN = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
    "<title>读论文的三遍法</title>"
    '<meta name="description" content="先读摘要，再看图，最后精读。">'
    "</head><body>正文</body></html>"
).encode("gbk")

_SCHOLARLY = b"""<!doctype html><html><head>
<meta name="citation_title" content="Graph Embeddings at Scale (a sample)">
<meta name="citation_doi" content="10.1145/3292500.3330701">
<title>Graph Embeddings at Scale (a sample) | Proceedings</title>
</head><body></body></html>
"""

HUGE_SIZE = 40 * 1024 * 1024
_CHUNK = b"<p>" + b"words " * 10920 + b"</p>\n"  # about 64 KiB


class _Server(QuietServer):
    stopping: threading.Event
    sent: Counter[str]
    lock: threading.Lock


class _Handler(QuietHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        simple = {
            "/article": (_ARTICLE, "text/html; charset=utf-8"),
            "/plain": (_PLAIN, "text/html"),
            "/doi/10.1145/3292500.3330701": (_SCHOLARLY, "text/html"),
            "/feed.xml": (RSS, "application/rss+xml"),
            "/paper.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        }
        try:
            if path in simple:
                self._send(*simple[path])
            elif path == "/moved":
                self._send(b"", "text/plain", 301, {"Location": "/article"})
            elif path == "/hang":
                self.server.stopping.wait(30)  # never answers while the test runs
                self.close_connection = True
            elif path == "/huge":
                self._huge()
            else:
                self._send(b"not here", "text/plain", 404)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(
        self,
        body: bytes,
        content_type: str,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _huge(self) -> None:
        """40 MB of HTML, chunked: no Content-Length warns the reader."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        head = b"<html><head>"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(head), head))
        sent = 0
        while sent < HUGE_SIZE and not self.server.stopping.is_set():
            self.wfile.write(b"%x\r\n%s\r\n" % (len(_CHUNK), _CHUNK))
            sent += len(_CHUNK)
            with self.server.lock:
                self.server.sent["/huge"] += len(_CHUNK)
        self.wfile.write(b"0\r\n\r\n")


class PageServer(ServedOnAThread):
    """Serve the pages above on 127.0.0.1; use as a context manager."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stopping = threading.Event()
        self._server.sent = Counter()
        self._server.lock = threading.Lock()
        super().__init__(self._server, self._server.stopping)  # releases /hang, ends /huge

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def bytes_sent(self, path: str) -> int:
        with self._server.lock:
            return self._server.sent[path]
