"""Time library searches on a large store: Chinese and English, common and rare words.

Builds a synthetic store (not timed): 100,000 items whose titles and bodies are drawn from a
Zipf-weighted vocabulary of real English and Chinese words plus a long tail of made-up rare
ones, so a common word is in tens of thousands of items and a rare one in a handful. Words are
separated by spaces, so the token columns are the tokens of each word joined (the same
string ``bot.library.tokens.search_tokens`` gives for the whole text: checked on a sample);
rows go in through SQLAlchemy Core and the search index of migration 0006 is filled by its
triggers; then the store is analyzed (and, on PostgreSQL, vacuumed, as autovacuum would have).

Then about 200 queries (one and two words; Chinese, English and mixed; common, middling and
rare; and words in about 20,000 items each) go through the real code path,
``bot.store.search.search(session, text)`` for the first page, each in its own session, and
per-query p50 / p95 / max are printed (target: p95 ≤ 50 ms on SQLite and on PostgreSQL), beside
two baselines measured in the same run: a primary-key lookup of one item in its own session,
and ``query_terms`` alone. The machine's load average is printed too: timings on a busy
machine are slower.

    python bench/search_library.py                    # 100,000 items on SQLite
    python bench/search_library.py --scale 0.1        # a quick run
    python bench/search_library.py --profile          # and where the slowest queries spend it
    python bench/search_library.py --postgres URL     # the same on an EMPTY PostgreSQL database
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import itertools
import os
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jieba
from sqlalchemy import delete, func, insert, select, text

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.bootstrap import settle_heap  # noqa: E402
from bot.library.items import ItemKind  # noqa: E402
from bot.library.query import query_terms  # noqa: E402
from bot.library.tokens import search_tokens  # noqa: E402
from bot.store.db import Store, open_store  # noqa: E402
from bot.store.models import Item, Source, SourceKind  # noqa: E402
from bot.store.search import SearchPage, search, search_candidates  # noqa: E402

ITEMS = 100_000
TARGET_P95_MS = 50.0
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
CHUNK = 10_000
PER_GROUP = 15  # queries per group: 14 groups, 210 queries
MANY_HITS = 20_000  # the last group: words in about this many items
ENGLISH = (
    "model data training agent reasoning language vision scaling benchmark attention memory "
    "retrieval policy reward search graph robot planning diffusion token context evaluation "
    "transformer network learning neural paper survey dataset inference alignment safety "
    "optimization gradient loss embedding encoder decoder pretraining finetuning prompt "
    "instruction chain thought tool code math proof theorem kernel sparse dense mixture expert "
    "routing quantization pruning distillation compression latency throughput hardware compiler "
    "cluster parallel pipeline tensor matrix vector kernel cache speculative decoding sampling "
    "temperature entropy calibration uncertainty robustness adversarial attack defense privacy "
    "federated contrastive generative discriminative autoregressive masked causal bidirectional "
    "multimodal audio speech image video caption segmentation detection tracking depth pose "
    "navigation manipulation grasping simulation physics world game chess go poker market "
    "economics policy interpretability circuit neuron feature probing steering editing "
    "hallucination factuality citation grounding knowledge editing unlearning watermark"
)
CHINESE = (
    "模型 数据 训练 推理 语言 视觉 注意力 检索 强化学习 智能体 蒸馏 剪枝 量化 对比学习 "
    "预训练 微调 提示 指令 思维链 工具 代码 数学 证明 稀疏 专家 路由 压缩 延迟 吞吐 硬件 "
    "编译器 集群 并行 流水线 张量 矩阵 向量 缓存 采样 温度 熵 校准 不确定性 鲁棒性 对抗 "
    "攻击 防御 隐私 联邦 生成 判别 自回归 掩码 因果 多模态 语音 图像 视频 分割 检测 跟踪 "
    "深度 导航 操作 抓取 仿真 物理 世界 游戏 经济 可解释性 电路 神经元 特征 幻觉 事实性 "
    "引用 知识 遗忘 水印 评测 基准 规模 记忆 规划 扩散 上下文 评估 对齐 安全 优化 梯度 损失 "
    "嵌入 编码器 解码器 论文 综述 数据集 网络 学习 神经"
)
_HAN = re.compile(r"[\u4e00-\u9fff]+")
SYLLABLES = "ka lo mi ne su ta ri vo zen dra quil brix mor tal wen fy gor pli"


def rare_chinese(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """Words of jieba's own dictionary that it keeps whole: one token each, as rare words are."""
    dictionary = Path(jieba.__file__).with_name("dict.txt").read_text(encoding="utf-8")
    pool = sorted(
        word
        for word, freq, *_ in (line.split() for line in dictionary.splitlines())
        if int(freq) and 2 <= len(word) <= 4 and word not in taken and _HAN.fullmatch(word)
    )
    words: list[str] = []
    for word in rng.sample(pool, len(pool)):
        if search_tokens(word) == word:
            words.append(word)
            if len(words) == count:
                break
    return words


