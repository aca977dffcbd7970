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

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat

from bot.digests.selection.policy import SelectionPolicy
from bot.library.items import LibraryItem
from bot.library.tokens import search_tokens

# Features that are not words, an item's section and its source, marked so no word collides.
TOPIC_MARK = "§"
SOURCE_MARK = "@"
# A source's weight is capped lower than a word's: a file or feed holds unrelated items, and
# a few liked ones should not lift all of it (bench/taste.py: lower hurts a reader who likes
# one source, higher one who likes a topic spread over several).
SOURCE_CAP = 0.6
# Words past this many say little more about an item and cost every reader who answers it.
MAX_WORDS = 40
# Function words of both languages: in nearly every item, so they would only add noise.
_STOP_WORDS = (
    "the a an of and or to in on for with from by at as is are be was were this that it its"
    " we our you your via using use based towards toward how what why when new not no can"
    " 的 了 是 在 和 与 及 对 中 一个 我们 你们 这个 一种 基于 如何 什么 以及 通过 进行 可以"
    " 没有 就是 自己 他们 因为 所以 如果 但是 还是 这些 那些"
)
_STOP = frozenset(_STOP_WORDS.split(" "))
_NEUTRAL = repeat(0.0)  # a missing feature's weight


def features(item: LibraryItem) -> tuple[str, ...]:
    """The item's distinct words (title first, at most MAX_WORDS), its section and its source.

    >>> from bot.library.items import ItemKind
    >>> item = LibraryItem(1, ItemKind.PAPER, "StyleGAN: a style-based GAN", topic="生成模型")
    >>> features(item)
    ('stylegan', 'style', 'gan', '§生成模型')
    """
    terms = item.terms or search_tokens(" ".join((item.title, item.text, item.abstract)))
    words: dict[str, None] = {}
    for token in terms.split():
        # One letter or one character, or a number, names nothing a reader likes.
        if len(token) < 2 or token.isdigit() or token in _STOP:
            continue
        words[token] = None
        if len(words) >= MAX_WORDS:
            break
    marked = [f"{TOPIC_MARK}{item.topic}"] if item.topic else []
    marked += [f"{SOURCE_MARK}{item.source}"] if item.source else []
    return (*words, *marked)


@dataclass(frozen=True, slots=True)
class Taste:
    """One reader's weight per feature (missing: neutral) and how many items they read that
    hold each (for saying why an item was picked)."""

    weights: Mapping[str, float] = field(default_factory=dict)
    reads: Mapping[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.weights)

    def score(self, item_features: Sequence[str]) -> float:
        """The sum of the weights over the square root of the number of features (0: neutral),
        so an item is liked for what it is mostly about, not for one word among many."""
        # map over (feature, 0.0) pairs: the same sum, in the same order, without a generator.
        total = sum(map(self.weights.get, item_features, _NEUTRAL))
        return total / math.sqrt(len(item_features)) if total else 0.0

    def liked(self, item_features: Sequence[str], floor: float, most: int = 2) -> list[str]:
        """Up to ``most`` of the features the reader read before and likes most (above
        ``floor``), best first."""
        weights, reads = self.weights, self.reads
        liked = [f for f in item_features if weights.get(f, 0.0) > floor and reads.get(f)]
        return sorted(liked, key=lambda f: -weights[f])[:most]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One answer the model learns from: the item's features, its age, read or less-like-this.
    ``strength`` scales it (a seed from the owner's notes counts less than an answer)."""

    item_features: tuple[str, ...]
    age_days: float
    read: bool
    strength: float = 1.0


def learn(evidence: Iterable[Evidence], policy: SelectionPolicy) -> Taste:
    """The reader's taste from their answers (see the module's docstring for the rules)."""
    ups: dict[str, float] = {}
    downs: dict[str, float] = {}
    reads: dict[str, int] = {}
    totals = [0.0, 0.0]  # decayed reads, decayed less-like-this
    half_life = policy.taste_half_life.total_seconds() / 86_400
    for seen in evidence:
        weight = seen.strength * 0.5 ** (max(seen.age_days, 0.0) / half_life)
        table = ups if seen.read else downs
        totals[0 if seen.read else 1] += weight
        for feature in seen.item_features:
            table[feature] = table.get(feature, 0.0) + weight
            if seen.read:
                reads[feature] = reads.get(feature, 0) + 1
    return Taste(_weights(ups, downs, totals, policy), reads)


def _weights(
    ups: Mapping[str, float],
    downs: Mapping[str, float],
    totals: Sequence[float],
    policy: SelectionPolicy,
) -> dict[str, float]:
    """Each feature's lean, pulled toward the reader's overall lean by ``taste_prior`` imagined
    answers, less that overall lean: 0 for a word that fares like everything else."""
    up_all, down_all = totals
    base = (up_all - down_all) / (up_all + down_all + policy.taste_prior)
    cap, prior = policy.taste_cap, policy.taste_prior
    weights: dict[str, float] = {}
    for feature in ups.keys() | downs.keys():
        up, down = ups.get(feature, 0.0), downs.get(feature, 0.0)
        lean = (up - down - base * (up + down)) / (up + down + prior)
        if abs(lean) >= NEGLIGIBLE:
            limit = cap * SOURCE_CAP if feature.startswith(SOURCE_MARK) else cap
            weights[feature] = max(-limit, min(limit, lean))
    return weights


# Weights closer to neutral than this are dropped: they change no pick and cost every score.
NEGLIGIBLE = 0.02
