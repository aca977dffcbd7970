"""Time the daily compose sweep: every subscriber due at once, on a large SQLite store.

Builds a synthetic store in a temporary directory (not timed): 100,000 items (quotes, papers,
news articles, with their search tokens as an import stores them: content taste learns from
their words), 10,000 subscribers in four time zones, each with yesterday's digest and 100
past deliveries (item_states rows: shown, read, skipped; 1,000,000 in all), and muted words for
one in ten. Then times the real code path,
``bot.digests.compose.compose_due(store, now)``, with every chat due: history, selection,
rendering and storing each digest, in as many processes as the bot would use
(COMPOSE_PROCESSES=0: one per CPU, up to 4; ``--processes 1`` for one). The CPU time printed
is all of them together.

The figure that matters is the time beside Telegram's floor: sending one message to each of N
subscribers takes at least N/30 s (10,000/30 = 333 s); composing, content taste included,
should take at most a twentieth of that. The baseline, measured in the same run on the same
store, is the least any per-chat sweep must do: one transaction per chat that reads the chat's
history rows (plain SQL).

    python bench/compose_digests.py              # 100,000 items, 10,000 chats, 1,000,000 rows
    python bench/compose_digests.py --scale 0.1  # a quick run, a tenth of each
    python bench/compose_digests.py --profile    # and the top of a cProfile of the sweep
                                                 # (of its own process: add --processes 1)
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.digests.compose import COMPOSE_BATCH, compose_due  # noqa: E402
from bot.digests.processes import process_count  # noqa: E402
from bot.library.items import Answer, ItemKind  # noqa: E402
from bot.library.tokens import search_tokens  # noqa: E402
from bot.store.db import Store, open_store  # noqa: E402
from bot.store.models import (  # noqa: E402
    Chat,
    DeliveryState,
    Digest,
    DigestItem,
    DigestKind,
    DigestMessage,
    Item,
    ItemState,
    MutedWord,
    Source,
    SourceKind,
)

ITEMS = 100_000
CHATS = 10_000
DELIVERIES = 1_000_000
TELEGRAM_PER_SECOND = 30
TARGET_SHARE = 0.05
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
CHUNK = 20_000

# (zone, UTC offset in hours at NOW, earliest and latest local digest hour due by NOW)
ZONES = [
    ("UTC", 0, 6, 11),
    ("Asia/Shanghai", 8, 7, 19),
    ("America/New_York", -5, 5, 6),
    ("Europe/Berlin", 1, 7, 12),
]
TOPICS = [f"{area} {n}" for area in ("agents", "vision", "alignment", "systems") for n in range(12)]
NOTES_FILES = [f"notes-{n}.txt" for n in range(6)]
NEWSLETTERS = [f"Newsletter {n}" for n in range(16)]
VOCABULARY = (
    "model data training agent reasoning language vision scaling benchmark attention memory "
    "retrieval policy reward search graph robot planning diffusion token context evaluation "
    "模型 数据 训练 推理 语言 视觉 注意力 检索 强化学习 智能体"
)
WORDS = VOCABULARY.split()
MUTABLE = ["crypto", "hype", "agents 3", "vision 7"]


@dataclass(frozen=True)
class Scale:
    items: int
    chats: int
    per_chat: int

    @classmethod
    def of(cls, share: float) -> Scale:
        chats = max(int(CHATS * share), 10)
        items = max(int(ITEMS * share), 200)
        return cls(items, chats, min(DELIVERIES // CHATS, items // 2))


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def source_rows() -> list[dict[str, Any]]:
    files = [
        {"id": n + 1, "kind": SourceKind.NOTES_FILE, "key": f"file:{name}", "name": name}
        for n, name in enumerate(NOTES_FILES)
    ]
    feeds = [
        {"id": len(files) + n + 1, "kind": SourceKind.FEED, "key": f"feed:{n}", "name": name}
        for n, name in enumerate(NEWSLETTERS)
    ]
    return [{"site": None, "feed_url": None, "added_at": NOW, **row} for row in files + feeds]


def item_rows(scale: Scale, rng: random.Random) -> Iterator[dict[str, Any]]:
    """A fifth quotes and two fifths papers from the notes files, two fifths newsletter posts
    (a few topics per newsletter, published over the last 90 days, so some are news)."""
    for n in range(1, scale.items + 1):
        roll = rng.random()
        published = None
        if roll < 0.2:
            kind, source = ItemKind.QUOTE, rng.randrange(len(NOTES_FILES))
            topic = rng.choice(TOPICS)
        elif roll < 0.6:
            kind, source = ItemKind.PAPER, rng.randrange(len(NOTES_FILES))
            topic = rng.choice(TOPICS)
        else:
            kind, source = ItemKind.ARTICLE, len(NOTES_FILES) + rng.randrange(len(NEWSLETTERS))
            topic = TOPICS[(source * 5 + rng.randrange(3)) % len(TOPICS)]
            published = NOW - dt.timedelta(minutes=rng.randrange(90 * 24 * 60))
        title = sentence(rng, rng.randint(4, 12)) + (" crypto" if rng.random() < 0.01 else "")
        text = sentence(rng, rng.randint(10, 60))
        yield {
            "id": n,
            "kind": kind,
            "title": title,
            "text": text,
            "notes": "",
            "author": sentence(rng, 2),
            "affiliation": "",
            "year": rng.randint(2015, 2026),
            "url": f"https://example.org/{kind.value}/{n}",
            "arxiv_id": None,
            "video_url": None,
            "topic": topic,
            "source_id": source + 1,
            "canonical_key": f"bench:{n}",
            "raw_text": None,
            "repair_confidence": None,
            # As an import stores them: content taste learns from these words.
            "title_tokens": search_tokens(title),
            "body_tokens": search_tokens(text),
            "published_at": published,
            "added_at": NOW - dt.timedelta(days=400) + dt.timedelta(seconds=n),
        }


def chat_rows(scale: Scale, rng: random.Random) -> Iterator[dict[str, Any]]:
    for chat_id in range(1, scale.chats + 1):
        zone, _offset, first, last = ZONES[chat_id % len(ZONES)]
        yield {
            "id": chat_id,
            "subscribed": True,
            "timezone": zone,
            "digest_time": dt.time(rng.randint(first, last), rng.randrange(60)),
            "digest_size": rng.choice((5, 5, 5, 3, 8, 10)),
            "language": "en",
            "paused": False,
            "blocked": False,
            "created_at": NOW - dt.timedelta(days=200),
            "joined_at": NOW - dt.timedelta(days=200),
        }


def local_yesterday(chat_id: int) -> dt.date:
    _zone, offset, _first, _last = ZONES[chat_id % len(ZONES)]
    return (NOW + dt.timedelta(hours=offset)).date() - dt.timedelta(days=1)


def state_rows(scale: Scale, rng: random.Random) -> Iterator[dict[str, Any]]:
    """Per chat: yesterday's five items (shown a day ago), then older deliveries: half shown
    and never answered, three tenths read, a fifth skipped."""
    for chat_id in range(1, scale.chats + 1):
        for n, item_id in enumerate(rng.sample(range(1, scale.items + 1), scale.per_chat)):
            if n < 5:
                shown = NOW - dt.timedelta(days=1)
            else:
                shown = NOW - dt.timedelta(minutes=rng.randrange(2 * 24 * 60, 300 * 24 * 60))
            roll = rng.random()
            status = None if roll < 0.5 else Answer.READ if roll < 0.8 else Answer.SKIPPED
            yield {
                "chat_id": chat_id,
                "item_id": item_id,
                "status": status,
                "answered_at": shown + dt.timedelta(hours=2) if status else None,
                "times_shown": rng.randint(1, 3),
                "last_shown_at": shown,
            }


def yesterday_rows(scale: Scale) -> tuple[list[dict[str, Any]], ...]:
    """Each chat's daily digest of yesterday, sent: the chats are due for today's."""
    digests, items, messages = [], [], []
    for chat_id in range(1, scale.chats + 1):
        digests.append(
            {
                "id": chat_id,
                "chat_id": chat_id,
                "kind": DigestKind.DAILY,
                "local_date": local_yesterday(chat_id),
                "created_at": NOW - dt.timedelta(days=1),
                "gave_up_at": None,
            }
        )
        items += [
            {"digest_id": chat_id, "position": p, "item_id": (chat_id * 7 + p) % scale.items + 1}
            for p in range(1, 6)
        ]
        messages.append(
            {
                "digest_id": chat_id,
                "part": 1,
                "body": "yesterday",
                "buttons": [],
                "state": DeliveryState.SENT,
                "telegram_message_id": chat_id,
                "attempts": 1,
                "retry_at": None,
                "last_error": None,
                "sent_at": NOW - dt.timedelta(days=1),
            }
        )
    return digests, items, messages


def muted_rows(scale: Scale, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for chat_id in range(1, scale.chats + 1, 10):
        for word in rng.sample(MUTABLE, rng.randint(1, 2)):
            rows.append({"chat_id": chat_id, "word": word})
    return rows


def build(store: Store, scale: Scale, rng: random.Random) -> None:
    with store.engine.begin() as connection:
        connection.execute(insert(Source), source_rows())
        for batch in chunks(item_rows(scale, rng)):
            connection.execute(insert(Item), batch)
        for batch in chunks(chat_rows(scale, rng)):
            connection.execute(insert(Chat), batch)
        connection.execute(insert(MutedWord), muted_rows(scale, rng))
        for batch in chunks(state_rows(scale, rng)):
            connection.execute(insert(ItemState), batch)
        digests, digest_items, messages = yesterday_rows(scale)
        connection.execute(insert(Digest), digests)
        connection.execute(insert(DigestItem), digest_items)
        connection.execute(insert(DigestMessage), messages)
    with store.engine.connect() as connection:
        connection.execute(text("ANALYZE"))


def read_histories(store: Store, chats: int) -> int:
    """The baseline: one transaction per chat that reads its history rows, and nothing else."""
    rows = 0
    query = text(
        "SELECT item_id, status, answered_at, times_shown, last_shown_at"
        " FROM item_states WHERE chat_id = :chat"
    )
    for chat_id in range(1, chats + 1):
        with store.engine.begin() as connection:
            rows += len(connection.execute(query, {"chat": chat_id}).all())
    return rows


def count(store: Store, query: Any) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def timed_sweep(store: Store, profile: bool, processes: int) -> tuple[float, float, int, str]:
    """The sweep's wall time, its CPU time (this process's and its workers'), the digests
    composed, and the profile if asked (of this process only)."""
    profiler = cProfile.Profile() if profile else None
    start, cpu_start = time.perf_counter(), _cpu()
    if profiler:
        profiler.enable()
    composed = compose_due(store, NOW, processes=processes)
    if profiler:
        profiler.disable()
    took, cpu = time.perf_counter() - start, _cpu() - cpu_start
    report = ""
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
        report = out.getvalue()
    return took, cpu, composed, report


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the sweep's workers)."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile the sweep (slower)")
    parser.add_argument(
        "--processes", type=int, default=0, help="COMPOSE_PROCESSES (0: one per CPU, up to 4)"
    )
    args = parser.parse_args()
    scale = Scale.of(args.scale)
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/bench.sqlite3")
        started = time.perf_counter()
        build(store, scale, rng)
        built = time.perf_counter() - started
        deliveries = count(store, select(func.count()).select_from(ItemState))

        base_start = time.perf_counter()
        read_histories(store, scale.chats)
        baseline = time.perf_counter() - base_start

        took, cpu, composed, profile = timed_sweep(store, args.profile, args.processes)
        today = select(func.count()).select_from(Digest).where(Digest.created_at == NOW)
        stored = count(store, today)
        pending = count(
            store,
            select(func.count())
            .select_from(DigestMessage)
            .where(DigestMessage.state == DeliveryState.PENDING),
        )
        store.dispose()

    floor = scale.chats / TELEGRAM_PER_SECOND
    ratio = took / floor
    verdict = "met" if ratio <= TARGET_SHARE else "MISSED"
    print(f"items: {scale.items:,}  subscribers: {scale.chats:,}  deliveries: {deliveries:,}")
    print(f"  (synthetic SQLite store built in {built:.1f} s, not timed)")
    used = process_count(args.processes, -(-scale.chats // COMPOSE_BATCH))
    print(
        f"compose_due, every chat due, in {used} process(es): {took:.2f} s for {composed:,} digests"
    )
    print(f"  {1000 * took / max(composed, 1):.2f} ms per digest; stored {stored:,} digests,")
    print(f"  {pending:,} messages pending")
    # On a shared machine the wall time also holds other programs' turns on the CPU.
    print(f"  CPU time {cpu:.2f} s in all, {1000 * cpu / max(composed, 1):.2f} ms per digest")
    print(f"baseline, each chat's history read in its own transaction: {baseline:.2f} s")
    print(f"  sweep / baseline: {took / baseline:.1f}x")
    print(f"Telegram floor, {scale.chats:,} messages at {TELEGRAM_PER_SECOND}/s: {floor:.1f} s")
    print(f"  sweep / floor: {ratio:.3f}; target <= {TARGET_SHARE}: {verdict}")
    print(f"  CPU time / floor: {cpu / floor:.3f}")
    if profile:
        print(profile)


if __name__ == "__main__":
    main()