@dataclass(frozen=True)
class Vocabulary:
    """Words by descending frequency; the tokens of each word, cached."""

    words: list[str]
    weights: list[float]
    chinese: set[str]
    tokens: dict[str, str]

    @classmethod
    def make(cls, rng: random.Random) -> Vocabulary:
        english = list(dict.fromkeys(ENGLISH.split()))
        chinese = list(dict.fromkeys(CHINESE.split()))
        rare_en = ["".join(p) for p in itertools.permutations(SYLLABLES.split(), 3)][:3000]
        rare_zh = rare_chinese(rng, 2000, set(chinese))
        real = english + chinese
        rng.shuffle(real)  # the most common words are of both languages
        tail = rare_en + rare_zh
        rng.shuffle(tail)
        words = real + tail
        weights = [1.0 / (rank + 1) ** 1.07 for rank in range(len(words))]  # Zipf
        tokens = {word: search_tokens(word) for word in words}
        return cls(words, weights, set(chinese + rare_zh), tokens)

    def text(self, rng: random.Random, count: int) -> tuple[str, str]:
        words = rng.choices(self.words, cum_weights=self._cumulative, k=count)
        return " ".join(words), " ".join(self.tokens[w] for w in words)

    @property
    def _cumulative(self) -> list[float]:
        cached: list[float] | None = getattr(self, "_cum", None)
        if cached is None:
            cached = list(itertools.accumulate(self.weights))
            object.__setattr__(self, "_cum", cached)
        return cached


def item_rows(count: int, vocabulary: Vocabulary, rng: random.Random) -> Iterator[dict[str, Any]]:
    for n in range(1, count + 1):
        title, title_tokens = vocabulary.text(rng, rng.randint(4, 12))
        body, body_tokens = vocabulary.text(rng, rng.randint(20, 80))
        author, author_tokens = vocabulary.text(rng, 2)
        yield {
            "id": n,
            "kind": ItemKind.PAPER if n % 3 else ItemKind.ARTICLE,
            "title": title,
            "text": body,
            "notes": "",
            "author": author,
            "affiliation": "",
            "year": 2015 + n % 12,
            "url": f"https://example.org/{n}",
            "arxiv_id": None,
            "video_url": None,
            "topic": "",
            "source_id": 1,
            "canonical_key": f"bench:{n}",
            "raw_text": None,
            "repair_confidence": None,
            "title_tokens": title_tokens,
            "body_tokens": f"{body_tokens} {author_tokens}",  # the importer's text + author
            "published_at": None,
            "added_at": NOW - dt.timedelta(seconds=ITEMS - n),
        }


def chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    while batch := list(itertools.islice(rows, CHUNK)):
        yield batch


