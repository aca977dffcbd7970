"""Text replies to a digest: "read 1 3", "skip 2", "less 4", "r1 s2 l4", "已读 1", "read 1-3".

Two kinds of skip: "skip"/"later"/"not now" (⏭, :attr:`Answer.SKIPPED`) says nothing about the
item, "less" (👎, :attr:`Answer.LESS`) asks for fewer like it. The verbs are words a reader
would hardly start a chat message with, and they count only when a position follows.

A reply is one or more clauses, each a verb followed by positions (1-based, as numbered in the
digest): single numbers or ranges, separated by spaces, commas, "、", ";" or "and"/"和". The
verb may touch its first number ("r1", "跳过2"). Text that does not start with a verb followed
by a position is not an answer at all (``[]``), so ordinary chat like "read this later" passes
through; answer-like text that is wrong raises :class:`ReplyError` with a message for the user.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.i18n import N_, LocalizedError
from bot.library.items import Answer

__all__ = ["ReplyError", "parse_answers"]

_VERBS = {
    "read": Answer.READ,
    "r": Answer.READ,
    "已读": Answer.READ,
    "读了": Answer.READ,
    "读过": Answer.READ,
    "skip": Answer.SKIPPED,
    "skipped": Answer.SKIPPED,
    "s": Answer.SKIPPED,
    "later": Answer.SKIPPED,
    "not now": Answer.SKIPPED,
    "跳过": Answer.SKIPPED,
    "略过": Answer.SKIPPED,
    "稍后": Answer.SKIPPED,
    "less": Answer.LESS,
    "l": Answer.LESS,
    "少推": Answer.LESS,
    "不感兴趣": Answer.LESS,
    "不喜欢": Answer.LESS,
}
# Longest first, so "read" is not taken for "r" + "ead"; a Latin verb must end at a non-letter
# ("ready 1" is not "r" + "eady"). A verb of two words takes any space between them.
_VERB = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(_VERBS, key=len, reverse=True))
_TOKEN = re.compile(
    rf"""
    (?P<sep>[\s,;、&]+|(?:and|和)(?![a-z]))
    | (?P<verb>(?:{_VERB})(?![a-z]))
    | (?P<range>[0-9]+)\s*[-–—~到]\s*(?P<end>[0-9]+)
    | (?P<number>[0-9]+)
    """,
    re.VERBOSE,
)
_TRAILING = ".!。！"
# Longer numbers are never positions; keeping them out of int() also bounds the work.
_MAX_DIGITS = 6


_WHICH = {
    Answer.READ: N_("Which items should be marked read? Reply like “read 1 3”."),
    Answer.SKIPPED: N_("Which items should be skipped? Reply like “skip 2”."),
    Answer.LESS: N_("Which items would you like less of? Reply like “less 4”."),
}


class ReplyError(LocalizedError, ValueError):
    """Answer-like text that cannot be applied; the message is short and user-facing."""


@dataclass(slots=True)
class _Clause:
    answer: Answer
    positions: list[range]


def parse_answers(text: str, size: int) -> list[tuple[int, Answer]]:
    """Positions and answers in ``text``, for a digest of ``size`` items, sorted by position.

    Later answers for the same position win.

    >>> parse_answers("read 1 3, skip 2", 5)
    [(1, <Answer.READ: 'read'>), (2, <Answer.SKIPPED: 'skipped'>), (3, <Answer.READ: 'read'>)]
    >>> parse_answers("r1-2 s2", 5)
    [(1, <Answer.READ: 'read'>), (2, <Answer.SKIPPED: 'skipped'>)]
    >>> parse_answers("less 4", 5)
    [(4, <Answer.LESS: 'less'>)]
    >>> parse_answers("已读 1", 3)
    [(1, <Answer.READ: 'read'>)]
    >>> parse_answers("read this later", 5)
    []
    >>> parse_answers("read 9", 5)
    Traceback (most recent call last):
    ...
    bot.digests.answers.ReplyError: There is no item 9 in that digest (1–5).
    """
    clauses = _clauses(_normalize(text))
    chosen: dict[int, Answer] = {}
    for clause in clauses:
        for span in clause.positions:
            # Both ends first, so "read 1-999999" fails on 999999 without walking the range.
            _check_position(span[0], size)
            _check_position(span[-1], size)
            chosen.update(dict.fromkeys(span, clause.answer))
    return sorted(chosen.items())


def _normalize(text: str) -> str:
    """Full-width forms folded, lowercase, outer space and closing punctuation dropped.

    >>> _normalize("  ＲＥＡＤ　１，３。 ")
    'read 1,3'
    """
    return unicodedata.normalize("NFKC", text).casefold().strip().rstrip(_TRAILING).strip()


def _clauses(text: str) -> list[_Clause]:
    """The verb clauses of ``text``; [] when it is not an answer at all."""
    clauses: list[_Clause] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or (not clauses and match.lastgroup != "verb"):
            return _not_understood(text[pos:], clauses)
        pos = match.end()
        if match["verb"]:
            _check_has_positions(clauses)
            clauses.append(_Clause(_VERBS[" ".join(match["verb"].split())], []))
        elif match["range"]:
            clauses[-1].positions.append(_expand(match["range"], match["end"]))
        elif match["number"]:
            number = _number(match["number"])
            clauses[-1].positions.append(range(number, number + 1))
    if not clauses:
        return []
    _check_has_positions(clauses)
    return clauses


def _not_understood(rest: str, clauses: list[_Clause]) -> list[_Clause]:
    # Until a verb has met a number this may just be a sentence starting with "read".
    if not any(clause.positions for clause in clauses):
        return []
    shown = rest if len(rest) <= 20 else rest[:20] + "…"
    raise ReplyError(
        N_("I didn't understand “{text}”. Reply like “read 1 3”, “skip 2” or “less 4”."),
        text=shown,
    )


def _check_has_positions(clauses: list[_Clause]) -> None:
    if clauses and not clauses[-1].positions:
        raise ReplyError(_WHICH[clauses[-1].answer])


def _number(digits: str) -> int:
    # Too long to be a position: reported as out of range, without building a huge int.
    if len(digits) > _MAX_DIGITS:
        raise ReplyError(
            N_("There is no item {position}… in that digest."), position=digits[:_MAX_DIGITS]
        )
    return int(digits)


def _expand(first: str, last: str) -> range:
    start, end = _number(first), _number(last)
    if start > end:
        raise ReplyError(
            N_("The range {start}–{end} runs backwards; try “{end}-{start}”."), start=start, end=end
        )
    return range(start, end + 1)


def _check_position(position: int, size: int) -> None:
    if 1 <= position <= size:
        return
    if size < 1:
        raise ReplyError(N_("That digest has no items to answer."))
    if size == 1:
        raise ReplyError(N_("There is no item {position} in that digest (1)."), position=position)
    raise ReplyError(
        N_("There is no item {position} in that digest (1–{size})."), position=position, size=size
    )
