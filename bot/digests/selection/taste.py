"""Content taste: what one reader's answers say about the words of the items they answered.

A per-reader linear model over an item's features (arxiv-sanity ranks papers per user with one):
each feature — a word of the item's title, text, notes or abstract, its section, its source —
weighs what the reads and "less like this" answers of items holding it say, and an item's score is
the sum of its features' weights over the square root of how many features it has. It is
counted afresh from the history at each compose rather than trained and stored, which keeps
three properties simple:

- weights drift back toward neutral: an answer counts half as much every ``taste_half_life``;
- weights are centred on the reader's own read rate (a word in everything they answer weighs
  nothing) and capped at ``±taste_cap``, so no single word becomes a filter;
- "not now" skips teach nothing; only reads and "less like this" do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from math import sqrt
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from bot.digests.selection.features import FeatureIds, FeatureNumbers
from bot.digests.selection.policy import SelectionPolicy

# A source's weight is capped lower than a word's: a file or feed holds unrelated items, and
# a few liked ones should not lift all of it (bench/taste.py: lower hurts a reader who likes
# one source, higher one who likes a topic spread over several).
SOURCE_CAP = 0.6
# Weights closer to neutral than this are dropped: they change no pick and cost every score.
NEGLIGIBLE = 0.02

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Taste:
    """One reader's weight per feature number: ``dense[n]`` for feature n (0: neutral; a
    feature numbered after the taste was learnt reads its last slot, kept at 0), and how many
    items they read that hold each feature (for saying why an item was picked)."""

    dense: Floats = field(default_factory=lambda: np.zeros(1))
    read: Mapping[int, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        """Whether the reader has any weight: a taste without one is the one-slot default
        (asked at every pick, so not a pass over the weights)."""
        return len(self.dense) > 1

    def weight(self, number: int) -> float:
        return float(self.dense.take(number, mode="clip"))

    def reads(self, number: int) -> int:
        """How many items the reader read that hold the feature."""
        return self.read.get(number, 0)

    def scores(self, items: Sequence[FeatureIds]) -> list[float]:
        """Each item's score: the sum of its features' weights over the square root of their
        number (0: neutral), so an item is liked for what it is mostly about, not for one word
        among many. One pass for the lot: a pick scores a whole sample."""
        if not items:
            return []
        lengths = list(map(len, items))
        weights = self.dense.take(np.concatenate(items), mode="clip")
        if 0 in lengths:  # a trailing 0 keeps an empty item's start in range
            weights = np.append(weights, 0.0)
        sums = np.add.reduceat(weights, list(accumulate(lengths[:-1], initial=0))).tolist()
        return [
            total / sqrt(n) if total and n else 0.0 for total, n in zip(sums, lengths, strict=True)
        ]

    def liked(self, numbers: FeatureIds, floor: float, most: int = 2) -> list[int]:
        """Up to ``most`` of the features the reader read before and likes most (above
        ``floor``), best first (in the item's order where they tie)."""
        weights = self.dense.take(numbers, mode="clip").tolist()
        read = self.read
        liked = [
            (weight, number)
            for weight, number in zip(weights, numbers.tolist(), strict=True)
            if weight > floor and number in read
        ]
        liked.sort(key=lambda found: -found[0])  # stable: ties keep the item's order
        return [number for _, number in liked[:most]]


class Evidence(NamedTuple):
    """One answer the model learns from: the item's features (numbers in a FeatureNumbers), its
    age, read or less-like-this. ``strength`` scales it (a seed from the owner's notes counts
    less than an answer). A tuple: a sweep makes one per answer in every reader's history."""

    item_features: FeatureIds
    age_days: float
    read: bool
    strength: float = 1.0


def learn(
    evidence: Sequence[Evidence], policy: SelectionPolicy, numbering: FeatureNumbers
) -> Taste:
    """The reader's taste from their answers (see the module's docstring for the rules)."""
    if not evidence:
        return Taste()
    half_life = policy.taste_half_life.total_seconds() / 86_400
    answers = [(e.strength * 0.5 ** (max(e.age_days, 0.0) / half_life), e.read) for e in evidence]
    lengths = [len(e.item_features) for e in evidence]
    # Sums in the answers' order, as a loop over them would add (bincount adds in order).
    numbers, position = np.unique(
        np.concatenate([e.item_features for e in evidence]), return_inverse=True
    )
    strength = np.repeat([weight for weight, _ in answers], lengths)
    read = np.repeat([was_read for _, was_read in answers], lengths)
    size = len(numbers)
    # Weighted counts are floats (numpy's stubs type every bincount as integers).
    ups = np.bincount(position[read], strength[read], size).astype(np.float64, copy=False)
    downs = np.bincount(position[~read], strength[~read], size).astype(np.float64, copy=False)
    reads = np.bincount(position[read], minlength=size)
    up_all = sum(weight for weight, was_read in answers if was_read)
    down_all = sum(weight for weight, was_read in answers if not was_read)
    values = _weights(ups, downs, (up_all, down_all), policy, numbering.sources(numbers))
    keep = np.abs(values) >= NEGLIGIBLE
    if not keep.any():
        return Taste()  # nothing says more than neutral: no reason to give either
    # One slot per feature numbered so far, and a last one at 0 for any numbered later.
    dense = np.zeros(len(numbering) + 1)
    dense[numbers[keep]] = values[keep]
    read = reads > 0
    return Taste(dense, dict(zip(numbers[read].tolist(), reads[read].tolist(), strict=True)))


def _weights(
    ups: Floats,
    downs: Floats,
    totals: tuple[float, float],
    policy: SelectionPolicy,
    sources: npt.NDArray[np.bool_],
) -> Floats:
    """Each feature's lean, pulled toward the reader's overall lean by ``taste_prior`` imagined
    answers, less that overall lean (0 for a word that fares like everything else), capped."""
    up_all, down_all = totals
    base = (up_all - down_all) / (up_all + down_all + policy.taste_prior)
    cap, prior = policy.taste_cap, policy.taste_prior
    lean = (ups - downs - base * (ups + downs)) / (ups + downs + prior)
    limit = np.where(sources, cap * SOURCE_CAP, cap)
    return np.clip(lean, -limit, limit)
