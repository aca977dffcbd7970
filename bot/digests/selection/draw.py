"""Weighted draws without replacement from one tier of one kind, for one reader.

A stage's buckets may be the index's shared tuples: a draw records what it took beside them
instead of copying them, so composing a digest copies no bucket.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import mul, neg, sub

from bot.library.items import LibraryItem


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

    @classmethod
    def of(cls, buckets: Sequence[int], counts: Sequence[int], weights: Sequence[float]) -> _View:
        """The buckets numbered ``buckets``, of these sizes and weights."""
        return cls(buckets, list(map(mul, counts, weights)), list(map(float, counts)), sum(counts))

    def pick(self, rng: random.Random, exploration: float) -> tuple[int, bool] | None:
        """A bucket drawn by size (by count alone for an exploring draw, ``exploration`` of
        them), and whether it explored; None if empty."""
        if self.left <= 0:
            return None
        explore = rng.random() < exploration
        sizes = self.plain if explore else self.weighted
        point = rng.random() * sum(sizes)
        # The remainder after each bucket, subtracted in order as a loop would (same floats);
        # it only falls, so the first bucket that takes it below zero is found by bisection.
        remainders = list(accumulate(sizes, sub, initial=point))
        slot = bisect_right(remainders, 0.0, lo=1, key=neg) - 1
        if slot == len(sizes):  # only reached through float rounding at the very end
            slot = max(n for n, size in enumerate(self.plain) if size > 0)
        return self.buckets[slot], explore


@dataclass(slots=True)
class Stage:
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

    def draw(
        self, news: bool, rng: random.Random, exploration: float
    ) -> tuple[LibraryItem, bool] | None:
        """Take one item from the stage (from its news buckets only if ``news``), and whether
        the draw ignored the weights (``exploration`` of draws do)."""
        picked = self._view(news).pick(rng, exploration)
        return None if picked is None else (self._take(picked[0], rng), picked[1])

    def left(self, news: bool) -> int:
        """Items not yet taken (of the news buckets only if ``news``)."""
        return self._view(news).left

    def sample(self, count: int, news: bool, rng: random.Random) -> list[LibraryItem]:
        """About ``count`` items taken by weight in one pass: the buckets' odds are fixed
        at the start, so a bucket drawn empty meanwhile yields nothing (a few short of
        ``count``, never a wrong item). A small stage is drawn one item at a time instead."""
        view = self._view(news)
        if view.left <= 2 * count:
            drawn = (self.draw(news, rng, 0.0) for _ in range(min(count, view.left)))
            return [found[0] for found in drawn if found is not None]
        cumulative = list(accumulate(view.weighted))
        total = cumulative[-1] if cumulative else 0.0
        if total <= 0:
            return []
        taken: list[LibraryItem] = []
        # Locals: this loop runs for every candidate a reader with a taste samples. The views
        # are brought up to date once at the end: nothing reads them meanwhile.
        counts, buckets, end = self.counts, view.buckets, len(cumulative) - 1
        draw, take = rng.random, self._take_slot
        drawn_from: dict[int, int] = {}
        for _ in range(count):
            slot = bisect_right(cumulative, draw() * total)
            bucket = buckets[slot if slot < end else end]
            size = counts[bucket]
            if size > 0:
                # A slot by one random() (C) rather than randrange (Python): as uniform for
                # any bucket a library holds.
                taken.append(take(bucket, int(draw() * size), size - 1))
                counts[bucket] = size - 1
                drawn_from[bucket] = drawn_from.get(bucket, 0) + 1
        for bucket, times in drawn_from.items():
            self._resize(bucket, times)
        return taken

    def _view(self, news: bool) -> _View:
        if news:
            if self.news_only is None:
                counts = [self.counts[n] for n in self.news]
                weights = [self.weights[n] for n in self.news]
                self.news_only = _View.of(self.news, counts, weights)
            return self.news_only
        if self.everything is None:
            self.everything = _View.of(range(len(self.counts)), self.counts, self.weights)
        return self.everything

    def _take(self, bucket: int, rng: random.Random) -> LibraryItem:
        """Draw uniformly within the bucket as a list would: swap the drawn slot with the last
        one and drop the last."""
        size = self.counts[bucket]
        taken = self._take_slot(bucket, rng.randrange(size), size - 1)
        self.counts[bucket] = size - 1
        self._resize(bucket, 1)
        return taken

    def _take_slot(self, bucket: int, slot: int, last: int) -> LibraryItem:
        """The item at ``slot`` of the bucket, the one at ``last`` moved into its place (the
        caller shrinks the bucket)."""
        refilled = self.refilled.get(bucket)
        if refilled is None:
            refilled = self.refilled[bucket] = {}
        listed, gaps = self.buckets[bucket], self.gaps.get(bucket)
        taken = refilled.get(slot) or listed[_past_gaps(slot, gaps) if gaps else slot]
        if slot != last:
            if last in refilled:
                refilled[slot] = refilled.pop(last)
            else:
                refilled[slot] = listed[_past_gaps(last, gaps) if gaps else last]
        else:
            refilled.pop(last, None)
        return taken

    def _resize(self, bucket: int, taken: int) -> None:
        """Bring the views up to date with the bucket's count, ``taken`` items fewer."""
        count = self.counts[bucket]
        weighted = count * self.weights[bucket]
        if self.everything is not None:
            self.everything.weighted[bucket] = weighted
            self.everything.plain[bucket] = count * 1.0
            self.everything.left -= taken
        slot = self.news_slot.get(bucket)
        if self.news_only is not None and slot is not None:
            self.news_only.weighted[slot] = weighted
            self.news_only.plain[slot] = count * 1.0
            self.news_only.left -= taken


def _past_gaps(slot: int, gaps: Sequence[int]) -> int:
    """Where ``slot`` of a reader's list of a bucket sits in the shared bucket, with the slots
    in ``gaps`` (ascending) moved off it: one further for each gap at or before it."""
    for gap in gaps:
        if gap > slot:
            break
        slot += 1
    return slot
