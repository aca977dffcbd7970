"""One kind's candidates for one reader, drawn tier by tier; muted words and repeats are
turned away as they are drawn."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.digests.selection.draw import Stage
from bot.digests.selection.policy import DigestPrefs, SelectionPolicy
from bot.digests.selection.reader import Reader
from bot.digests.selection.tiers import Tier
from bot.library.items import LibraryItem


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


@dataclass(slots=True)
class Pool:
    """One kind's candidates (quotes, or reading), as stages per tier in draw order; a stage
    is built when the draw first reaches it (most digests never get past fresh items).

    Muted words and repeated ids are checked on drawn items only, and a drawn item that fails is
    dropped and drawn again: the odds stay those of drawing among the admitted items, and the
    pass over the library stays free of string matching.
    """

    reader: Reader
    quote: bool
    tiers: Sequence[Tier]
    news_left: int = 0
    taken: set[int] = field(default_factory=set)
    stages: dict[Tier, Stage] = field(default_factory=dict)

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
        self, stage: Stage, rng: random.Random, policy: SelectionPolicy
    ) -> LibraryItem | None:
        if self.news_left > 0:
            item = self._draw_admitted(stage, True, rng, policy)
            if item is not None:
                self.news_left -= 1
                return item
        return self._draw_admitted(stage, False, rng, policy)

    def _draw_admitted(
        self, stage: Stage, news: bool, rng: random.Random, policy: SelectionPolicy
    ) -> LibraryItem | None:
        while (item := stage.draw(news, rng, policy)) is not None:
            muted = self.reader.muted
            if item.id not in self.taken and not (muted and is_muted(item, muted)):
                self.taken.add(item.id)
                return item
        return None
