"""Sorting candidates into tiers by one reader's history: which may be drawn, and how eagerly.

The tiers are listed in the package's docstring; the cut-offs they are measured against are
worked out once per call (:class:`Cutoffs`), not per item.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from bot.digests.selection.policy import SelectionPolicy
from bot.library.items import Answer, ItemHistory, ItemKind, LibraryItem


class Tier(enum.IntEnum):
    """Where a candidate stands for one reader; lower tiers are drawn first."""

    FRESH = 0
    UNANSWERED = 1
    DUE_QUOTE = 2
    RESTED = 3
    RECENTLY_SHOWN = 4


# Both kinds of skip rest an item alike; how they weigh on its topic and source is the
# reader's taste (reader.py), not its tier.
_SKIPS = frozenset({Answer.SKIPPED, Answer.LESS})

# The tiers a digest is filled from; RECENTLY_SHOWN only makes up a short one.
MAIN_TIERS = (Tier.FRESH, Tier.UNANSWERED, Tier.DUE_QUOTE, Tier.RESTED)


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """The instants one call measures items against, computed once instead of per item."""

    now: dt.datetime
    shown_after: dt.datetime
    skipped_before: dt.datetime
    news_after: dt.datetime

    @classmethod
    def at(cls, now: dt.datetime, policy: SelectionPolicy) -> Cutoffs:
        return cls(
            now=now,
            shown_after=now - policy.repeat_gap,
            skipped_before=now - policy.skip_rest,
            news_after=now - policy.recent_article_window,
        )


def _answered_tier(
    item: LibraryItem, past: ItemHistory, cutoffs: Cutoffs, policy: SelectionPolicy
) -> Tier | None:
    """The tier of an answered item, or None while it must stay away."""
    if past.answer in _SKIPS:
        skipped_at = past.answered_at or past.last_shown_at
        resting = skipped_at is not None and skipped_at > cutoffs.skipped_before
        return None if resting else Tier.RESTED
    if item.kind is not ItemKind.QUOTE:
        return None  # a read paper or article is done with
    seen = [at for at in (past.answered_at, past.last_shown_at) if at is not None]
    if seen and max(seen) + policy.quote_interval(past.times_shown) > cutoffs.now:
        return None
    return Tier.DUE_QUOTE


def never_shown(past: ItemHistory) -> bool:
    """A history entry that is no history: the item is as fresh as one without an entry."""
    return past.answer is None and not (past.times_shown or past.last_shown_at)


def tier_of(
    item: LibraryItem, past: ItemHistory, cutoffs: Cutoffs, policy: SelectionPolicy
) -> Tier | None:
    """The tier of an item with a history entry, or None while it must stay away."""
    if never_shown(past):
        return Tier.FRESH
    if past.answer is not None:
        tier = _answered_tier(item, past, cutoffs, policy)
    else:
        tier = Tier.UNANSWERED
    shown_lately = past.last_shown_at is not None and past.last_shown_at > cutoffs.shown_after
    return Tier.RECENTLY_SHOWN if tier is not None and shown_lately else tier


def is_news(article: LibraryItem, cutoffs: Cutoffs) -> bool:
    dated = article.published_at or article.added_at
    return dated is not None and dated >= cutoffs.news_after
