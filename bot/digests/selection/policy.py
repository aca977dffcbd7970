"""What selection is asked for: one reader's preferences, and the tunable numbers of the rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.library.items import SourceLevel

MIN_DIGEST_SIZE = 1
MAX_DIGEST_SIZE = 20


@dataclass(frozen=True, slots=True)
class DigestPrefs:
    """What one reader asked for.

    ``size``: items per digest, 1..20. ``quotes``: how many of them are quotes (the rest are
    papers and articles); more than ``size`` means an all-quote digest. ``muted_words``: items
    whose title, text, author or topic contains one of them (case-insensitively) are never
    chosen; blank words are ignored. ``source_levels``: the reader's level per source id
    (``LibraryItem.source_id``); a source not listed is NORMAL.
    """

    size: int = 5
    quotes: int = 1
    muted_words: tuple[str, ...] = ()
    # The owner's notes seed their taste: an item they wrote notes on counts as a read.
    seed_from_notes: bool = False
    source_levels: Mapping[int, SourceLevel] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not MIN_DIGEST_SIZE <= self.size <= MAX_DIGEST_SIZE:
            raise ValueError(
                f"digest size must be {MIN_DIGEST_SIZE}..{MAX_DIGEST_SIZE}, not {self.size}"
            )
        if self.quotes < 0:
            raise ValueError(f"quotes per digest cannot be negative ({self.quotes})")


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
      smoothed read rate over the prior's, 1.0 for a topic never answered). Reads count for,
      "less like this" against; "not now" skips count for nothing.
    - ``taste_floor``: no topic or source weighs less than this, however often it was refused.
    - ``content_taste``: whether picks also weigh the items' words (taste.py); off, a pick is
      the weighted draw alone (by topic and source).
    - ``taste_half_life``: an answer counts half as much after this long, so every weight
      drifts back toward neutral and a changed taste shows within days.
    - ``taste_cap``, ``taste_prior``: a word's weight stays within ``±taste_cap``, and is pulled
      toward neutral by ``taste_prior`` imagined answers (one answer nudges, never decides).
    - ``taste_sample``: candidates drawn (by topic and source) and scored by their words for
      each pick: the cost of taste is this many scores per item, never a pass over the library.
    - ``taste_strength``: how steeply a better score wins among the sample (a softmax's
      inverse temperature); the sample's other candidates keep a chance.
    - ``notes_seed``: what one item the owner wrote notes on counts for in their taste, beside
      one read (1.0).
    - ``liked_floor``: a word weighs at least this to be named in "why this item".
    - ``source_more``, ``source_less``: what a source the reader set to "more" or "less"
      weighs, times its taste; a source set to "never" is never drawn, not even exploring.
    """

    skip_rest: dt.timedelta = dt.timedelta(days=14)
    quote_first_interval: dt.timedelta = dt.timedelta(days=7)
    quote_interval_growth: float = 2.0
    quote_interval_max: dt.timedelta = dt.timedelta(days=365)
    repeat_gap: dt.timedelta = dt.timedelta(hours=36)
    refill_with_recent: bool = True
    recent_article_window: dt.timedelta = dt.timedelta(days=14)
    recent_article_share: float = 0.5
    exploration: float = 0.1
    prior_reads: float = 1.0
    prior_skips: float = 1.0
    taste_floor: float = 0.25
    content_taste: bool = True
    taste_half_life: dt.timedelta = dt.timedelta(days=8)
    taste_cap: float = 1.0
    taste_prior: float = 2.0
    taste_sample: int = 64
    taste_strength: float = 8.0
    notes_seed: float = 0.5
    liked_floor: float = 0.15
    source_more: float = 2.0
    source_less: float = 0.4

    def __post_init__(self) -> None:
        if not (0.0 <= self.exploration <= 1.0 and 0.0 <= self.recent_article_share <= 1.0):
            raise ValueError("exploration and recent_article_share are shares in 0..1")
        if self.prior_reads <= 0 or self.prior_skips <= 0:
            raise ValueError("the prior needs positive reads and skips, or weights can hit 0")
        if self.quote_interval_growth < 1.0:
            raise ValueError("quote intervals may grow or stay, never shrink")
        if self.taste_half_life <= dt.timedelta(0) or self.taste_sample < 1:
            raise ValueError("taste needs a positive half-life and at least one candidate")
        if self.source_more <= 0 or self.source_less <= 0:
            raise ValueError('only "never" keeps a source out: the other levels weigh above 0')

    def level_weight(self, level: SourceLevel) -> float:
        """What a source at ``level`` weighs beside a normal one (0: never drawn).

        >>> [SelectionPolicy().level_weight(level) for level in SourceLevel]
        [2.0, 1.0, 0.4, 0.0]
        """
        weights = {SourceLevel.MORE: self.source_more, SourceLevel.LESS: self.source_less}
        return 0.0 if level is SourceLevel.NEVER else weights.get(level, 1.0)

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

    def taste(self, reads: float, skips: float) -> float:
        """The weight of a topic or source the reader read and refused ("less like this") so
        often (answers decayed by age count in part).

        >>> policy = SelectionPolicy()
        >>> policy.taste(0, 0), policy.taste(1, 0), policy.taste(0, 1)
        (1.0, 1.3333333333333333, 0.6666666666666666)
        >>> policy.taste(10, 0), policy.taste(0, 10)
        (1.8333333333333333, 0.25)
        """
        prior_rate = self.prior_reads / (self.prior_reads + self.prior_skips)
        rate = (reads + self.prior_reads) / (reads + skips + self.prior_reads + self.prior_skips)
        return max(rate / prior_rate, self.taste_floor)


DEFAULT_POLICY = SelectionPolicy()
