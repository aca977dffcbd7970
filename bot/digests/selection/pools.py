"""One kind's candidates for one reader, drawn tier by tier; muted words and repeats are
turned away as they are drawn, and the reader's content taste chooses among a sample."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.digests.selection.draw import Stage
from bot.digests.selection.policy import DigestPrefs, SelectionPolicy
from bot.digests.selection.reader import Reader
from bot.digests.selection.tiers import Tier
from bot.library.items import LibraryItem

# A score past this says nothing more: it would only starve the sample's other candidates.
MAX_SCORE = 3.0
# Candidates sampled per item a pool wants (up to ``taste_sample``): a one-quote pool scores
# a few, a reading pool the whole sample.
SAMPLE_PER_PICK = 16


def muted_words(prefs: DigestPrefs) -> tuple[str, ...]:
    """Muted words ready for matching; a blank word would mute everything, so it is dropped.

    >>> muted_words(DigestPrefs(muted_words=("Crypto ", "", "  ", "NFT")))
    ('crypto', 'nft')
    """
    return tuple(word.strip().casefold() for word in prefs.muted_words if word.strip())


def is_muted(item: LibraryItem, words: tuple[str, ...]) -> bool:
    """Whether the item's title, text, author or topic holds one of ``words`` (folded)."""
    haystack = "\n".join((item.title, item.text, item.author, item.topic)).casefold()
    return any(word in haystack for word in words)


@dataclass(frozen=True, slots=True)
class Pick:
    """One drawn item, the tier it came from, whether it was drawn ignoring the reader's taste
    (exploring), and whether it filled a news slot."""

    item: LibraryItem
    tier: Tier
    explored: bool
    news: bool


# A sampled candidate: the item, whether it was drawn for a news slot, its weight by taste.
_Candidate = tuple[LibraryItem, bool, float]


def _weighted_index(weights: Sequence[float], rng: random.Random) -> int:
    point = rng.random() * sum(weights)
    for n, weight in enumerate(weights):
        point -= weight
        if point < 0:
            return n
    return len(weights) - 1  # float rounding at the very end


@dataclass(slots=True)
class Pool:
    """One kind's candidates (quotes, or reading), as stages per tier in draw order; a stage
    is built when the draw first reaches it (most digests never get past fresh items).

    Muted words and repeated ids are checked on drawn items only, and a drawn item that fails is
    dropped and drawn again: the odds stay those of drawing among the admitted items, and the
    pass over the library stays free of string matching.

    For a reader with a content taste, a pick that does not explore draws ``taste_sample``
    candidates of its tier by topic and source weights and takes one of them by the softmax of
    their scores; the others stay sampled for the tier's next pick, so no tier is left early.
    """

    reader: Reader
    quote: bool
    tiers: Sequence[Tier]
    news_left: int = 0
    taken: set[int] = field(default_factory=set)
    stages: dict[Tier, Stage] = field(default_factory=dict)
    samples: dict[Tier, list[_Candidate]] = field(default_factory=dict)
    sample_size: int = 1

    def draw(self, wanted: int, rng: random.Random, policy: SelectionPolicy) -> list[Pick]:
        picks: list[Pick] = []
        self.sample_size = max(min(policy.taste_sample, SAMPLE_PER_PICK * wanted), 1)
        for tier in self.tiers:
            if len(picks) >= wanted:
                break
            stage = self.stages.get(tier)
            if stage is None:
                stage = self.stages[tier] = self.reader.stage(self.quote, tier)
            while len(picks) < wanted:
                pick = self._pick(tier, stage, rng, policy)
                if pick is None:
                    break
                picks.append(pick)
        return picks

    def _pick(
        self, tier: Tier, stage: Stage, rng: random.Random, policy: SelectionPolicy
    ) -> Pick | None:
        if self.news_left > 0:
            pick = self._pick_from(tier, stage, True, rng, policy)
            if pick is not None:
                self.news_left -= 1
                return pick
        return self._pick_from(tier, stage, False, rng, policy)

    def _pick_from(
        self, tier: Tier, stage: Stage, news: bool, rng: random.Random, policy: SelectionPolicy
    ) -> Pick | None:
        if not self.reader.taste:  # nothing learnt yet: the weighted draw alone
            drawn = self._draw_admitted(stage, news, rng, policy.exploration)
            return None if drawn is None else Pick(drawn[0], tier, drawn[1], news)
        if rng.random() < policy.exploration:
            explored = self._explore(tier, stage, news, rng)
            if explored is not None:
                return explored
        return self._best_of_sample(tier, stage, news, rng, policy)

    def _explore(self, tier: Tier, stage: Stage, news: bool, rng: random.Random) -> Pick | None:
        """One item uniformly among the tier's sampled and unsampled ones: the sample holds
        mostly what the weights favour, so drawing from the rest alone would favour the
        refused."""
        sample = self.samples.get(tier, [])
        fits = [n for n, (_, for_news, _) in enumerate(sample) if for_news or not news]
        if fits and rng.random() * (len(fits) + stage.left(news)) < len(fits):
            return Pick(sample.pop(fits[rng.randrange(len(fits))])[0], tier, True, news)
        drawn = self._draw_admitted(stage, news, rng, 1.0)
        return None if drawn is None else Pick(drawn[0], tier, True, news)

    def _best_of_sample(
        self, tier: Tier, stage: Stage, news: bool, rng: random.Random, policy: SelectionPolicy
    ) -> Pick | None:
        """Top the tier's sample up to ``taste_sample`` candidates and take one by taste."""
        sample = self.samples.setdefault(tier, [])
        fits = [n for n, (_, for_news, _) in enumerate(sample) if for_news or not news]
        wanted = self.sample_size - len(fits)
        if wanted > 0:
            admitted = self._admitted(stage.sample(wanted, news, rng))
            fits += range(len(sample), len(sample) + len(admitted))
            sample += [(item, news, weight) for item, weight in self._weights(admitted, policy)]
        if not fits:
            return None
        chosen = fits[_weighted_index([sample[n][2] for n in fits], rng)]
        return Pick(sample.pop(chosen)[0], tier, False, news)

    def _weights(
        self, items: list[LibraryItem], policy: SelectionPolicy
    ) -> list[tuple[LibraryItem, float]]:
        """Each candidate's odds by taste, times the reader's level for its source."""
        reader = self.reader
        level, strength, exp = reader.level, policy.taste_strength, math.exp
        scores = reader.taste.scores(list(map(reader.index.features, items)))
        weighed = []
        for item, found in zip(items, scores, strict=True):
            weight = level(item)
            if found:
                weight *= exp(strength * max(-MAX_SCORE, min(MAX_SCORE, found)))
            weighed.append((item, weight))
        return weighed

    def _admitted(self, items: list[LibraryItem]) -> list[LibraryItem]:
        """Those of ``items`` neither muted nor taken already (which are taken now)."""
        muted, taken = self.reader.muted, self.taken
        admitted = []
        for item in items:
            if item.id not in taken and not (muted and is_muted(item, muted)):
                taken.add(item.id)
                admitted.append(item)
        return admitted

    def _draw_admitted(
        self, stage: Stage, news: bool, rng: random.Random, exploration: float
    ) -> tuple[LibraryItem, bool] | None:
        while (drawn := stage.draw(news, rng, exploration)) is not None:
            item, muted = drawn[0], self.reader.muted
            if item.id not in self.taken and not (muted and is_muted(item, muted)):
                self.taken.add(item.id)
                return drawn
        return None
