"""The library prepared once for a sweep: never-shown items bucketed by what does not depend on
the reader (kind, topic, source, news-ness), shared by every reader composed at one instant."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.digests.selection.features import FeatureIds, FeatureNumbers
from bot.digests.selection.policy import DEFAULT_POLICY, SelectionPolicy
from bot.digests.selection.tiers import Cutoffs, is_news
from bot.library.items import ItemKind, LibraryItem

# Items sharing topic, source and news-ness share a weight, so draws pick a bucket (by weight
# times size) and then an item in it uniformly: the same odds as weighing every item, at the
# cost of the number of buckets. A source is its name (taste learns by name) and its store id
# (the reader's level for it is kept by id; 0 for none), which may differ where names repeat.
BucketKey = tuple[str, str, int, bool]


# Where a candidate sits in the index: the item, is it a quote (its kind's shelf), its bucket
# there, its slot in the bucket, is it news. A plain tuple: the index makes one per item.
Place = tuple[LibraryItem, bool, int, int, bool]


@dataclass(frozen=True, slots=True)
class Shelf:
    """One kind's candidates as never-shown items: buckets in key order, each sorted by id.

    ``topics`` and ``sources`` give each bucket's name as an index into the library's names,
    so a reader's weights for all buckets come from two small tables; ``origins`` gives each
    bucket's source id. ``news`` lists the news buckets, ``news_slot`` maps them to their
    place in that list.
    """

    keys: tuple[BucketKey, ...]
    items: tuple[tuple[LibraryItem, ...], ...]
    counts: tuple[int, ...]
    topics: tuple[int, ...]
    sources: tuple[int, ...]
    origins: tuple[int, ...]
    news: tuple[int, ...]
    news_slot: Mapping[int, int]
    by_topic: Mapping[int, tuple[int, ...]]

    @classmethod
    def of(cls, groups: Sequence[tuple[BucketKey, list[LibraryItem]]], names: Names) -> Shelf:
        """The shelf of buckets ``groups`` (in key order, the items of each sorted by id)."""
        keys = tuple(key for key, _ in groups)
        news = tuple(n for n, key in enumerate(keys) if key[3])
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
            origins=tuple(key[2] for key in keys),
            news=news,
            news_slot={n: slot for slot, n in enumerate(news)},
            by_topic={topic: tuple(buckets) for topic, buckets in by_topic.items()},
        )


@dataclass(frozen=True, slots=True)
class Names:
    """The library's topics and sources, each with a number (its index in a taste table)."""

    topics: tuple[str, ...]
    sources: tuple[str, ...]
    topic_ids: Mapping[str, int]
    source_ids: Mapping[str, int]
    folded_topics: tuple[str, ...]

    @classmethod
    def of(cls, topics: Iterable[str], sources: Iterable[str]) -> Names:
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

    cutoffs: Cutoffs
    policy: SelectionPolicy
    places: Mapping[int, Sequence[Place]]
    shelves: tuple[Shelf, Shelf]  # reading, quotes: indexed by "is it a quote"
    names: Names
    # Reading items the owner wrote notes on: they seed the owner's taste.
    noted: tuple[LibraryItem, ...] = ()
    # Items of the readers' histories that may not be drawn (not ``drawable``): taste only.
    taught: Mapping[int, LibraryItem] = field(default_factory=dict)
    # Each item's taste features, worked out when first needed and kept for the sweep's readers.
    numbering: FeatureNumbers = field(default_factory=FeatureNumbers, compare=False)

    @property
    def now(self) -> dt.datetime:
        return self.cutoffs.now

    @property
    def features(self) -> Callable[[LibraryItem], FeatureIds]:
        """An item's taste features (features.py) as numbers in the index's numbering."""
        return self.numbering.of_item

    @classmethod
    def build(
        cls,
        candidates: Sequence[LibraryItem],
        now: dt.datetime,
        policy: SelectionPolicy = DEFAULT_POLICY,
        *,
        history_ids: Collection[int] | None = None,
        drawable: Collection[int] | None = None,
    ) -> SelectionIndex:
        """Index ``candidates`` (the library, answered items included) for composing at ``now``.

        ``history_ids``: compose only for histories within these ids (``compose_digest`` does,
        for its one reader); the index then records where those items sit and skips the rest.
        ``drawable``: only these ids may be drawn (a themed digest); the other candidates still
        teach the readers' taste.
        """
        cutoffs = Cutoffs.at(now, policy)
        quote, article = ItemKind.QUOTE, ItemKind.ARTICLE  # enum lookups cost
        groups: defaultdict[tuple[bool, str, str, int, bool], list[int]] = defaultdict(list)
        taught: dict[int, LibraryItem] = {}
        for n, item in enumerate(candidates):
            if drawable is not None and item.id not in drawable:
                if history_ids is None or item.id in history_ids:
                    taught.setdefault(item.id, item)
                continue
            kind = item.kind
            news = kind is article and is_news(item, cutoffs)
            groups[kind is quote, item.topic, item.source, item.source_id or 0, news].append(n)
        names = Names.of((key[1] for key in groups), (key[2] for key in groups))
        item_ids = [item.id for item in candidates]
        places: dict[int, tuple[Place, ...]] = {}
        shelves = []
        for is_quote in (False, True):
            buckets: list[tuple[BucketKey, list[LibraryItem]]] = []
            for key in sorted(k for k in groups if k[0] is is_quote):
                # Sorting by id (stable, so an item listed twice keeps the candidates' order)
                # makes the draw independent of the candidates' order.
                members = sorted(groups[key], key=item_ids.__getitem__)
                items = [candidates[n] for n in members]
                for slot, item in enumerate(items):
                    if history_ids is None or item.id in history_ids:
                        place = (item, is_quote, len(buckets), slot, key[4])
                        known = places.get(item.id)
                        places[item.id] = (place,) if known is None else (*known, place)
                buckets.append(((key[1], key[2], key[3], key[4]), items))
            shelves.append(Shelf.of(buckets, names))
        noted = tuple(item for item in candidates if item.notes and item.kind is not quote)
        return cls(cutoffs, policy, places, (shelves[0], shelves[1]), names, noted, taught)
