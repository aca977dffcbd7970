"""A Chinese word model: a word list in a trie with unigram log-probabilities, and a word
bigram model (Kneser-Ney, backing off to the unigram) from the People's Daily corpus.

A string is segmented by the unigram (best path through the words it contains), then scored
by the bigram along that segmentation.
"""

from __future__ import annotations

import math

import marisa_trie
import numpy as np
from numpy.typing import NDArray

from bot.library.repair.damage import is_cjk

__all__ = ["MAX_WORD", "WordModel"]

MAX_WORD = 8  # longest word in the list, in characters
_START = -1  # word id standing for "the line starts here"


class WordModel:
    """Word list (trie -> id), unigram log-probabilities, bigram pairs with their back-off."""

    def __init__(
        self,
        trie: marisa_trie.Trie,
        logp: NDArray[np.float32],
        pair_keys: NDArray[np.uint64],  # sorted: (id of first + 2) << 32 | (id of second + 2)
        pair_disc: NDArray[np.float32],  # discounted bigram probability, by pair
        log_gamma: NDArray[np.float32],  # back-off weight of each first word (index id + 1)
        *,
        unknown_cjk: float,  # a Chinese character no word covers
        other: float,  # any other character: the same for every candidate
    ) -> None:
        self.trie = trie
        self._logp: list[float] = logp.tolist()  # Python floats: read one at a time
        self._gamma: list[float] = log_gamma.tolist()
        self.pair_keys = pair_keys
        self.pair_disc = pair_disc
        self.unknown_cjk = unknown_cjk
        self.other = other
        self._memo: dict[tuple[str, bool], float] = {}

    def segment(self, text: str) -> list[tuple[str, int]]:
        """Best segmentation under the unigram: (word, id), id -2 for a char no word covers."""
        n = len(text)
        best = [0.0] + [-math.inf] * n
        back: list[tuple[int, int]] = [(1, -2)] * (n + 1)
        logp, prefixes = self._logp, self.trie.iter_prefixes_with_ids
        for i in range(n):
            here = best[i]
            single = False
            for w, wid in prefixes(text[i : i + MAX_WORD]):
                j = i + len(w)
                v = here + logp[wid]
                if v > best[j]:
                    best[j], back[j] = v, (len(w), wid)
                single = single or j == i + 1
            if not single:
                v = here + (self.unknown_cjk if is_cjk(text[i]) else self.other)
                if v > best[i + 1]:
                    best[i + 1], back[i + 1] = v, (1, -2)
        words: list[tuple[str, int]] = []
        j = n
        while j > 0:
            length, wid = back[j]
            words.append((text[j - length : j], wid))
            j -= length
        words.reverse()
        return words

    def scores(self, texts: list[str], *, at_start: bool = False) -> list[float]:
        """log P(text) under the bigram, along the unigram's segmentation, for each text."""
        memo = [self._memo.get((t, at_start)) for t in texts]
        todo = [k for k, v in enumerate(memo) if v is None]
        out = [0.0 if v is None else v for v in memo]  # the todo's are filled in below
        if not todo:
            return out
        if len(self._memo) > 50_000:  # bounded: the bot lives long
            self._memo.clear()
        segs = [self.segment(texts[k]) for k in todo]
        keys: list[int] = []
        for seg in segs:
            prev = _START if at_start else -2
            for _, wid in seg:
                if wid >= 0 and prev != -2:
                    keys.append(((prev + 2) << 32) | (wid + 2))
                prev = wid
        disc = self._pairs(np.array(keys, dtype=np.uint64)) if keys else []
        at = 0
        for k, seg in zip(todo, segs, strict=True):
            total, prev = 0.0, _START if at_start else -2
            for w, wid in seg:
                if wid < 0:
                    total += self.unknown_cjk if is_cjk(w[0]) else self.other
                elif prev == -2:
                    total += self._logp[wid]
                else:
                    total += math.log(disc[at] + math.exp(self._gamma[prev + 1] + self._logp[wid]))
                    at += 1
                prev = wid
            out[k] = total
            self._memo[(texts[k], at_start)] = total
        return out

    def _pairs(self, keys: NDArray[np.uint64]) -> list[float]:
        pos = np.searchsorted(self.pair_keys, keys)
        pos[pos == self.pair_keys.shape[0]] = 0
        return np.where(self.pair_keys[pos] == keys, self.pair_disc[pos], 0.0).tolist()
