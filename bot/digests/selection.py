"""Digest selection: which library items one reader gets today, and in what order.

``compose_digest`` is pure: the library, the reader's history, their preferences, ``now`` and a
seed go in, a ``Digest`` comes out. Same arguments, same digest (the order of ``candidates`` does
not matter either), so a digest can be recomposed or explained after the fact.

How a digest is filled, in one pass over the candidates plus a few draws:

1. Every candidate is sorted into a *tier* by its history, or left out:

   - ``FRESH``: never shown, never answered;
   - ``UNANSWERED``: shown before, never answered;
   - ``DUE_QUOTE``: a quote the reader read, due again (its interval grows with each showing);
   - ``RESTED``: skipped, and its rest is over;
   - left out: muted, read papers and articles (never again), skipped ones still resting, read
     quotes not yet due;
   - ``RECENTLY_SHOWN``: shown within ``repeat_gap`` (so yesterday's): only used when the digest
     would otherwise come out short, and never for items the rules above leave out.

2. Quotes and reading (papers and articles) are drawn separately: ``prefs.quotes`` quotes and the
   rest reading; a kind that runs out is made up by the other, so the digest keeps its size while
   the library allows.

3. Within a kind, tiers are drawn in order (all of a better tier before any of a worse one). Recent
   articles (published, else added, within ``recent_article_window``) are drawn before the rest of
   their tier for up to ``recent_article_share`` of the reading slots; a newsletter flood then
   cannot crowd out the owner's papers.

4. Each draw is weighted by how the reader answered the item's topic and source (read pulls
   toward, skip pushes away, smoothed by a prior), except that an ``exploration`` share of draws
   ignores the weights, so no topic or source starves.

Display order: quotes first, then reading, each in the order drawn (best tier first).

Cost: what depends only on the library and ``now`` (each item's kind, news-ness, and its bucket
by topic, source and news as if never shown) is a :class:`SelectionIndex`, built in one pass over
``candidates``. A sweep builds it once and calls :func:`compose_indexed` per reader, which walks
that reader's history only (moving its items off the never-shown buckets, without copying them)
plus about ``size`` draws over the buckets, never over the items; ``compose_digest`` builds an
index for its one call. Muted words are matched against drawn items only. Both give the same
digest for the same arguments.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import random
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain
from operator import mul, neg, sub

from bot.library.items import Answer, ItemHistory, ItemKind, LibraryItem

__all__ = [
    "DEFAULT_POLICY",
    "MAX_DIGEST_SIZE",
    "MIN_DIGEST_SIZE",
    "Digest",
    "DigestPrefs",
    "SelectionIndex",
    "SelectionPolicy",
    "compose_digest",
    "compose_indexed",
]

MIN_DIGEST_SIZE = 1
MAX_DIGEST_SIZE = 20


# --------------------------------------------------------------------------------------------
# Values in and out
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestPrefs:
    """What one reader asked for.

    ``size``: items per digest, 1..20. ``quotes``: how many of them are quotes (the rest are
    papers and articles); more than ``size`` means an all-quote digest. ``muted_words``: items
    whose title, text, author or topic contains one of them (case-insensitively) are never
    chosen; blank words are ignored.
    """

    size: int = 5
    quotes: int = 1
    muted_words: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not MIN_DIGEST_SIZE <= self.size <= MAX_DIGEST_SIZE:
            raise ValueError(
                f"digest size must be {MIN_DIGEST_SIZE}..{MAX_DIGEST_SIZE}, not {self.size}"
            )
        if self.quotes < 0:
            raise ValueError(f"quotes per digest cannot be negative ({self.quotes})")


@dataclass(frozen=True, slots=True)
class Digest:
    """The items chosen, in display order."""

    items: tuple[LibraryItem, ...]


@dataclass(frozen=True, slots=True)
class SelectionPolicy:
    """The tunable numbers of selection; the defaults are the product's behaviour.

    - ``skip_rest``: a skipped item stays away this long after the skip (two weeks: long enough
      not to nag, short enough that a "not today" skip gets a second chance).
    - ``quote_first_interval``, ``quote_interval_growth``, ``quote_interval_max``: a read quote
      returns ``first * growth ** (times_shown - 1)`` after it was last seen, capped: 7, 14, 28,
      56… days, at most a year (spaced resurfacing, as Readwise does with highlights).
    - ``repeat_gap``: items shown this recently only fill a digest that would otherwise be
      short. 36 hours rather than 24, so "yesterday's items" stays true when the digest time
      moves or a day's digest went out late.
    - ``refill_with_recent``: whether such a short digest is filled with recent items at all.
    - ``recent_article_window``: an article published (else added) this recently is news.
    - ``recent_article_share``: up to this share of the reading slots (rounded up) goes to news
      before the rest of the tier is drawn by weight.
    - ``exploration``: the share of draws that ignore the reader's taste, so nothing starves.
    - ``prior_reads``, ``prior_skips``: imagined answers per topic and per source, so that one
      answer nudges a weight instead of flipping it (a Beta prior; the weight of a topic is its
      smoothed read rate over the prior's, 1.0 for a topic never answered).
    """

    skip_rest: dt.timedelta = dt.timedelta(days=14)
    quote_first_interval: dt.timedelta = dt.timedelta(days=7)
    quote_interval_growth: float = 2.0
    quote_interval_max: dt.timedelta = dt.timedelta(days=365)
    repeat_gap: dt.timedelta = dt.timedelta(hours=36)
    refill_with_recent: bool = True
    recent_article_window: dt.timedelta = dt.timedelta(days=14)
    recent_article_share: float = 0.5
    exploration: float = 0.15
    prior_reads: float = 1.0
    prior_skips: float = 1.0

    def __post_init__(self) -> None:
        if not (0.0 <= self.exploration <= 1.0 and 0.0 <= self.recent_article_share <= 1.0):
            raise ValueError("exploration and recent_article_share are shares in 0..1")
        if self.prior_reads <= 0 or self.prior_skips <= 0:
            raise ValueError("the prior needs positive reads and skips, or weights can hit 0")
        if self.quote_interval_growth < 1.0:
            raise ValueError("quote intervals may grow or stay, never shrink")

    def quote_interval(self, times_shown: int) -> dt.timedelta:
        """How long a read quote rests after its ``times_shown``-th showing.

        >>> [SelectionPolicy().quote_interval(n).days for n in (0, 1, 2, 3, 4, 9)]
        [7, 7, 14, 28, 56, 365]
        """
        exponent = max(times_shown, 1) - 1
        days = self.quote_first_interval / dt.timedelta(days=1)
        # Capping the exponent first keeps a huge times_shown from overflowing the float.
        grown = days * self.quote_interval_growth ** min(exponent, 64)
        return min(dt.timedelta(days=min(grown, 36_500)), self.quote_interval_max)

    def taste(self, reads: int, skips: int) -> float:
        """The weight of a topic or source the reader read and skipped so often.

        >>> policy = SelectionPolicy()
        >>> policy.taste(0, 0), policy.taste(1, 0), policy.taste(0, 1)
        (1.0, 1.3333333333333333, 0.6666666666666666)
        >>> round(policy.taste(10, 0) / policy.taste(0, 10), 1)
        11.0
        """
        prior_rate = self.prior_reads / (self.prior_reads + self.prior_skips)
        rate = (reads + self.prior_reads) / (reads + skips + self.prior_reads + self.prior_skips)
        return rate / prior_rate


DEFAULT_POLICY = SelectionPolicy()


# --------------------------------------------------------------------------------------------
# Sorting candidates into tiers
# --------------------------------------------------------------------------------------------


class _Tier(enum.IntEnum):
    FRESH = 0
    UNANSWERED = 1
    DUE_QUOTE = 2
    RESTED = 3
    RECENTLY_SHOWN = 4


_MAIN_TIERS = (_Tier.FRESH, _Tier.UNANSWERED, _Tier.DUE_QUOTE, _Tier.RESTED)


@dataclass(frozen=True, slots=True)
class _Clock:
    """The cut-offs of one call, computed once instead of per item."""

    now: dt.datetime
    shown_after: dt.datetime
    skipped_before: dt.datetime
    news_after: dt.datetime

    @classmethod
    def at(cls, now: dt.datetime, policy: SelectionPolicy) -> _Clock:
        return cls(
            now=now,
            shown_after=now - policy.repeat_gap,
            skipped_before=now - policy.skip_rest,
            news_after=now - policy.recent_article_window,
        )


def _answered_tier(
    item: LibraryItem, past: ItemHistory, clock: _Clock, policy: SelectionPolicy
) -> _Tier | None:
    """The tier of an answered item, or None while it must stay away."""
    if past.answer is Answer.SKIPPED:
        skipped_at = past.answered_at or past.last_shown_at
        resting = skipped_at is not None and skipped_at > clock.skipped_before
        return None if resting else _Tier.RESTED
    if item.kind is not ItemKind.QUOTE:
        return None  # a read paper or article is done with
    seen = [at for at in (past.answered_at, past.last_shown_at) if at is not None]
    if seen and max(seen) + policy.quote_interval(past.times_shown) > clock.now:
        return None
    return _Tier.DUE_QUOTE


def _never_shown(past: ItemHistory) -> bool:
    """A history entry that is no history: the item is as fresh as one without an entry."""
    return past.answer is None and not (past.times_shown or past.last_shown_at)


def _tier(
    item: LibraryItem, past: ItemHistory, clock: _Clock, policy: SelectionPolicy
) -> _Tier | None:
    """The tier of an item with a history entry, or None while it must stay away."""
    if _never_shown(past):
        return _Tier.FRESH
    if past.answer is not None:
        tier = _answered_tier(item, past, clock, policy)
    else:
        tier = _Tier.UNANSWERED
    shown_lately = past.last_shown_at is not None and past.last_shown_at > clock.shown_after
    return _Tier.RECENTLY_SHOWN if tier is not None and shown_lately else tier


def _is_news(article: LibraryItem, clock: _Clock) -> bool:
    dated = article.published_at or article.added_at
    return dated is not None and dated >= clock.news_after


def _muted_words(prefs: DigestPrefs) -> tuple[str, ...]:
    """Muted words ready for matching; a blank word would mute everything, so it is dropped.

    >>> _muted_words(DigestPrefs(muted_words=("Crypto ", "", "  ", "NFT")))
    ('crypto', 'nft')
    """
    return tuple(word.strip().casefold() for word in prefs.muted_words if word.strip())


def _is_muted(item: LibraryItem, words: tuple[str, ...]) -> bool:
    haystack = "\n".join((item.title, item.text, item.author, item.topic)).casefold()
    return any(word in haystack for word in words)


# --------------------------------------------------------------------------------------------
# Taste: read and skip counts per topic and per source
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    topics: Counter[tuple[str, Answer]] = field(default_factory=Counter)
    sources: Counter[tuple[str, Answer]] = field(default_factory=Counter)

    def count(self, item: LibraryItem, answer: Answer) -> None:
        # get() rather than +=: a Counter's missing key costs a Python-level __missing__ call.
        topic, source = (item.topic, answer), (item.source, answer)
        self.topics[topic] = self.topics.get(topic, 0) + 1
        self.sources[source] = self.sources.get(source, 0) + 1


def _taste(counts: Counter[tuple[str, Answer]], name: str, policy: SelectionPolicy) -> float:
    # A blank topic or source lumps unrelated items together: it teaches nothing.
    if not name:
        return 1.0
    return policy.taste(counts[name, Answer.READ], counts[name, Answer.SKIPPED])


# --------------------------------------------------------------------------------------------
# The library prepared once: never-shown items bucketed by what does not depend on the reader
# --------------------------------------------------------------------------------------------

# Items sharing topic, source and news-ness share a weight, so draws pick a bucket (by weight
# times size) and then an item in it uniformly: the same odds as weighing every item, at the
# cost of the number of buckets.
_BucketKey = tuple[str, str, bool]
# Shelf key: is it a quote, its tier, topic, source, is it news.
_ShelfKey = tuple[bool, _Tier, str, str, bool]


def _item_id(item: LibraryItem) -> int:
    return item.id


# Where a candidate sits in the index: the item, is it a quote (its kind's shelf), its bucket
# there, its slot in the bucket, is it news. A plain tuple: the index makes one per item.
_Place = tuple[LibraryItem, bool, int, int, bool]


@dataclass(frozen=True, slots=True)
class _Shelf:
    """One kind's candidates as never-shown items: buckets in key order, each sorted by id.

    ``topics`` and ``sources`` give each bucket's name as an index into the library's names,
    so a reader's weights for all buckets come from two small tables. ``news`` lists the news
    buckets, ``news_slot`` maps them to their place in that list.
    """

    keys: tuple[_BucketKey, ...]
    items: tuple[tuple[LibraryItem, ...], ...]
    counts: tuple[int, ...]
    topics: tuple[int, ...]
    sources: tuple[int, ...]
    news: tuple[int, ...]
    news_slot: Mapping[int, int]
    by_topic: Mapping[int, tuple[int, ...]]

    @classmethod
    def of(cls, groups: Sequence[tuple[_BucketKey, list[LibraryItem]]], names: _Names) -> _Shelf:
        """The shelf of buckets ``groups`` (in key order, the items of each sorted by id)."""
        keys = tuple(key for key, _ in groups)
        news = tuple(n for n, key in enumerate(keys) if key[2])
        topics = tuple(names.topic_ids[key[0]] for key in keys)
        by_topic: defaultdict[int, list[int]] = defaultdict(list)
        for n, topic in enumerate(topics):
            by_topic[topic].append(n)
        return cls(
            keys=keys,
            items=tuple(tuple(items) for _, items in groups),
            counts=tuple(len(items) for _, items in groups),
            topics=topics,
            sources=tuple(names.source_ids[key[1]] for key in keys),
            news=news,
            news_slot={n: slot for slot, n in enumerate(news)},
            by_topic={topic: tuple(buckets) for topic, buckets in by_topic.items()},
        )


@dataclass(frozen=True, slots=True)
class _Names:
    """The library's topics and sources, each with a number (its index in a taste table)."""

    topics: tuple[str, ...]
    sources: tuple[str, ...]
    topic_ids: Mapping[str, int]
    source_ids: Mapping[str, int]
    folded_topics: tuple[str, ...]

    @classmethod
    def of(cls, topics: Iterable[str], sources: Iterable[str]) -> _Names:
        topic_names, source_names = tuple(sorted(set(topics))), tuple(sorted(set(sources)))
        return cls(
            topics=topic_names,
            sources=source_names,
            topic_ids={name: n for n, name in enumerate(topic_names)},
            source_ids={name: n for n, name in enumerate(source_names)},
            folded_topics=tuple(name.casefold() for name in topic_names),
        )


@dataclass(frozen=True, slots=True)
class SelectionIndex:
    """The candidates prepared for drawing at one instant, shared by every reader composed then.

    What depends only on the library, ``now`` and the policy is done here once: each item's kind
    and news-ness, and every item bucketed as if never shown, by (topic, source, news) in draw
    order. :func:`compose_indexed` then walks one reader's history and draws from these buckets
    without copying them, so a sweep over many readers pays for the library once. Build it with
    :meth:`build`; it is never changed afterwards.
    """

    clock: _Clock
    policy: SelectionPolicy
    places: Mapping[int, Sequence[_Place]]
    shelves: tuple[_Shelf, _Shelf]  # reading, quotes: indexed by "is it a quote"
    names: _Names

    @property
    def now(self) -> dt.datetime:
        return self.clock.now

    @classmethod
    def build(
        cls,
        candidates: Sequence[LibraryItem],
        now: dt.datetime,
        policy: SelectionPolicy = DEFAULT_POLICY,
        *,
        history_ids: Collection[int] | None = None,
    ) -> SelectionIndex:
        """Index ``candidates`` (the library, answered items included) for composing at ``now``.

        ``history_ids``: compose only for histories within these ids (``compose_digest`` does,
        for its one reader); the index then records where those items sit and skips the rest.
        """
        clock = _Clock.at(now, policy)
        quote, article = ItemKind.QUOTE, ItemKind.ARTICLE  # enum lookups cost
        groups: defaultdict[tuple[bool, str, str, bool], list[int]] = defaultdict(list)
        for n, item in enumerate(candidates):
            kind = item.kind
            news = kind is article and _is_news(item, clock)
            groups[kind is quote, item.topic, item.source, news].append(n)
        names = _Names.of((key[1] for key in groups), (key[2] for key in groups))
        item_ids = [item.id for item in candidates]
        places: dict[int, tuple[_Place, ...]] = {}
        shelves = []
        for is_quote in (False, True):
            buckets: list[tuple[_BucketKey, list[LibraryItem]]] = []
            for key in sorted(k for k in groups if k[0] is is_quote):
                # Sorting by id (stable, so an item listed twice keeps the candidates' order)
                # makes the draw independent of the candidates' order.
                members = sorted(groups[key], key=item_ids.__getitem__)
                items = [candidates[n] for n in members]
                for slot, item in enumerate(items):
                    if history_ids is None or item.id in history_ids:
                        place = (item, is_quote, len(buckets), slot, key[3])
                        known = places.get(item.id)
                        places[item.id] = (place,) if known is None else (*known, place)
                buckets.append(((key[1], key[2], key[3]), items))
            shelves.append(_Shelf.of(buckets, names))
        return cls(clock, policy, places, (shelves[0], shelves[1]), names)


# --------------------------------------------------------------------------------------------
# One reader: their history moves items off the fresh shelves and onto their tiers
# --------------------------------------------------------------------------------------------


_Tiers = defaultdict[tuple[bool, _Tier], list[tuple[str, str, bool, list[LibraryItem]]]]


@dataclass(slots=True)
class _Reader:
    """What one reader's history and muted words make of the index: their taste per topic and
    source, and the items their history moves off the fresh shelves (per kind, "is it a
    quote"), with their history entries. The tiers of moved items are worked out only if a
    pool gets past the fresh items."""

    index: SelectionIndex
    muted: tuple[str, ...]
    tally: _Tally = field(default_factory=_Tally)
    moved: tuple[list[tuple[_Place, ItemHistory]], list[tuple[_Place, ItemHistory]]] = field(
        default_factory=lambda: ([], [])
    )
    topic_taste: list[float] = field(default_factory=list)
    source_taste: list[float] = field(default_factory=list)
    muted_topics: frozenset[int] = frozenset()
    # Moved items on their tiers by (is it a quote, tier), each in key order: on first use.
    tiers: _Tiers | None = None

    @classmethod
    def of(
        cls, index: SelectionIndex, history: Mapping[int, ItemHistory], muted: tuple[str, ...]
    ) -> _Reader:
        """One pass over the history (not the library): the whole per-reader cost but the draws."""
        reader = cls(index, muted)
        places, count, moved = index.places, reader.tally.count, reader.moved
        for item_id, past in history.items():
            copies = places.get(item_id)
            if copies is None or _never_shown(past):
                continue  # not in the library, or still on the fresh shelf
            for place in copies:
                if past.answer is not None:
                    count(place[0], past.answer)  # resting or muted items still teach taste
                moved[place[1]].append((place, past))
        names = index.names
        reader.topic_taste = reader._tastes(names.topics, names.topic_ids, reader.tally.topics)
        reader.source_taste = reader._tastes(names.sources, names.source_ids, reader.tally.sources)
        if muted:
            reader.muted_topics = frozenset(
                n for n, topic in enumerate(names.folded_topics) if any(w in topic for w in muted)
            )
        return reader

    def _tastes(
        self, names: Sequence[str], ids: Mapping[str, int], counts: Counter[tuple[str, Answer]]
    ) -> list[float]:
        """The weight of every topic (or source) for this reader, as ``_taste`` gives it."""
        policy = self.index.policy
        table = [policy.taste(0, 0)] * len(names)
        if "" in ids:
            table[ids[""]] = _taste(counts, "", policy)
        for name in {name for name, _answer in counts}:
            table[ids[name]] = _taste(counts, name, policy)
        return table

    def pool(self, is_quote: bool, tiers: Sequence[_Tier]) -> _Pool:
        return _Pool(self, is_quote, tiers)

    def stage(self, is_quote: bool, tier: _Tier) -> _Stage:
        return self._fresh_stage(is_quote) if tier is _Tier.FRESH else self._stage(is_quote, tier)

    def _fresh_stage(self, is_quote: bool) -> _Stage:
        """The shared never-shown buckets minus what this reader has seen; nothing is copied."""
        shelf = self.index.shelves[is_quote]
        counts = list(shelf.counts)
        gaps: dict[int, list[int]] = {}
        for (_, _, bucket, slot, _), _past in self.moved[is_quote]:
            counts[bucket] -= 1
            gaps.setdefault(bucket, []).append(slot)
        for slots in gaps.values():
            slots.sort()
        for topic in self.muted_topics:
            for bucket in shelf.by_topic.get(topic, ()):
                counts[bucket] = 0  # a muted topic mutes the whole bucket
        weights = list(
            map(
                mul,
                map(self.topic_taste.__getitem__, shelf.topics),
                map(self.source_taste.__getitem__, shelf.sources),
            )
        )
        return _Stage(shelf.items, counts, weights, shelf.news, shelf.news_slot, gaps)

    def _stage(self, is_quote: bool, tier: _Tier) -> _Stage:
        """A tier other than fresh: built from this reader's history alone."""
        topic_ids, source_ids = self.index.names.topic_ids, self.index.names.source_ids
        groups = [
            (
                self.topic_taste[topic_ids[topic]] * self.source_taste[source_ids[source]],
                news,
                items,
            )
            for topic, source, news, items in self._tiers().get((is_quote, tier), ())
            if topic_ids[topic] not in self.muted_topics  # a muted topic mutes the whole bucket
        ]
        news = tuple(n for n, (_, is_news, _) in enumerate(groups) if is_news)
        return _Stage(
            # Sorted by id (stable) as the index's buckets are: the draw ignores history order.
            buckets=[sorted(items, key=_item_id) for _, _, items in groups],
            counts=[len(items) for _, _, items in groups],
            weights=[weight for weight, _, _ in groups],
            news=news,
            news_slot={n: slot for slot, n in enumerate(news)},
        )

    def _tiers(self) -> _Tiers:
        if self.tiers is None:
            clock, policy = self.index.clock, self.index.policy
            shelves: defaultdict[_ShelfKey, list[LibraryItem]] = defaultdict(list)
            for (item, quote, _, _, news), past in chain(*self.moved):
                tier = _tier(item, past, clock, policy)
                if tier is not None:
                    shelves[quote, tier, item.topic, item.source, news].append(item)
            self.tiers = defaultdict(list)
            # Shelves in key order, so the draw does not depend on the history's order.
            for (quote, tier, topic, source, news), items in sorted(shelves.items()):
                self.tiers[quote, tier].append((topic, source, news, items))
        return self.tiers


# --------------------------------------------------------------------------------------------
# Stages and pools: weighted draws without replacement
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _View:
    """Some of a stage's buckets (all, or the news ones) with their sizes kept up to date.

    A bucket drawn empty keeps its slot with size 0, which never wins a draw: the sums and the
    running remainder come out as if it were gone, so the odds and the arithmetic are those of
    drawing among the live buckets only.
    """

    buckets: Sequence[int]
    weighted: list[float]
    plain: list[float]
    left: int

    def pick(self, rng: random.Random, policy: SelectionPolicy) -> int | None:
        """A bucket drawn by size (by count alone for an exploring draw), or None if empty."""
        if self.left <= 0:
            return None
        explore = rng.random() < policy.exploration
        sizes = self.plain if explore else self.weighted
        point = rng.random() * sum(sizes)
        # The remainder after each bucket, subtracted in order as a loop would (same floats);
        # it only falls, so the first bucket that takes it below zero is found by bisection.
        remainders = list(accumulate(sizes, sub, initial=point))
        slot = bisect_right(remainders, 0.0, lo=1, key=neg) - 1
        if slot == len(sizes):  # only reached through float rounding at the very end
            slot = max(n for n, size in enumerate(self.plain) if size > 0)
        return self.buckets[slot]


@dataclass(slots=True)
class _Stage:
    """One tier of one kind for one reader: buckets in key order, drawn by weight times size.

    ``buckets`` may be the index's shared tuples, which are never changed: each is read as the
    list it stands for, without the slots in ``gaps`` (items this reader's history moved off
    it, ascending), and a draw without replacement is recorded in ``refilled``, so composing
    copies no bucket.
    """

    buckets: Sequence[Sequence[LibraryItem]]
    counts: list[int]
    weights: list[float]
    news: Sequence[int]
    news_slot: Mapping[int, int]
    gaps: Mapping[int, Sequence[int]] = field(default_factory=dict)
    refilled: dict[int, dict[int, LibraryItem]] = field(default_factory=dict)
    everything: _View | None = None
    news_only: _View | None = None

    def draw(self, news: bool, rng: random.Random, policy: SelectionPolicy) -> LibraryItem | None:
        """Take one item from the stage (from its news buckets only if ``news``)."""
        bucket = self._view(news).pick(rng, policy)
        return None if bucket is None else self._take(bucket, rng)

    def _view(self, news: bool) -> _View:
        if news:
            if self.news_only is None:
                counts = [self.counts[n] for n in self.news]
                weights = [self.weights[n] for n in self.news]
                self.news_only = _View(
                    self.news, list(map(mul, counts, weights)),
                    list(map(float, counts)), sum(counts),
                )  # fmt: skip
            return self.news_only
        if self.everything is None:
            self.everything = _View(
                range(len(self.counts)), list(map(mul, self.counts, self.weights)),
                list(map(float, self.counts)), sum(self.counts),
            )  # fmt: skip
        return self.everything

    def _take(self, bucket: int, rng: random.Random) -> LibraryItem:
        """Draw uniformly within the bucket as a list would: swap the drawn slot with the last
        one and drop the last."""
        last = self.counts[bucket] - 1
        slot = rng.randrange(last + 1)
        taken = self._at(bucket, slot)
        refilled = self.refilled.setdefault(bucket, {})
        if slot != last:
            refilled[slot] = self._at(bucket, last)
        refilled.pop(last, None)
        self._shrink(bucket)
        return taken

    def _at(self, bucket: int, slot: int) -> LibraryItem:
        """The item at ``slot`` of the bucket as this reader's list of it stands now."""
        refilled = self.refilled.get(bucket)
        if refilled and slot in refilled:
            return refilled[slot]
        for gap in self.gaps.get(bucket, ()):
            if gap > slot:
                break
            slot += 1  # a moved item before it: the list is one shorter there
        return self.buckets[bucket][slot]

    def _shrink(self, bucket: int) -> None:
        count = self.counts[bucket] = self.counts[bucket] - 1
        weighted = count * self.weights[bucket]
        if self.everything is not None:
            self.everything.weighted[bucket] = weighted
            self.everything.plain[bucket] = count * 1.0
            self.everything.left -= 1
        slot = self.news_slot.get(bucket)
        if self.news_only is not None and slot is not None:
            self.news_only.weighted[slot] = weighted
            self.news_only.plain[slot] = count * 1.0
            self.news_only.left -= 1


@dataclass(slots=True)
class _Pool:
    """One kind's candidates (quotes, or reading), as stages per tier in draw order; a stage
    is built when the draw first reaches it (most digests never get past fresh items).

    Muted words and repeated ids are checked on drawn items only, and a drawn item that fails is
    dropped and drawn again: the odds stay those of drawing among the admitted items, and the
    pass over the library stays free of string matching.
    """

    reader: _Reader
    quote: bool
    tiers: Sequence[_Tier]
    news_left: int = 0
    taken: set[int] = field(default_factory=set)
    stages: dict[_Tier, _Stage] = field(default_factory=dict)

    def draw(self, wanted: int, rng: random.Random, policy: SelectionPolicy) -> list[LibraryItem]:
        picks: list[LibraryItem] = []
        for tier in self.tiers:
            if len(picks) >= wanted:
                break
            stage = self.stages.get(tier)
            if stage is None:
                stage = self.stages[tier] = self.reader.stage(self.quote, tier)
            while len(picks) < wanted:
                item = self._draw_from(stage, rng, policy)
                if item is None:
                    break
                picks.append(item)
        return picks

    def _draw_from(
        self, stage: _Stage, rng: random.Random, policy: SelectionPolicy
    ) -> LibraryItem | None:
        if self.news_left > 0:
            item = self._draw_admitted(stage, True, rng, policy)
            if item is not None:
                self.news_left -= 1
                return item
        return self._draw_admitted(stage, False, rng, policy)

    def _draw_admitted(
        self, stage: _Stage, news: bool, rng: random.Random, policy: SelectionPolicy
    ) -> LibraryItem | None:
        while (item := stage.draw(news, rng, policy)) is not None:
            muted = self.reader.muted
            if item.id not in self.taken and not (muted and _is_muted(item, muted)):
                self.taken.add(item.id)
                return item
        return None


# --------------------------------------------------------------------------------------------
# Composing
# --------------------------------------------------------------------------------------------


def _fill(
    quotes: _Pool,
    reading: _Pool,
    wanted: tuple[int, int],
    rng: random.Random,
    policy: SelectionPolicy,
) -> tuple[list[LibraryItem], list[LibraryItem]]:
    """Draw ``wanted`` (quotes, reading); a kind that runs short is made up by the other."""
    want_quotes, want_reading = wanted
    quote_picks = quotes.draw(want_quotes, rng, policy)
    reading_picks = reading.draw(want_reading + want_quotes - len(quote_picks), rng, policy)
    short = want_quotes + want_reading - len(quote_picks) - len(reading_picks)
    if short > 0:
        quote_picks += quotes.draw(short, rng, policy)
    return quote_picks, reading_picks


def _refill(
    picks: tuple[list[LibraryItem], list[LibraryItem]],
    reader: _Reader,
    prefs: DigestPrefs,
    rng: random.Random,
) -> None:
    """Make up a short digest from recently shown items, as a last resort (in place)."""
    policy = reader.index.policy
    quote_picks, reading_picks = picks
    short = prefs.size - len(quote_picks) - len(reading_picks)
    if not policy.refill_with_recent or short <= 0:
        return
    recent = (_Tier.RECENTLY_SHOWN,)
    more_quotes = max(min(prefs.quotes, prefs.size) - len(quote_picks), 0)
    more = _fill(
        reader.pool(True, recent),
        reader.pool(False, recent),
        (more_quotes, short - more_quotes),
        rng,
        policy,
    )
    quote_picks += more[0]
    reading_picks += more[1]


def compose_indexed(
    index: SelectionIndex,
    history: Mapping[int, ItemHistory],
    prefs: DigestPrefs,
    seed: int,
) -> Digest:
    """Choose today's items for one reader from a prepared library.

    The same digest as ``compose_digest(candidates, history, prefs, index.now, seed,
    index.policy)`` for the candidates the index was built from, at the cost of the reader's
    history and a few draws instead of a pass over the library. The index is not changed, so
    one serves every reader of a sweep.
    """
    policy = index.policy
    reader = _Reader.of(index, history, _muted_words(prefs))
    rng = random.Random(seed)
    want_quotes = min(prefs.quotes, prefs.size)
    want_reading = prefs.size - want_quotes
    quotes = reader.pool(True, _MAIN_TIERS)
    reading = reader.pool(False, _MAIN_TIERS)
    reading.news_left = math.ceil(policy.recent_article_share * want_reading)
    picks = _fill(quotes, reading, (want_quotes, want_reading), rng, policy)
    _refill(picks, reader, prefs, rng)
    return Digest(items=tuple(picks[0] + picks[1]))


def compose_digest(
    candidates: Sequence[LibraryItem],
    history: Mapping[int, ItemHistory],
    prefs: DigestPrefs,
    now: dt.datetime,
    seed: int,
    policy: SelectionPolicy = DEFAULT_POLICY,
) -> Digest:
    """Choose today's items for one reader.

    ``candidates`` is the reader's library, answered items included (their topics and sources
    teach the weights; the rules keep them out where they must stay out). ``history`` maps item
    ids to this reader's past with them; missing means never shown. ``now`` and every datetime
    in the items and history must be alike (all aware, or all naive UTC). ``seed`` makes the
    draw repeatable: pass one that differs per chat and day. Composing for many readers at one
    ``now``: build a :class:`SelectionIndex` once and call :func:`compose_indexed` per reader.
    """
    index = SelectionIndex.build(candidates, now, policy, history_ids=history.keys())
    return compose_indexed(index, history, prefs, seed)
