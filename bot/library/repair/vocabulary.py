"""The owner's own vocabulary: clean text from the library and from the other files of an
import, as evidence for the names and terms the owner uses (何恺明, 隐马尔可夫).

Two uses. A damaged line whose clean form is already known (the same line, intact, elsewhere)
comes back as exactly that line. Otherwise the clean text is a cache model: character n-gram
counts mixed into the base model's probabilities, more strongly the more often the owner's
text has seen the context.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.library.repair.damage import DROPPED, is_cjk, needs_repair

if TYPE_CHECKING:
    from bot.library.repair.cache import Cache
    from bot.library.repair.charmap import CharMap

__all__ = ["Vocabulary", "corrupt"]

_DROPPED = frozenset(DROPPED)


def corrupt(text: str) -> str:
    """What the corruption makes of clean text: UTF-8 read as cp1254, dropped bytes lost.

    >>> corrupt("与")  # E4 B8 8E: the last byte is one cp1254 lacks
    'ä¸'
    >>> corrupt("naïve")
    'naÃ¯ve'
    """
    kept = bytes(b for b in text.encode("utf-8") if b not in _DROPPED)
    return kept.decode("cp1254")


class Vocabulary:
    """Clean lines of the owner's text (lines holding Chinese; mojibake is left out)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = tuple(dict.fromkeys(ln for ln in lines if any(is_cjk(c) for c in ln)))
        self._known = {corrupt(ln): ln for ln in self.lines}
        self._cache: Cache | None = None

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Vocabulary:
        """The clean lines of these texts: lines the repair would leave as they are."""
        return cls(
            ln.strip()
            for text in texts
            for ln in text.split("\n")
            if ln.strip() and not needs_repair(ln)
        )

    def __len__(self) -> int:
        return len(self.lines)

    def known_line(self, broken: str) -> str | None:
        """The clean line this damaged line is, if the owner's text holds it intact."""
        stripped = broken.strip(" \t")  # not str.strip(): U+00A0 is a continuation byte here
        clean = self._known.get(stripped)
        if clean is None:
            return None
        return broken.replace(stripped, clean, 1)

    def cache(self, charmap: CharMap, order: int) -> Cache:
        """The counts as the model reads them, made on first use (and kept with this object)."""
        from bot.library.repair.cache import Cache  # NumPy loads only when a line needs guessing

        if self._cache is None or self._cache.order != order:
            self._cache = Cache(self.lines, charmap, order)
        return self._cache
