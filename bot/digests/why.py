""" "Why this item": a reason of selection as the few words shown under the item."""

from __future__ import annotations

import gettext
from collections.abc import Mapping, Sequence

from bot.digests.selection.reasons import Reason, Why
from bot.i18n import ENGLISH
from bot.library.items import LibraryItem

# Names longer than this (a notes file's name, a long section) are cut: the line stays short.
NAME_CHARS = 40


def _name(text: str) -> str:
    return text if len(text) <= NAME_CHARS else text[: NAME_CHARS - 1] + "…"


def why_line(reason: Reason, tr: gettext.NullTranslations = ENGLISH) -> str:
    """The reason in a few words, naming the item's own words or facts.

    >>> why_line(Reason(Why.LIKE, ("StyleGAN", "GAN"), 3))
    'like StyleGAN, GAN (you read 3)'
    >>> why_line(Reason(Why.DUE_AGAIN, days=28)), why_line(Reason(Why.EXPLORING))
    ('read 28 days ago — due again', 'exploring')
    >>> why_line(Reason(Why.NEW_FROM, source="The Batch")), why_line(Reason(Why.NEW_FROM))
    ('new from The Batch', 'new to you')
    """
    days, source = reason.days, _name(reason.source)
    match reason.why:
        case Why.LIKE:
            words = ", ".join(_name(word) for word in reason.words)
            if not reason.count:
                return tr.gettext("like {words}").format(words=words)
            line = tr.gettext("like {words} (you read {n})")
            return line.format(words=words, n=reason.count)
        case Why.NEW_FROM if source:  # an item of no source says it is new to you below
            return tr.gettext("new from {source}").format(source=source)
        case Why.DUE_AGAIN:
            line = tr.ngettext(
                "read {days} day ago — due again", "read {days} days ago — due again", days
            )
            return line.format(days=days)
        case Why.RESTED:
            line = tr.ngettext(
                "put off {days} day ago — back after its rest",
                "put off {days} days ago — back after its rest",
                days,
            )
            return line.format(days=days)
        case Why.UNANSWERED:
            line = tr.ngettext(
                "shown {days} day ago, not answered yet",
                "shown {days} days ago, not answered yet",
                days,
            )
            return line.format(days=days)
        case Why.EXPLORING:
            return tr.gettext("exploring")
    if source:
        return tr.gettext("new to you, from {source}").format(source=source)
    return tr.gettext("new to you")


def why_lines(
    items: Sequence[LibraryItem], reasons: Sequence[Reason], tr: gettext.NullTranslations
) -> Mapping[int, str]:
    """Each drawn item's line, by item id (none when the draw gave no reasons)."""
    return {item.id: why_line(reason, tr) for item, reason in zip(items, reasons, strict=False)}