def build(store: Store, count: int, vocabulary: Vocabulary, rng: random.Random) -> None:
    source = {"id": 1, "kind": SourceKind.NOTES_FILE, "key": "file:bench", "name": "bench"}
    with store.engine.begin() as connection:
        connection.execute(insert(Source), [{**source, "added_at": NOW}])
        for batch in chunks(item_rows(count, vocabulary, rng)):
            connection.execute(insert(Item), batch)  # the index's triggers follow each row
    # A live PostgreSQL store is vacuumed by autovacuum, which an index-only scan relies on.
    analyze = "VACUUM ANALYZE" if store.engine.dialect.name == "postgresql" else "ANALYZE"
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(analyze))


def check_tokens(store: Store, sample: int) -> None:
    """The bulk token columns are what search_tokens makes of the stored text."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(Item.title, Item.text, Item.author, Item.title_tokens, Item.body_tokens)
            .order_by(Item.id)
            .limit(sample)
        )
        for title, body, author, title_tokens, body_tokens in rows:
            assert search_tokens(title) == title_tokens, (title, title_tokens)
            assert search_tokens(f"{body} {author}") == body_tokens, body


def make_queries(vocabulary: Vocabulary, rng: random.Random) -> list[tuple[str, str]]:
    """(group, query): common words are the top 30, middling ranks 200-600, rare the tail."""
    bands = {"common": (0, 30), "middling": (200, 600), "rare": (2000, len(vocabulary.words))}
    queries = []
    for language in ("en", "zh"):
        for band, (low, high) in bands.items():
            pool = [
                w
                for w in vocabulary.words[low:high]
                if (w in vocabulary.chinese) == (language == "zh")
            ]
            for words in (1, 2):
                group = f"{language} {band} {words}w"
                queries += [(group, " ".join(rng.sample(pool, words))) for _ in range(PER_GROUP)]
    # mixed: one common English and one common Chinese word, as people type them
    top = vocabulary.words[:30]
    en = [w for w in top if w not in vocabulary.chinese]
    zh = [w for w in top if w in vocabulary.chinese]
    queries += [("mixed common 2w", f"{rng.choice(zh)} {rng.choice(en)}") for _ in range(PER_GROUP)]
    return queries


def many_hits_queries(store: Store, vocabulary: Vocabulary, items: int) -> list[tuple[str, str]]:
    """Single-token words of the built store in about MANY_HITS items each (as a share of
    ITEMS, at another scale), nearest first."""
    target = MANY_HITS * items // ITEMS
    near = [w for w in vocabulary.words[5:120] if vocabulary.tokens[w] == w]
    count = text("SELECT count(*) FROM items_fts_terms WHERE term = :term")
    with store.engine.connect() as connection:
        hits = {w: connection.execute(count, {"term": w}).scalar_one() for w in near}
    chosen = sorted(near, key=lambda w: abs(hits[w] - target))[:5]
    low, high = min(hits[w] for w in chosen), max(hits[w] for w in chosen)
    print(f"  ~{target:,} hits: {len(chosen)} words in {low:,} to {high:,} items each")
    group = f"{target / 1000:.0f}k hits 1w"
    return [(group, word) for word in chosen for _ in range(PER_GROUP // len(chosen))]


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def run(store: Store, queries: list[tuple[str, str]], items: int, profile: bool) -> bool:
    rng = random.Random(7)

    def lookup() -> None:
        with store.sessions() as session:
            session.get(Item, rng.randint(1, items))

    def one(query: str) -> SearchPage:
        with store.sessions() as session:
            return search(session, query)

    for _ in range(50):  # warm the pool, the caches and jieba
        lookup()
    for _, query in queries[:10]:
        one(query)
    settle_heap()  # as `lamplight run` does once started
    lookups = [timed(lookup) for _ in range(len(queries))]
    terms_only = [timed(lambda q=q: query_terms(q)) for _, q in queries]
    results: list[tuple[str, str, float, SearchPage]] = []
    for group, query in queries:
        start = time.perf_counter()
        page = one(query)
        results.append((group, query, (time.perf_counter() - start) * 1000, page))

    base_p50, base_p95, _ = percentiles(lookups)
    terms_p50, terms_p95, _ = percentiles(terms_only)
    p50, p95, worst = percentiles([r[2] for r in results])
    print(f"baseline, primary-key lookup in its own session: p50 {base_p50:.2f} ms,"
          f" p95 {base_p95:.2f} ms")  # fmt: skip
    print(f"baseline, query_terms alone: p50 {terms_p50:.3f} ms, p95 {terms_p95:.3f} ms")
    print(f"search, first page, {len(results)} queries: p50 {p50:.1f} ms  p95 {p95:.1f} ms"
          f"  max {worst:.1f} ms")  # fmt: skip
    verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
    print(f"  p95 / lookup p95: {p95 / base_p95:.0f}x;"
          f" target p95 <= {TARGET_P95_MS:.0f} ms: {verdict}")  # fmt: skip
    print(f"  {'group':<18} {'p50 ms':>8} {'max ms':>8} {'hits p50':>9} {'hits max':>9}")
    for group, rows in itertools.groupby(sorted(results, key=lambda r: r[0]), key=lambda r: r[0]):
        rows_ = list(rows)
        times = [r[2] for r in rows_]
        pages = sorted(rows_, key=lambda r: (r[3].capped, r[3].total))
        middle, most = pages[len(pages) // 2][3], pages[-1][3]
        print(f"  {group:<18} {statistics.median(times):8.1f} {max(times):8.1f}"
              f" {middle.total_text():>9} {most.total_text():>9}")  # fmt: skip
    slowest = sorted(results, key=lambda r: -r[2])[:5]
    print(
        "  slowest: "
        + "; ".join(f"{q!r} {t:.0f} ms ({p.total_text()} hits)" for _, q, t, p in slowest)
    )
    if profile:
        split(store, [q for _, q, _, _ in slowest])
    return p95 <= TARGET_P95_MS


def split(store: Store, queries: list[str]) -> None:
    """Where the slowest queries spend their time: the store's select, then the rest."""
    for query in queries:
        with store.sessions() as session:
            terms = query_terms(query)
            start = time.perf_counter()
            found = search_candidates(session, terms)
            every_ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            search(session, query)
            page_ms = (time.perf_counter() - start) * 1000
        print(f"  {query!r}: first page in {page_ms:.1f} ms; every match ({len(found):,})"
              f" read from the index in {every_ms:.1f} ms")  # fmt: skip
    profiler = cProfile.Profile()
    with store.sessions() as session:
        profiler.enable()
        for query in queries:
            search(session, query)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 100,000 items")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="profile the slowest queries")
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database instead")
    args = parser.parse_args()
    items = max(int(ITEMS * args.scale), 1000)
    rng = random.Random(args.seed)
    vocabulary = Vocabulary.make(rng)
    queries = make_queries(vocabulary, rng)

    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite:///{folder}/bench.sqlite3"
        store = open_store(url)
        with store.engine.connect() as connection:
            if connection.execute(select(func.count()).select_from(Item)).scalar_one():
                sys.exit("the store already holds items; give an empty database")
        try:
            started = time.perf_counter()
            build(store, items, vocabulary, rng)
            built = time.perf_counter() - started
            check_tokens(store, 300)
            print(f"{store.engine.dialect.name}: {items:,} items, vocabulary of"
                  f" {len(vocabulary.words):,} words")  # fmt: skip
            print(f"  (built in {built:.1f} s, not timed)")
            queries += many_hits_queries(store, vocabulary, items)
            print("  load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
            run(store, queries, items, args.profile)
            print("  load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        finally:
            if args.postgres:  # leave the database as it was given
                with store.engine.begin() as connection:
                    # Emptied first, the index costs the items' delete triggers nothing.
                    connection.execute(text("TRUNCATE items_fts_terms"))
                    connection.execute(delete(Item))
                    connection.execute(delete(Source))
            store.dispose()


if __name__ == "__main__":
    main()
