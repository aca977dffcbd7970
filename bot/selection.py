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

Cost is one pass over ``candidates`` (a dict look-up and an append each) plus about ``size`` draws
over the (topic, source) buckets, never over the items; muted words are matched against drawn
items only.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.items import Answer, ItemHistory, ItemKind, LibraryItem

__all__ = [
    "DEFAULT_POLICY",
    "MAX_DIGEST_SIZE",
    "MIN_DIGEST_SIZE",
    "Digest",
    "DigestPrefs",
    "SelectionPolicy",
    "compose_digest",
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


def _tier(
    item: LibraryItem, past: ItemHistory, clock: _Clock, policy: SelectionPolicy
) -> _Tier | None:
    """The tier of an item with a history entry, or None while it must stay away."""
    if past.answer is not None:
        tier = _answered_tier(item, past, clock, policy)
    else:
        tier = _Tier.UNANSWERED if past.times_shown or past.last_shown_at else _Tier.FRESH
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
        self.topics[item.topic, answer] += 1
        self.sources[item.source, answer] += 1

    def weight(self, topic: str, source: str, policy: SelectionPolicy) -> float:
        return _taste(self.topics, topic, policy) * _taste(self.sources, source, policy)


def _taste(counts: Counter[tuple[str, Answer]], name: str, policy: SelectionPolicy) -> float:
    # A blank topic or source lumps unrelated items together: it teaches nothing.
    if not name:
        return 1.0
    return policy.taste(counts[name, Answer.READ], counts[name, Answer.SKIPPED])


# --------------------------------------------------------------------------------------------
# Buckets and pools: weighted draws without replacement
# --------------------------------------------------------------------------------------------

# Items sharing topic, source and news-ness share a weight, so draws pick a bucket (by weight
# times size) and then an item in it uniformly: the same odds as weighing every item, at the
# cost of the number of buckets.
_BucketKey = tuple[str, str, bool]


@dataclass(slots=True)
class _Bucket:
    key: _BucketKey
    weight: float
    items: list[LibraryItem]
    ordered: bool = False

    @property
    def news(self) -> bool:
        return self.key[2]

    def take(self, rng: random.Random) -> LibraryItem:
        # Sorting by id on first use makes the draw independent of the candidates' order.
        if not self.ordered:
            self.items.sort(key=lambda item: item.id)
            self.ordered = True
        index = rng.randrange(len(self.items))
        self.items[index], self.items[-1] = self.items[-1], self.items[index]
        return self.items.pop()


def _draw(
    buckets: Iterable[_Bucket], rng: random.Random, policy: SelectionPolicy
) -> LibraryItem | None:
    live = [bucket for bucket in buckets if bucket.items]
    if not live:
        return None
    explore = rng.random() < policy.exploration
    sizes = [len(bucket.items) * (1.0 if explore else bucket.weight) for bucket in live]
    point = rng.random() * sum(sizes)
    for bucket, size in zip(live, sizes, strict=True):
        point -= size
        if point < 0:
            return bucket.take(rng)
    return live[-1].take(rng)  # only reached through float rounding at the very end


@dataclass(slots=True)
class _Pool:
    """One kind's candidates (quotes, or reading), as buckets per tier in draw order.

    Muted words and repeated ids are checked on drawn items only, and a drawn item that fails is
    dropped and drawn again: the odds stay those of drawing among the admitted items, and the
    pass over the library stays free of string matching.
    """

    stages: list[list[_Bucket]]
    muted: tuple[str, ...] = ()
    news_left: int = 0
    taken: set[int] = field(default_factory=set)

    def draw(self, wanted: int, rng: random.Random, policy: SelectionPolicy) -> list[LibraryItem]:
        picks: list[LibraryItem] = []
        for stage in self.stages:
            while len(picks) < wanted:
                item = self._draw_from(stage, rng, policy)
                if item is None:
                    break
                picks.append(item)
        return picks

    def _draw_from(
        self, stage: list[_Bucket], rng: random.Random, policy: SelectionPolicy
    ) -> LibraryItem | None:
        if self.news_left > 0:
            item = self._draw_admitted([bucket for bucket in stage if bucket.news], rng, policy)
            if item is not None:
                self.news_left -= 1
                return item
        return self._draw_admitted(stage, rng, policy)

    def _draw_admitted(
        self, buckets: list[_Bucket], rng: random.Random, policy: SelectionPolicy
    ) -> LibraryItem | None:
        while (item := _draw(buckets, rng, policy)) is not None:
            if item.id not in self.taken and not (self.muted and _is_muted(item, self.muted)):
                self.taken.add(item.id)
                return item
        return None


# Shelf key: is it a quote, its tier, topic, source, is it news.
_ShelfKey = tuple[bool, _Tier, str, str, bool]
_Shelves = defaultdict[_ShelfKey, list[LibraryItem]]


def _shelve(
    candidates: Sequence[LibraryItem],
    history: Mapping[int, ItemHistory],
    clock: _Clock,
    policy: SelectionPolicy,
) -> tuple[_Shelves, _Tally]:
    """The one pass over the library: tally answers, put eligible items on shelves.

    This loop is the whole cost of a digest on a large library, so it does the least per item:
    never-shown items (most of them) skip the history rules, and only articles check their date.
    """
    shelves: _Shelves = defaultdict(list)
    tally = _Tally()
    fresh, quote, article = _Tier.FRESH, ItemKind.QUOTE, ItemKind.ARTICLE  # enum lookups cost
    for item in candidates:
        past = history.get(item.id)
        tier: _Tier | None = fresh
        if past is not None:
            if past.answer is not None:
                tally.count(item, past.answer)  # resting or muted items still teach taste
            tier = _tier(item, past, clock, policy)
        if tier is not None:
            kind = item.kind
            news = kind is article and _is_news(item, clock)
            shelves[kind is quote, tier, item.topic, item.source, news].append(item)
    return shelves, tally


def _pool(
    shelves: _Shelves,
    is_quote: bool,
    tiers: Sequence[_Tier],
    tally: _Tally,
    prefs: DigestPrefs,
    policy: SelectionPolicy,
) -> _Pool:
    muted = _muted_words(prefs)
    stages: list[list[_Bucket]] = [[] for _ in tiers]
    # Shelves in key order, so the draw does not depend on the candidates' order.
    for (quote, tier, topic, source, news), items in sorted(shelves.items()):
        if quote is not is_quote or tier not in tiers:
            continue
        if muted and any(word in topic.casefold() for word in muted):
            continue  # a muted topic mutes the whole bucket
        weight = tally.weight(topic, source, policy)
        stages[tiers.index(tier)].append(_Bucket((topic, source, news), weight, items))
    return _Pool(stages, muted)


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
    shelves: _Shelves,
    tally: _Tally,
    prefs: DigestPrefs,
    rng: random.Random,
    policy: SelectionPolicy,
) -> None:
    """Make up a short digest from recently shown items, as a last resort (in place)."""
    quote_picks, reading_picks = picks
    short = prefs.size - len(quote_picks) - len(reading_picks)
    if not policy.refill_with_recent or short <= 0:
        return
    recent = (_Tier.RECENTLY_SHOWN,)
    more_quotes = max(min(prefs.quotes, prefs.size) - len(quote_picks), 0)
    more = _fill(
        _pool(shelves, True, recent, tally, prefs, policy),
        _pool(shelves, False, recent, tally, prefs, policy),
        (more_quotes, short - more_quotes),
        rng,
        policy,
    )
    quote_picks += more[0]
    reading_picks += more[1]


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
    draw repeatable: pass one that differs per chat and day.
    """
    shelves, tally = _shelve(candidates, history, _Clock.at(now, policy), policy)
    rng = random.Random(seed)
    want_quotes = min(prefs.quotes, prefs.size)
    want_reading = prefs.size - want_quotes
    quotes = _pool(shelves, True, _MAIN_TIERS, tally, prefs, policy)
    reading = _pool(shelves, False, _MAIN_TIERS, tally, prefs, policy)
    reading.news_left = math.ceil(policy.recent_article_share * want_reading)
    picks = _fill(quotes, reading, (want_quotes, want_reading), rng, policy)
    _refill(picks, shelves, tally, prefs, rng, policy)
    return Digest(items=tuple(picks[0] + picks[1]))
