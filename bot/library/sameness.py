"""When two sightings that share a key are one work, and when they are only related.

An arXiv id, a DOI or a quote's text names one work, so sharing one is identity. A page is
one page whatever two notes call it, so articles sharing a URL merge; but a paper's link may
be a page several papers share (a paper list, a talk covering three papers), so a shared URL
merges a paper only with a sighting whose title agrees. A normalised title merges unless both
years are known and further apart than a year (a paper and its namesake sequel).
A shared video or section is a relation, never an identity: no key is made from them.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import NamedTuple

from bot.library.dedupe import normalized_title

__all__ = ["Sighting", "same_work", "titles_agree"]

# Normalised titles at least this alike (difflib's ratio) name one work when a URL is shared:
# a repaired title a character off, a subtitle's punctuation.
TITLE_AGREEMENT = 0.85
_NUMBER = re.compile(r"\d+")


class Sighting(NamedTuple):
    """What a merge decision reads of an item or of a note about to join it."""

    title: str
    year: int | None = None
    paper: bool = False


def titles_agree(a: str, b: str) -> bool:
    """Do two titles name one work? A missing title agrees with any; titles whose numbers
    differ never agree (GPT-2 and GPT-3, YOLOv3 and YOLOv4).

    >>> titles_agree("GPT-2", "GPT-3"), titles_agree("GPT", "GPT-2")
    (False, False)
    >>> titles_agree("Attention Is All You Need", "Attention is all you need.")
    True
    >>> titles_agree("", "Anything"), titles_agree("AI 论文精读", "如何读论文")
    (True, False)
    """
    na, nb = normalized_title(a), normalized_title(b)
    if not na or not nb or na == nb:
        return True
    if _NUMBER.findall(na) != _NUMBER.findall(nb):
        return False
    return SequenceMatcher(None, na, nb, autojunk=False).ratio() >= TITLE_AGREEMENT


def _years_agree(a: int | None, b: int | None) -> bool:
    return a is None or b is None or abs(a - b) <= 1


def same_work(key: str, kept: Sighting, new: Sighting) -> bool:
    """May `new` merge into the item `kept`, found under `key`?

    >>> same_work("arxiv:1706.03762", Sighting("Transformer"), Sighting("Attention"))
    True
    >>> same_work("url:https://a.org/list", Sighting("GPT", 2018, True), Sighting("GPT-2", 2019))
    False
    >>> same_work("url:https://a.org/post", Sighting("2022 进展"), Sighting("2022: A Year"))
    True
    >>> same_work("title:gan", Sighting("GAN", 2014), Sighting("GAN", 2024))
    False
    >>> same_work("video:https://bilibili.com/video/BV1", Sighting("A"), Sighting("A"))
    False
    """
    kind = key.partition(":")[0]
    if kind in ("arxiv", "doi", "text"):
        return True
    if kind == "title":
        return _years_agree(kept.year, new.year)
    if kind == "url":
        titled = titles_agree(kept.title, new.title) or not (kept.paper or new.paper)
        return titled and _years_agree(kept.year, new.year)
    return False
