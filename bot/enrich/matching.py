"""When a paper arXiv found by title is the owner's paper, and which titles are asked at all.

Pure: a title is asked only when it is English (a Chinese title is never sent), and a result
is taken only when its normalised title is nearly the owner's, its numbers are the same
(GPT-2 is not GPT-3) and, when the owner gave a year, its year is within one of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.library.dedupe import normalized_title

__all__ = ["TITLE_MATCH", "Paper", "best_match", "has_cjk", "lookup_title", "title_likeness"]

# Normalised titles at least this alike (difflib's ratio) are one paper: a typo, a plural, a
# dropped article. "Attention Is Not All You Need" against "Attention Is All You Need" is 0.93.
TITLE_MATCH = 0.95
# Shorter titles ("BERT", "Word2Vec") find too many papers to tell which is meant.
MIN_TITLE_WORDS = 3
MIN_TITLE_LETTERS = 12
ASKED_CHARS = 500  # an asked title is stored with the enrichment, cut to fit its column

# Han (with extensions and compatibility forms), kana, hangul and bopomofo letters. CJK
# punctuation alone (《》around an English title) is no Chinese text: normalising drops it.
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\U00020000-\U0003134f]"
)
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Paper:
    """What arXiv says of one paper, as plain text."""

    arxiv_id: str  # without its version: 1706.03762, hep-th/9901001
    title: str
    abstract: str = ""
    authors: str = ""  # "A. Author, B. Author, …"
    year: int | None = None  # of its first version


def has_cjk(text: str) -> bool:
    """Whether `text` holds any Chinese, Japanese or Korean character.

    >>> has_cjk("注意力机制 Attention"), has_cjk("《Attention Is All You Need》")
    (True, False)
    >>> has_cjk("ＧＰＴ－４ Technical Report"), has_cjk("사전 훈련")
    (False, True)
    """
    return _CJK.search(text) is not None


def lookup_title(title: str) -> str | None:
    """The normalised title to ask arXiv for, or None: a title with any CJK character is never
    sent, nor one too short or too little Latin to find one paper by.

    >>> lookup_title("Attention Is All You Need!")
    'attention is all you need'
    >>> [lookup_title(t) for t in ("深度学习综述", "BERT", "GPT-4 技术报告", "")]
    [None, None, None, None]
    """
    if has_cjk(title):
        return None
    normal = normalized_title(title)
    letters = sum(char.isascii() and char.isalpha() for char in normal)
    if len(normal.split()) < MIN_TITLE_WORDS or letters < MIN_TITLE_LETTERS:
        return None
    return normal[:ASKED_CHARS]


def title_likeness(mine: str, theirs: str) -> float:
    """How alike two titles are once normalised (0 to 1); 0 when their numbers differ.

    >>> title_likeness("Attention Is All You Need", "Attention is all you need.")
    1.0
    >>> title_likeness("Language Models are Few-Shot Learners (GPT-3)", "... (GPT-2)")
    0.0
    """
    a, b = normalized_title(mine), normalized_title(theirs)
    if not a or not b or _NUMBER.findall(a) != _NUMBER.findall(b):
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def best_match(title: str, year: int | None, found: Sequence[Paper]) -> Paper | None:
    """The found paper that is the owner's `title` (and `year`, when known), or None.

    >>> found = [Paper("1706.03762", "Attention Is All You Need", year=2017)]
    >>> best_match("Attention is all you need", 2018, found).arxiv_id
    '1706.03762'
    >>> best_match("Attention is all you need", 2019, found) is None  # two years off
    True
    >>> best_match("Attention Is Not All You Need", None, found) is None  # a near miss
    True
    """
    scored = [
        (likeness, paper)
        for paper in found
        if (likeness := title_likeness(title, paper.title)) >= TITLE_MATCH
        and (year is None or paper.year is None or abs(year - paper.year) <= 1)
    ]
    if not scored:
        return None
    return max(scored, key=lambda pair: pair[0])[1]
