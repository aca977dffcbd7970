"""The owner's curation replies to a digest or to search results: "forget 2 3" hides items
for everyone, "fix 2 New title" corrects one's title. Chinese verbs too ("忘记 2", "删除 2",
"修正 2 新标题").

Positions are numbered as the message shows them, as for "read 2" (bot.digests.answers). A
text is a curation only when a verb is followed by a position (``CURATION``), so "forget it"
or "fix this" passes as ordinary chat; a curation that is wrong raises
:class:`~bot.digests.answers.ReplyError` with a message for the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.digests.answers import ReplyError
from bot.i18n import N_

__all__ = ["CURATION", "FORGET_VERBS", "FixTitle", "Forget", "parse_curation"]

FORGET_VERBS = ("forget", "忘记", "忘掉", "删除", "删掉")
FIX_VERBS = ("fix", "修正", "更正", "改标题")
# Longest first; a Latin verb must end at a non-letter ("fixed 2" is not "fix" + "ed 2").
_VERB = "|".join(re.escape(v) for v in sorted((*FORGET_VERBS, *FIX_VERBS), key=len, reverse=True))
CURATION = re.compile(rf"^\s*(?P<verb>{_VERB})(?![a-z])\s*(?=\d)", re.IGNORECASE)
_POSITION = re.compile(r"(\d+)(?:\s*[-–—~到]\s*(\d+))?")
_SEPARATORS = re.compile(r"(?:[\s,;、，；&]+|and(?![a-z])|和)*", re.IGNORECASE)
_FIX = re.compile(r"(\d+)[\s:：.,，]*(.*)", re.DOTALL)
_TRAILING = ".!。！"
_QUOTES = ('""', "“”", "「」", "''")
# Longer numbers are never positions; keeping them out of int() also bounds the work.
_MAX_DIGITS = 6
MAX_TITLE = 300


@dataclass(frozen=True, slots=True)
class Forget:
    """Hide the items at these positions (1-based, ascending) from every reader."""

    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FixTitle:
    """Give the item at this position a new title."""

    position: int
    title: str


def parse_curation(text: str, size: int) -> Forget | FixTitle | None:
    """The curation ``text`` asks for, in a message of ``size`` items; None if it is none.

    >>> parse_curation("forget 2 3", 5)
    Forget(positions=(2, 3))
    >>> parse_curation("删除 1-2、4", 5)
    Forget(positions=(1, 2, 4))
    >>> parse_curation("Fix 2  “Attention Is All You Need”", 5)
    FixTitle(position=2, title='Attention Is All You Need')
    >>> parse_curation("forget it", 5) is None
    True
    >>> parse_curation("forget 9", 5)
    Traceback (most recent call last):
    ...
    bot.digests.answers.ReplyError: There is no item 9 there (1–5).
    """
    match = CURATION.match(text)
    if match is None:
        return None
    verb, rest = match["verb"].casefold(), text[match.end() :]
    if verb in FIX_VERBS:
        return _fix(rest, size)
    return Forget(_positions(rest.strip().rstrip(_TRAILING), size))


def _positions(rest: str, size: int) -> tuple[int, ...]:
    """Every position named: numbers and ranges, between spaces, commas, "、", "and"/"和"."""
    chosen: set[int] = set()
    at = 0
    while at < len(rest):
        match = _POSITION.match(rest, at)
        if match is None:
            shown = rest[at:] if len(rest) - at <= 20 else rest[at : at + 20] + "…"
            raise ReplyError(
                N_("I didn't understand “{text}”. Reply like “forget 2 3” or “fix 2 New title”."),
                text=shown,
            )
        first = _position(match[1], size)
        last = _position(match[2], size) if match[2] else first
        if last < first:
            raise ReplyError(
                N_("The range {start}–{end} runs backwards; try “{end}-{start}”."),
                start=first,
                end=last,
            )
        chosen.update(range(first, last + 1))
        separators = _SEPARATORS.match(rest, match.end())
        at = separators.end() if separators else match.end()
    return tuple(sorted(chosen))


def _fix(rest: str, size: int) -> FixTitle:
    match = _FIX.fullmatch(rest)
    assert match is not None  # CURATION saw a digit first
    position = _position(match[1], size)
    title = " ".join(match[2].split())
    for pair in _QUOTES:
        if len(title) > 2 and title[0] == pair[0] and title[-1] == pair[1]:
            title = title[1:-1].strip()
    if not title:
        raise ReplyError(N_("Which title? Reply like “fix 2 New title”."))
    if len(title) > MAX_TITLE:
        raise ReplyError(N_("That title is too long: at most {limit} characters."), limit=MAX_TITLE)
    return FixTitle(position, title)


def _position(digits: str, size: int) -> int:
    if len(digits) > _MAX_DIGITS:
        raise ReplyError(N_("There is no item {position}… there."), position=digits[:_MAX_DIGITS])
    position = int(digits)
    if 1 <= position <= size:
        return position
    if size < 1:
        raise ReplyError(N_("That message shows no items."))
    if size == 1:
        raise ReplyError(N_("There is no item {position} there (1)."), position=position)
    raise ReplyError(
        N_("There is no item {position} there (1–{size})."), position=position, size=size
    )
