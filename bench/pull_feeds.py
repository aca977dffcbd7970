"""Time a pull of many newsletter feeds at once, against slow local hosts.

Serves 200 distinct feeds from local HTTP servers on 127.0.0.1, by default one per port, as
newsletters each live on a host of their own (``--hosts 20`` puts 10 feeds on each of 20
ports, where FetchLimits.per_host, not the slowest feed, decides the time), each feed with its own
delay before it answers (spread evenly over 50–500 ms, assigned to hosts at random) and its own
ETag, answering 304 to a matching If-None-Match. Every feed is followed in a fresh temporary
SQLite store, then the real code path is timed: ``bot.feeds.pull.pull_feeds`` with a real
``httpx.AsyncClient(trust_env=False)``.

Figures, for each FetchLimits tried (the defaults, and limits wide enough for this pull):

* the first pull's time as a ratio of the slowest feed fetched alone in the same run
  (the baseline; target ≤ 1.5), and the items it added;
* the floor those limits allow (no scheduler can beat it: the slowest feed, each host's delays
  divided by per_host, all delays divided by overall), as the same ratio;
* a second pull, `now` moved past the refresh interval so every feed is due again, which must be
  all 304s: its time and whether every outcome was not_modified.

The segmenter's dictionary is loaded and the pull's parser process started before timing (a
running bot has both from its earlier pulls).

    python bench/pull_feeds.py                          # one feed per host
    python bench/pull_feeds.py --hosts 20               # 20 hosts × 10 feeds
    python bench/pull_feeds.py --per-host 4 --overall 32  # try other limits too
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.config import Settings  # noqa: E402
from bot.feeds.fetch import FeedRequest, FetchLimits, fetch_feed, fetch_many  # noqa: E402
from bot.feeds.parse import parse_feed  # noqa: E402
from bot.feeds.pull import FeedParsers, PullReport, pull_feeds  # noqa: E402
from bot.library.tokens import search_tokens  # noqa: E402
from bot.store.db import open_store  # noqa: E402
from bot.store.feeds import FeedOutcome, follow  # noqa: E402

FEEDS = 200
MIN_DELAY = 0.05
MAX_DELAY = 0.5
ENTRIES = 5
TARGET = 1.5
REFRESH_MINUTES = 60
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
VOCABULARY = (
    "model data training agent reasoning language vision scaling benchmark attention memory "
    "retrieval policy reward search 模型 数据 训练 推理 语言 视觉 注意力 检索 智能体"
)
WORDS = VOCABULARY.split()


@dataclass(frozen=True)
class Feed:
    path: str
    delay: float  # seconds before the server answers, for a 200 and a 304 alike
    etag: str
    body: bytes


def make_feed(n: int, delay: float, rng: random.Random) -> Feed:
    items = []
    for e in range(ENTRIES):
        title = " ".join(rng.choice(WORDS) for _ in range(6))
        summary = " ".join(rng.choice(WORDS) for _ in range(30))
        items.append(
            f"<item><title>{title} {n}-{e}</title>"
            f"<link>http://news.invalid/{n}/{e}</link>"
            f'<guid isPermaLink="false">bench-{n}-{e}</guid>'
            f"<pubDate>Mon, 23 Nov 2026 0{e}:00:00 GMT</pubDate>"
            f"<description>&lt;p&gt;{summary}&lt;/p&gt;</description></item>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Bench feed {n}</title><link>http://news.invalid/{n}/</link>"
        f"<description>feed {n}</description>{''.join(items)}</channel></rss>"
    ).encode()
    return Feed(f"/feed/{n}", delay, f'"bench-{n}-v1"', body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # every feed of a host may connect at once
    feeds: dict[str, Feed]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        feed = self.server.feeds.get(self.path.split("?", 1)[0])
        if feed is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        time.sleep(feed.delay)
        if self.headers.get("If-None-Match") == feed.etag:
            self.send_response(304)
            self.send_header("ETag", feed.etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(feed.body)))
        self.send_header("ETag", feed.etag)
        self.end_headers()
        self.wfile.write(feed.body)


def _serve(feeds: list[Feed], count: int, ports: Queue[list[int]], stop: Event) -> None:
    """In a child process: `count` servers on 127.0.0.1, the feeds dealt round-robin."""
    servers = [_Server(("127.0.0.1", 0), _Handler) for _ in range(count)]
    for n, server in enumerate(servers):
        server.feeds = {feed.path: feed for feed in feeds[n::count]}
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports.put([int(server.server_address[1]) for server in servers])
    stop.wait()
    for server in servers:
        server.shutdown()
        server.server_close()


class Hosts:
    """The feed servers, in their own process so their work does not share the bench's GIL."""

    def __init__(self, feeds: list[Feed], count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._ports: Queue[list[int]] = context.Queue()
        self._stop = context.Event()
        self._process = context.Process(
            target=_serve, args=(feeds, count, self._ports, self._stop), daemon=True
        )
        self.feeds, self.count = feeds, count
        self.by_host = [feeds[n::count] for n in range(count)]
        self.urls: list[str] = []

    def __enter__(self) -> Hosts:
        self._process.start()
        ports = self._ports.get(timeout=60)
        self.urls = [
            f"http://127.0.0.1:{ports[n % self.count]}{feed.path}"
            for n, feed in enumerate(self.feeds)
        ]
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join(timeout=10)


def floor(hosts: Hosts, limits: FetchLimits) -> float:
    """The least time the limits allow (a lower bound: it ignores how the work packs)."""
    per_host = max(sum(f.delay for f in feeds) / limits.per_host for feeds in hosts.by_host)
    overall = sum(f.delay for feeds in hosts.by_host for f in feeds) / limits.overall
    return max(MAX_DELAY, per_host, overall)


def client(limits: FetchLimits) -> httpx.AsyncClient:
    # httpx's own pool allows 100 connections by default; fetch_many's limits must decide.
    pool = httpx.Limits(max_connections=max(limits.overall, 100), max_keepalive_connections=20)
    return httpx.AsyncClient(trust_env=False, limits=pool)


async def fetch_only(hosts: Hosts, limits: FetchLimits) -> float:
    """The fetches of a first pull alone (fetch_many, parsing included), no store."""
    async with client(limits) as http:
        start = time.perf_counter()
        requests = [FeedRequest(url) for url in hosts.urls]
        results = await fetch_many(http, requests, limits, PARSERS.for_pull(len(requests)))
        took = time.perf_counter() - start
    assert all(result.ok for result in results)
    return took


def parse_cpu(feeds: list[Feed]) -> float:
    """CPU time parse_feed needs for every body, one after another (no network)."""
    start = time.perf_counter()
    for feed in feeds:
        parse_feed(feed.body, {"content-type": "application/rss+xml"}, "http://news.invalid/")
    return time.perf_counter() - start


async def slowest_alone(url: str) -> float:
    """The baseline: the slowest feed fetched on its own (best of three, no store)."""
    best = float("inf")
    for _ in range(3):
        async with client(FetchLimits()) as http:
            start = time.perf_counter()
            result = await fetch_feed(http, url)
            best = min(best, time.perf_counter() - start)
        assert result.ok and result.entries, result
    return best


# The bot's scheduler keeps one for its pulls; started before timing, as a running bot's is.
PARSERS = FeedParsers()


async def timed_pull(
    now: dt.datetime, store_url: str, settings: Settings, limits: FetchLimits
) -> tuple[float, PullReport]:
    store = open_store(store_url)
    try:
        async with client(limits) as http:
            start = time.perf_counter()
            report = await pull_feeds(
                now, store=store, client=http, settings=settings, limits=limits,
                parsers=PARSERS,
            )  # fmt: skip
            return time.perf_counter() - start, report
    finally:
        store.dispose()


async def scenario(
    name: str, hosts: Hosts, limits: FetchLimits, baseline: float, folder: Path
) -> bool:
    store_url = f"sqlite:///{folder}/{name}.sqlite3"
    settings = Settings(
        lamplight_data_dir=folder, database_url=store_url, feeds_refresh_minutes=REFRESH_MINUTES
    )
    store = open_store(store_url)
    with store.transaction() as session:
        for n, url in enumerate(hosts.urls):
            follow(session, url, f"Bench feed {n}", NOW - dt.timedelta(days=1))
    store.dispose()

    first, report = await timed_pull(NOW, store_url, settings, limits)
    later = NOW + dt.timedelta(minutes=REFRESH_MINUTES + 1)
    second, again = await timed_pull(later, store_url, settings, limits)

    ratio = first / baseline
    met = ratio <= TARGET
    outcomes = ", ".join(f"{k.value} {v}" for k, v in sorted(report.outcomes.items()))
    all_304 = again.outcomes == Counter({FeedOutcome.NOT_MODIFIED: FEEDS})
    print(f"\n[{name}] FetchLimits(per_host={limits.per_host}, overall={limits.overall})")
    print(f"  first pull: {first:.2f} s = {ratio:.2f}x the slowest feed alone;"
          f" target <= {TARGET}: {'met' if met else 'MISSED'}")  # fmt: skip
    print(f"    floor these limits allow: {floor(hosts, limits):.2f} s"
          f" = {floor(hosts, limits) / baseline:.2f}x")  # fmt: skip
    fetches = await fetch_only(hosts, limits)
    print(f"    outcomes: {outcomes}; items added: {report.items.added.total()}")
    print(f"    of which fetch_many alone (parsing included, no store): {fetches:.2f} s"
          f" = {fetches / baseline:.2f}x; storing ~{first - fetches:.2f} s")  # fmt: skip
    print(f"  second pull (all due again): {second:.2f} s = {second / baseline:.2f}x;"
          f" every outcome not_modified: {'yes' if all_304 else 'NO'}"
          f" ({', '.join(f'{k.value} {v}' for k, v in again.outcomes.items())})")  # fmt: skip
    return met and all_304


async def run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    step = (MAX_DELAY - MIN_DELAY) / (FEEDS - 1)
    delays = [MIN_DELAY + step * n for n in range(FEEDS)]
    rng.shuffle(delays)
    feeds = [make_feed(n, delay, rng) for n, delay in enumerate(delays)]
    search_tokens("预热")  # the segmenter's dictionary, loaded once per process, not per pull
    PARSERS.warm()
    with Hosts(feeds, args.hosts) as hosts, tempfile.TemporaryDirectory() as tmp:
        slowest = hosts.urls[max(range(FEEDS), key=lambda n: feeds[n].delay)]
        baseline = await slowest_alone(slowest)
        print(f"{FEEDS} feeds on {args.hosts} local hosts, {ENTRIES} posts each;"
              f" delays {MIN_DELAY * 1000:.0f}-{MAX_DELAY * 1000:.0f} ms")  # fmt: skip
        print(f"baseline, the slowest feed ({MAX_DELAY * 1000:.0f} ms) fetched alone:"
              f" {baseline * 1000:.0f} ms")  # fmt: skip
        print(f"CPU of parse_feed over all {FEEDS} bodies, serially: {parse_cpu(feeds):.2f} s")
        tries = [
            ("defaults", FetchLimits()),
            ("wide", FetchLimits(per_host=10, overall=FEEDS)),
        ]
        if args.per_host or args.overall:
            custom = FetchLimits(
                per_host=args.per_host or FetchLimits().per_host,
                overall=args.overall or FetchLimits().overall,
            )
            tries.append(("custom", custom))
        for name, limits in tries:
            await scenario(name, hosts, limits, baseline, Path(tmp))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=FEEDS, help="local servers the feeds share")
    parser.add_argument("--per-host", type=int, default=0, help="also try this per_host limit")
    parser.add_argument("--overall", type=int, default=0, help="also try this overall limit")
    parser.add_argument("--seed", type=int, default=1)
    try:
        asyncio.run(run(parser.parse_args()))
    finally:
        PARSERS.shutdown()


if __name__ == "__main__":
    main()
