"""A classifier for the characters that lose the same byte the same way: 不, 与 and 中.

Their UTF-8 forms differ only in the last byte (E4 B8 8D / 8E / AD), and all three last bytes
are dropped, so a damaged one reads the same whichever it was; and each fits its neighbours
locally ("A与B", "X中", "不X"), so the n-gram models often cannot tell them apart. What does
tell them apart is grammar a few characters out: 不 comes before verbs and adverbs (不擅长,
不常), 与 between two nouns or verbs (潜力与局限, 总结与反思), 中 after a noun, often closing an
earlier 在 or 从. A logistic regression over the characters and words around the position and
the part-of-speech tags of the neighbouring words (jieba's dictionary tags) learns that from
the corpora the rest of the model is built from.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

import marisa_trie
import numpy as np
from numpy.typing import NDArray

from bot.library.repair.charmap import char_class
from bot.library.repair.damage import is_cjk

__all__ = ["CLASSES", "ConfusionModel", "Tags", "examples", "features", "train"]

# The characters whose damaged forms coincide (E4 B8 + one dropped byte) and that the corpora
# hold often enough to learn from: 丝 (E4 B8 9D) shares the form too.
CLASSES = "不与中丝"

MAX_LOOKUP = 4  # longest neighbouring word looked up, in characters
BAG = 8  # characters each side whose presence is a feature (在…中, 从…中)


class Tags:
    """Part-of-speech tag of each word of the word trie (jieba's; "?" where it has none)."""

    def __init__(
        self, trie: marisa_trie.Trie, ids: NDArray[np.uint8], names: Sequence[str]
    ) -> None:
        self.trie = trie
        self._ids = ids
        self._names = list(names)

    def get(self, word: str) -> str:
        k = self.trie.get(word)
        return "?" if k is None else self._names[self._ids[k]]


def _word_before(text: Sequence[str], j: int, trie: marisa_trie.Trie) -> str:
    """The longest known word ending just before position ``j``."""
    if j <= 0:
        return "^"
    for k in range(min(MAX_LOOKUP, j), 1, -1):
        w = "".join(text[j - k : j])
        if w in trie:
            return w
    return text[j - 1]


def _word_after(text: Sequence[str], j: int, trie: marisa_trie.Trie) -> str:
    """The longest known word starting at position ``j``."""
    right = "".join(text[j : j + MAX_LOOKUP])
    if not right:
        return "$"
    return max(trie.prefixes(right), key=len, default=right[:1])


def features(text: Sequence[str], i: int, tags: Tags) -> list[str]:
    """The features of position ``i`` of ``text`` (characters; ``text[i]`` itself unused)."""
    n = len(text)

    def ch(k: int) -> str:
        if k < 0:
            return "^"
        if k >= n:
            return "$"
        return char_class(text[k])

    # Two words each side: 不 before a verb phrase, 与 between two of a kind, 中 after a noun.
    prev = _word_before(text, i, tags.trie)
    prev2 = _word_before(text, i - len(prev), tags.trie) if prev != "^" else "^"
    nxt = _word_after(text, i + 1, tags.trie)
    nxt2 = _word_after(text, i + 1 + len(nxt), tags.trie) if nxt != "$" else "$"
    pt, nt = tags.get(prev), tags.get(nxt)
    nt2 = tags.get(nxt2)
    out = [
        "z",
        "a" + ch(i - 1),
        "b" + ch(i - 2) + ch(i - 1),
        "c" + ch(i + 1),
        "d" + ch(i + 1) + ch(i + 2),
        "e" + ch(i - 1) + ch(i + 1),
        "f" + prev,
        "g" + nxt,
        "h" + pt,
        "i" + nt,
        "j" + pt + "|" + nt,
        "k" + ch(i - 1) + "|" + nt,
        "n" + nt2,
        "o" + nt + "|" + nt2,
        "p" + tags.get(prev2) + "|" + pt,
        "q" + pt + "|" + ch(i + 1),
    ]
    # A token of a line being repaired may be empty or longer than one character.
    out.extend("l" + c for c in set(text[max(0, i - BAG) : max(0, i - 2)]) if _han(c))
    out.extend("m" + c for c in set(text[i + 3 : i + BAG]) if _han(c))
    return out


def _han(token: str) -> bool:
    return len(token) == 1 and is_cjk(token)


class ConfusionModel:
    """Feature trie -> weight rows; one column per class character."""

    def __init__(
        self,
        classes: str,
        feats: marisa_trie.Trie,
        weights: NDArray[np.float32],
        tags: Tags,
    ) -> None:
        self.classes = classes
        self._col = {c: k for k, c in enumerate(classes)}
        self.feats = feats
        self.weights = weights
        self.tags = tags

    def applies(self, cands: Iterable[str]) -> bool:
        return sum(c in self._col for c in cands) >= 2

    def logprob(self, text: Sequence[str], i: int) -> dict[str, float]:
        """log P(class | context) for each class character at position ``i``."""
        get = self.feats.get
        ids = [k for f in features(text, i, self.tags) if (k := get(f)) is not None]
        z = self.weights[ids].sum(axis=0, dtype=np.float64)
        top = float(z.max())
        lse = top + math.log(float(np.exp(z - top).sum()))
        return {c: float(z[k]) - lse for c, k in self._col.items()}


def examples(lines: Iterable[str], classes: str, tags: Tags) -> Iterator[tuple[int, list[str]]]:
    """(class, features) of every occurrence of a class character in clean text."""
    col = {c: k for k, c in enumerate(classes)}
    for line in lines:
        for i, c in enumerate(line):
            k = col.get(c)
            if k is not None:
                yield k, features(line, i, tags)


def train(
    samples: list[tuple[int, list[str]]],
    n_classes: int,
    *,
    min_count: int = 2,
    l2: float = 1e-5,
    epochs: int = 10,
    rate: float = 0.2,
    seed: int = 0,
) -> tuple[list[str], NDArray[np.float32]]:
    """Multinomial logistic regression (AdaGrad, L2) over the samples' features."""
    names = _frequent(samples, min_count)
    row, col = _entries(samples, {f: k for k, f in enumerate(names)})
    y = np.array([k for k, _ in samples], dtype=np.int64)
    m = len(samples)
    w = np.zeros((len(names), n_classes))
    g2 = np.full_like(w, 1e-8)
    rng = np.random.default_rng(seed)
    # Samples grouped in batches by row; entries of a batch are contiguous in row order.
    starts = np.searchsorted(row, np.arange(m + 1))
    batch = 512
    for _ in range(epochs):
        order = rng.permutation((m + batch - 1) // batch)
        for b in order:
            lo, hi = b * batch, min(m, (b + 1) * batch)
            e0, e1 = starts[lo], starts[hi]
            _step(w, g2, row[e0:e1] - lo, col[e0:e1], y[lo:hi], l2=l2, rate=rate)
    return names, w.astype(np.float32)


def _frequent(samples: list[tuple[int, list[str]]], min_count: int) -> list[str]:
    """The features seen at least ``min_count`` times, sorted."""
    counts: dict[str, int] = {}
    for _, fs in samples:
        for f in fs:
            counts[f] = counts.get(f, 0) + 1
    return sorted(f for f, c in counts.items() if c >= min_count)


def _entries(
    samples: list[tuple[int, list[str]]], index: dict[str, int]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(sample, feature) of every known feature of every sample, in sample order."""
    rows, cols = [], []
    for r, (_, fs) in enumerate(samples):
        for f in fs:
            k = index.get(f)
            if k is not None:
                rows.append(r)
                cols.append(k)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


def _step(
    w: NDArray[np.float64],
    g2: NDArray[np.float64],
    r: NDArray[np.int64],
    c: NDArray[np.int64],
    y: NDArray[np.int64],
    *,
    l2: float,
    rate: float,
) -> None:
    """One AdaGrad step on a batch, in place: ``r`` and ``c`` are its entries' samples (from 0)
    and features, ``y`` its classes; the L2 penalty counts once per sample of the batch."""
    size = y.shape[0]
    z = np.zeros((size, w.shape[1]))
    np.add.at(z, r, w[c])
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(size), y] -= 1.0
    g = np.zeros_like(w)
    np.add.at(g, c, p[r])
    touched = np.unique(c)
    g[touched] += l2 * w[touched] * size
    g2[touched] += g[touched] ** 2
    w[touched] -= rate * g[touched] / np.sqrt(g2[touched])
