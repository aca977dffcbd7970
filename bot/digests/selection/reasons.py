"""Why an item was picked, as facts of its own: the words of it the reader likes, the feed it is
new from, when it was last read or skipped. Rendering turns a reason into a few words."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from bot.digests.selection.features import SOURCE_MARK, TOPIC_MARK
from bot.digests.selection.pools import Pick
from bot.digests.selection.reader import Reader
from bot.digests.selection.tiers import Tier, is_news
from bot.library.items import Answer, ItemHistory, ItemKind, LibraryItem


class Why(enum.Enum):
    LIKE = "like"  # holds words of items the reader read
    NEW_FROM = "new_from"  # recent news from a feed
    DUE_AGAIN = "due_again"  # a quote read before, due again
    RESTED = "rested"  # skipped, and its rest is over
    UNANSWERED = "unanswered"  # shown before, never answered
    EXPLORING = "exploring"  # drawn ignoring the reader's taste
    FROM = "from"  # new to the reader, from this source


@dataclass(frozen=True, slots=True)
class Reason:
    """One pick's reason: ``words`` it shares with the reader's reads and ``count``, how many
    read items hold the first of them; ``days`` since it was last read, skipped or shown;
    ``source`` it came from."""

    why: Why
    words: tuple[str, ...] = ()
    count: int = 0
    days: int = 0
    source: str = ""


def days_since(past: ItemHistory | None, now: dt.datetime) -> int:
    """Whole days since the item was last answered or shown (0 if never)."""
    if past is None:
        return 0
    seen = [at for at in (past.answered_at, past.last_shown_at) if at is not None]
    return max((now - max(seen)).days, 0) if seen else 0


def display_words(item: LibraryItem, features: list[str]) -> tuple[str, ...]:
    """Features as the reader would write them: a word as the item spells it (features are
    folded to lower case), a section or source by its name.

    >>> from bot.library.items import ItemKind
    >>> item = LibraryItem(1, ItemKind.PAPER, "StyleGAN and other GANs")
    >>> display_words(item, ["stylegan", "gan", "§Generative models"])
    ('StyleGAN', 'GAN', 'Generative models')
    """
    shown: list[str] = []
    haystack = "\n".join((item.title, item.text, item.abstract))
    for feature in features:
        if feature.startswith((TOPIC_MARK, SOURCE_MARK)):
            shown.append(feature[1:])
            continue
        found = re.search(re.escape(feature), haystack, re.IGNORECASE)
        shown.append(found.group() if found else feature)
    return tuple(dict.fromkeys(shown))


# What an earlier answer makes of an item shown again.
_AGAIN = {Answer.READ: Why.DUE_AGAIN, Answer.SKIPPED: Why.RESTED, Answer.LESS: Why.RESTED}


def reason_of(pick: Pick, reader: Reader) -> Reason:
    """Why ``pick`` was drawn for ``reader``: exploring, else what its tier says of the
    reader's past with it, else the words of it they like, else where it is new from."""
    item, index = pick.item, reader.index
    if pick.explored:
        return Reason(Why.EXPLORING)
    past = reader.history.get(item.id)
    if pick.tier is not Tier.FRESH:
        again = _AGAIN.get(past.answer) if past and past.answer else None
        return Reason(again or Why.UNANSWERED, days=days_since(past, index.now))
    liked = reader.taste.liked(index.features(item), index.policy.liked_floor)
    if liked:
        names = [index.numbering.names[number] for number in liked]
        return Reason(Why.LIKE, display_words(item, names), reader.taste.reads(liked[0]))
    news = item.kind is ItemKind.ARTICLE and is_news(item, index.cutoffs)
    return Reason(Why.NEW_FROM if news else Why.FROM, source=item.source)
