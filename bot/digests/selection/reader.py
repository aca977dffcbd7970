"""One reader: their history moves items off the index's fresh shelves and onto their tiers,
and their answers weigh each topic and source and teach their content taste (taste.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import mul

from bot.digests.selection.draw import Stage
from bot.digests.selection.index import Place, SelectionIndex
from bot.digests.selection.policy import SelectionPolicy
from bot.digests.selection.taste import Evidence, Taste, learn
from bot.digests.selection.tiers import Tier, never_shown, tier_of
from bot.library.items import Answer, ItemHistory, LibraryItem, SourceLevel

# Shelf key: is it a quote, its tier, topic, source (name and id), is it news.
_ShelfKey = tuple[bool, Tier, str, str, int, bool]


def _item_id(item: LibraryItem) -> int:
    return item.id


# Moved items per (is it a quote, tier): (topic, source, source id, is it news, items) per shelf.
_Tiers = defaultdict[tuple[bool, Tier], list[tuple[str, str, int, bool, list[LibraryItem]]]]


_DAY = 86_400.0
_Counts = dict[tuple[str, Answer], float]


@dataclass(slots=True)
class _Tally:
    """One reader's reads and "less like this" per topic and per source, each counting half
    as much every ``taste_half_life``."""

    topics: dict[tuple[str, Answer], float] = field(default_factory=dict)
    sources: dict[tuple[str, Answer], float] = field(default_factory=dict)

    def count(self, item: LibraryItem, answer: Answer, weight: float) -> None:
        topic, source = (item.topic, answer), (item.source, answer)
        self.topics[topic] = self.topics.get(topic, 0) + weight
        self.sources[source] = self.sources.get(source, 0) + weight


def _taste(counts: _Counts, name: str, policy: SelectionPolicy) -> float:
    # A blank topic or source lumps unrelated items together: it teaches nothing.
    if not name:
        return 1.0
    return policy.taste(counts.get((name, Answer.READ), 0.0), counts.get((name, Answer.LESS), 0.0))


def _age_days(past: ItemHistory, now: float) -> float:
    """Days since the answer (else the last showing), from ``now`` as a POSIX time."""
    at = past.answered_at or past.last_shown_at
    return 0.0 if at is None else max(now - at.timestamp(), 0.0) / _DAY


@dataclass(slots=True)
class Reader:
    """What one reader's history, muted words and source levels make of the index: their taste
    per topic and source, and the items their history moves off the fresh shelves (per kind,
    "is it a quote"), with their history entries. The tiers of moved items are worked out only
    if a pool gets past the fresh items. ``levels``: the weight of each source id the reader
    set to other than normal (0: never drawn)."""

    index: SelectionIndex
    muted: tuple[str, ...]
    tally: _Tally = field(default_factory=_Tally)
    moved: tuple[list[tuple[Place, ItemHistory]], list[tuple[Place, ItemHistory]]] = field(
        default_factory=lambda: ([], [])
    )
    topic_taste: list[float] = field(default_factory=list)
    source_taste: list[float] = field(default_factory=list)
    muted_topics: frozenset[int] = frozenset()
    # Moved items on their tiers by (is it a quote, tier), each in key order: on first use.
    tiers: _Tiers | None = None
    taste: Taste = field(default_factory=Taste)
    history: Mapping[int, ItemHistory] = field(default_factory=dict)
    levels: Mapping[int, float] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        index: SelectionIndex,
        history: Mapping[int, ItemHistory],
        muted: tuple[str, ...],
        *,
        seed_from_notes: bool = False,
        levels: Mapping[int, SourceLevel] | None = None,
    ) -> Reader:
        """One pass over the history (not the library): the whole per-reader cost but the draws."""
        policy = index.policy
        weights = {
            source_id: policy.level_weight(level)
            for source_id, level in (levels or {}).items()
            if level is not SourceLevel.NORMAL
        }
        reader = cls(index, muted, history=history, levels=weights)
        places, moved, taught = index.places, reader.moved, index.taught
        answered: list[tuple[LibraryItem, bool, float]] = []
        now = index.now.timestamp()
        read, less = Answer.READ, Answer.LESS
        for item_id, past in history.items():
            copies = places.get(item_id)
            item = copies[0][0] if copies else taught.get(item_id)
            if item is None or never_shown(past):
                continue  # not in the library, or still on the fresh shelf
            answer = past.answer
            if answer is read or answer is less:  # resting or muted items still teach taste
                answered.append((item, answer is read, _age_days(past, now)))
            for place in copies or ():
                moved[place[1]].append((place, past))
        reader._learn(answered, seed_from_notes)
        names = index.names
        reader.topic_taste = reader._tastes(names.topics, names.topic_ids, reader.tally.topics)
        reader.source_taste = reader._tastes(names.sources, names.source_ids, reader.tally.sources)
        if muted:
            reader.muted_topics = frozenset(
                n for n, topic in enumerate(names.folded_topics) if any(w in topic for w in muted)
            )
        return reader

    def _learn(self, answered: list[tuple[LibraryItem, bool, float]], seeded: bool) -> None:
        """Weigh topics and sources, and learn the content taste, from the answers."""
        policy = self.index.policy
        half_life = policy.taste_half_life.total_seconds() / _DAY
        read, less, count = Answer.READ, Answer.LESS, self.tally.count
        for item, was_read, age in answered:
            count(item, read if was_read else less, 0.5 ** (age / half_life))
        if not policy.content_taste:
            return
        features = self.index.features
        evidence = [Evidence(features(item), age, was_read) for item, was_read, age in answered]
        if seeded:
            answered_ids = {item.id for item, _, _ in answered}
            evidence += [
                Evidence(features(item), 0.0, True, policy.notes_seed)
                for item in self.index.noted
                if item.id not in answered_ids
            ]
        self.taste = learn(evidence, policy, self.index.numbering)

    def _tastes(self, names: Sequence[str], ids: Mapping[str, int], counts: _Counts) -> list[float]:
        """The weight of every topic (or source) for this reader, as ``_taste`` gives it."""
        policy = self.index.policy
        table = [policy.taste(0, 0)] * len(names)
        if "" in ids:
            table[ids[""]] = _taste(counts, "", policy)
        # A name only items that may not be drawn bear (a themed digest) weighs no bucket.
        for name in {name for name, _answer in counts if name in ids}:
            table[ids[name]] = _taste(counts, name, policy)
        return table

    def level(self, item: LibraryItem) -> float:
        """What the reader's level for the item's source weighs (1.0: normal, 0: never)."""
        return self.levels.get(item.source_id or 0, 1.0) if self.levels else 1.0

    def _weighs_buckets(self) -> bool:
        """Whether the source levels weigh the buckets: without a taste, picks are the buckets'
        weighted draws. With one, a pick chooses among a sample by taste (pools.py), and the
        level weighs that choice instead — counted once, however much of the tier the sample
        holds."""
        return not self.taste

    def stage(self, is_quote: bool, tier: Tier) -> Stage:
        return self._fresh_stage(is_quote) if tier is Tier.FRESH else self._stage(is_quote, tier)

    def _fresh_stage(self, is_quote: bool) -> Stage:
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
        if self.levels:
            weigh = self._weighs_buckets()
            for bucket, origin in enumerate(shelf.origins):
                level = self.levels.get(origin, 1.0)
                weights[bucket] *= level if weigh else 1.0
                if not level:
                    counts[bucket] = 0  # "never": not even an exploring draw may take it
        return Stage(shelf.items, counts, weights, shelf.news, shelf.news_slot, gaps)

    def _stage(self, is_quote: bool, tier: Tier) -> Stage:
        """A tier other than fresh: built from this reader's history alone."""
        topic_ids, source_ids = self.index.names.topic_ids, self.index.names.source_ids
        levels, weigh = self.levels, self._weighs_buckets()
        groups = [
            (
                self.topic_taste[topic_ids[topic]]
                * self.source_taste[source_ids[source]]
                * (levels.get(origin, 1.0) if weigh else 1.0),
                news,
                items,
            )
            for topic, source, origin, news, items in self._tiers().get((is_quote, tier), ())
            # A muted topic mutes the whole bucket; a source set to "never" is never drawn.
            if topic_ids[topic] not in self.muted_topics and levels.get(origin, 1.0)
        ]
        news = tuple(n for n, (_, is_news, _) in enumerate(groups) if is_news)
        return Stage(
            # Sorted by id (stable) as the index's buckets are: the draw ignores history order.
            buckets=[sorted(items, key=_item_id) for _, _, items in groups],
            counts=[len(items) for _, _, items in groups],
            weights=[weight for weight, _, _ in groups],
            news=news,
            news_slot={n: slot for slot, n in enumerate(news)},
        )

    def _tiers(self) -> _Tiers:
        if self.tiers is None:
            cutoffs, policy = self.index.cutoffs, self.index.policy
            shelves: defaultdict[_ShelfKey, list[LibraryItem]] = defaultdict(list)
            for (item, quote, _, _, news), past in chain(*self.moved):
                tier = tier_of(item, past, cutoffs, policy)
                if tier is not None:
                    origin = item.source_id or 0
                    shelves[quote, tier, item.topic, item.source, origin, news].append(item)
            self.tiers = defaultdict(list)
            # Shelves in key order, so the draw does not depend on the history's order.
            for (quote, tier, topic, source, origin, news), items in sorted(shelves.items()):
                self.tiers[quote, tier].append((topic, source, origin, news, items))
        return self.tiers
