"""Characters to model ids: one id per character the model knows, classes for Latin and digits."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bot.library.repair.ngram import BOS, OOV

__all__ = ["CharMap", "char_class"]

# Which Latin letter or digit stands beside a Chinese character says little about it, and the
# corpora hold few of them: one class each keeps their counts together.
_CLASS = {
    **{cp: ord("A") for cp in range(ord("A"), ord("Z") + 1)},
    **{cp: ord("A") for cp in range(ord("a"), ord("z") + 1)},
    **{cp: ord("0") for cp in range(ord("0"), ord("9") + 1)},
}


def char_class(text: str) -> str:
    """The text as the model sees it.

    >>> char_class("GPT-4模型")
    'AAA-0模型'
    """
    return text.translate(_CLASS)


class CharMap:
    """The model's alphabet: character -> id (ids from 3; 0 is unknown)."""

    def __init__(self, alphabet: str) -> None:
        self.alphabet = alphabet
        self._ids = {c: i + 3 for i, c in enumerate(alphabet)}
        self._ids.update({chr(a): self._ids.get(chr(b), OOV) for a, b in _CLASS.items()})

    def __len__(self) -> int:
        return len(self.alphabet) + 3

    def id(self, ch: str) -> int:
        return self._ids.get(ch, OOV)

    def ids(self, text: str) -> NDArray[np.int64]:
        get = self._ids.get
        return np.fromiter((get(c, OOV) for c in text), dtype=np.int64, count=len(text))

    def ids_of_all(self, text: str) -> NDArray[np.integer]:
        """``ids`` of a long text at once, in the smallest type that holds them: code points
        looked up in a table."""
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        size = int(points.max(initial=0)) + 1
        table = np.full(size, OOV, dtype=np.min_scalar_type(len(self) - 1))
        for ch, i in self._ids.items():
            if ord(ch) < table.shape[0]:
                table[ord(ch)] = i
        return table[points]

    def history(self, text: str, n: int) -> list[int]:
        """The ids of the last ``n`` characters, padded with BOS at a line's start."""
        ids = [self._ids.get(c, OOV) for c in text[-n:]] if n else []
        return [BOS] * (n - len(ids)) + ids
