"""The owner's text as a cache model: character n-gram counts mixed into the base model."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bot.library.repair.charmap import CharMap, char_class
from bot.library.repair.ngram import BOS, OOV, ngram_keys

__all__ = ["CACHE_HALF", "CACHE_MAX", "Cache"]

CACHE_MAX = 0.95  # weight of the owner's text where its evidence is overwhelming
CACHE_HALF = 1.0  # times a context must have been seen to weigh half of CACHE_MAX


class Cache:
    """Counts of the owner's character n-grams (orders 2..order) and of their contexts."""

    def __init__(self, lines: tuple[str, ...], charmap: CharMap, order: int) -> None:
        self.order = order
        pad = np.full(order, BOS, dtype=np.int64)
        seq = np.concatenate(
            [pad, *(np.concatenate([charmap.ids(char_class(ln)), pad]) for ln in lines)]
        )
        self.grams: list[tuple[NDArray[np.uint64], NDArray[np.int64]]] = []
        self.contexts: list[tuple[NDArray[np.uint64], NDArray[np.int64]]] = []
        for k in range(2, order + 1):
            windows = np.lib.stride_tricks.sliding_window_view(seq, k)
            windows = windows[windows[:, -1] != BOS]
            self.grams.append(np.unique(ngram_keys(windows), return_counts=True))
            self.contexts.append(np.unique(ngram_keys(windows[:, :-1]), return_counts=True))

    def mix(
        self, hist: NDArray[np.int64], nxt: NDArray[np.int64], base: NDArray[np.float32]
    ) -> NDArray[np.float32]:
        """The base model's log-probabilities mixed with the owner's counts."""
        seen = np.zeros(nxt.shape[0])
        ctx = np.zeros(nxt.shape[0])
        found = np.zeros(nxt.shape[0], dtype=bool)
        for k in range(self.order, 1, -1):  # the longest context the owner's text has seen
            h = hist[:, hist.shape[1] - (k - 1) :]
            n_ctx = _count(self.contexts[k - 2], ngram_keys(h))
            use = ~found & (n_ctx > 0)
            if use.any():
                n_gram = _count(self.grams[k - 2], ngram_keys(np.concatenate([h, nxt[:, None]], 1)))
                seen[use], ctx[use] = n_gram[use], n_ctx[use]
                found |= use
        if not found.any():
            return base
        seen[nxt == OOV] = 0  # one id stands for every unknown character: no evidence
        weight = CACHE_MAX * ctx / (ctx + CACHE_HALF)
        cached = np.divide(seen, ctx, out=np.zeros_like(seen), where=ctx > 0)
        mixed = (1 - weight) * np.exp(base.astype(np.float64)) + weight * cached
        return np.where(found, np.log(mixed), base).astype(np.float32)


def _count(
    table: tuple[NDArray[np.uint64], NDArray[np.int64]], keys: NDArray[np.uint64]
) -> NDArray[np.int64]:
    uniq, counts = table
    if uniq.shape[0] == 0:
        return np.zeros(keys.shape[0], dtype=np.int64)
    pos = np.searchsorted(uniq, keys)
    pos[pos == uniq.shape[0]] = 0
    return np.where(uniq[pos] == keys, counts[pos], 0)
