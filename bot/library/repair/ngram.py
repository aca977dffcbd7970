"""A character n-gram language model (interpolated Kneser-Ney) held in NumPy arrays.

Each order is a sorted array of 64-bit n-gram hashes with a log-probability and a back-off
weight beside it, stored the way ARPA files store a model: the probability of a character is
read from the longest n-gram seen, plus the back-off weights of the shorter contexts. Queries
come in batches, so a whole beam is scored with a few ``searchsorted`` calls.

It is built from weighted lines of ids in two steps, ``count_grams`` then ``kneser_ney``, which
count an order a key range at a time and free each array once spent: the build's ten million
positions fit the memory of a small server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BOS",
    "EOS",
    "OOV",
    "Grams",
    "NgramModel",
    "build_ngram",
    "count_grams",
    "kneser_ney",
    "ngram_keys",
    "padded_stream",
]

OOV, BOS, EOS = 0, 1, 2  # reserved ids; characters start at 3
_MUL = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the rolling hash (golden ratio)
_NEVER = -99.0  # log-probability of a gram that is only a context (line-start padding)

U64 = NDArray[np.uint64]
F32 = NDArray[np.float32]


def ngram_keys(ids: NDArray[np.int64]) -> U64:
    """Hash each row of ``ids`` (shape (m, k), oldest character first) to one uint64.

    Newest character first, so a gram's key extends its suffix's key by one step.
    """
    h = np.zeros(ids.shape[0], dtype=np.uint64)
    for col in range(ids.shape[1] - 1, -1, -1):
        h = _extend(h, ids[:, col])
    return h


def _extend(h: U64, ids: NDArray[np.int64]) -> U64:
    return h * _MUL + (ids.astype(np.uint64) + np.uint64(1))


@dataclass(frozen=True, slots=True)
class NgramModel:
    """Per order k (index k-1): sorted keys, log P of the last char, log back-off weight."""

    keys: tuple[U64, ...]
    logp: tuple[F32, ...]
    bow: tuple[F32, ...]
    oov_logp: float  # a character the model never saw

    @property
    def order(self) -> int:
        return len(self.keys)

    def logprob(self, hist: NDArray[np.int64], nxt: NDArray[np.int64]) -> F32:
        """log P(nxt[i] | hist[i]) for a batch; ``hist`` has shape (m, order-1)."""
        if nxt.shape[0] > 64:
            # Joint choices repeat most grams (a character's gram only sees its own history):
            # each distinct one is looked up once.
            full = ngram_keys(np.concatenate([hist, nxt[:, None]], axis=1))
            _, first, inverse = np.unique(full, return_index=True, return_inverse=True)
            if first.shape[0] < nxt.shape[0] // 2:
                return self._logprob(hist[first], nxt[first])[inverse.reshape(-1)]
        return self._logprob(hist, nxt)

    def _logprob(self, hist: NDArray[np.int64], nxt: NDArray[np.int64]) -> F32:
        n = self.order
        zero = np.zeros(nxt.shape[0], dtype=np.uint64)
        grams = [_extend(zero, nxt)]  # grams[k-1]: key of the last k characters
        contexts = [zero]  # contexts[j]: key of the last j characters of the history
        for j in range(1, n):
            grams.append(_extend(grams[-1], hist[:, n - 1 - j]))
            contexts.append(_extend(contexts[-1], hist[:, n - 1 - j]))
        out = np.zeros(nxt.shape[0], dtype=np.float32)
        todo = np.arange(nxt.shape[0])
        for k in range(n, 0, -1):
            p = self._find(k, grams[k - 1][todo])
            hit = p >= 0
            out[todo[hit]] += self.logp[k - 1][p[hit]]
            todo = todo[~hit]
            if not todo.shape[0]:
                return out
            if k > 1:
                # Unseen at this order: pay the context's back-off weight and go shorter.
                ctx = self._find(k - 1, contexts[k - 1][todo])
                seen = ctx >= 0
                out[todo[seen]] += self.bow[k - 2][ctx[seen]]
        out[todo] += self.oov_logp
        return out

    def _find(self, k: int, keys: U64) -> NDArray[np.int64]:
        table = self.keys[k - 1]
        if keys.shape[0] > 16:
            # Sorted queries walk the table in order: far fewer cache misses on a big table.
            order = np.argsort(keys)
            pos = np.empty(keys.shape[0], dtype=np.int64)
            pos[order] = np.searchsorted(table, keys[order])
        else:
            pos = np.searchsorted(table, keys)
        pos[pos == table.shape[0]] = 0
        return np.where(table[pos] == keys, pos, -1)


def _discount(counts: NDArray[np.float64]) -> float:
    """Kneser-Ney's absolute discount from the counts of counts, n1 / (n1 + 2 n2)."""
    n1 = float(np.count_nonzero(counts == 1))
    n2 = float(np.count_nonzero(counts == 2))
    return min(0.95, max(0.1, n1 / (n1 + 2 * n2))) if n1 + n2 else 0.5


def padded_stream(
    ids: NDArray[np.integer], lengths: NDArray[np.int64], weights: NDArray[np.int64], order: int
) -> tuple[NDArray[np.integer], NDArray[np.int32], NDArray[np.integer]]:
    """One id stream of lines given end to end (``ids``, cut by ``lengths``): each line led by
    order-1 BOS and closed by EOS. With it, the positions grams end at (none on padding, nor
    in a line of weight 0) and the weight of each. Each in the smallest type that holds it:
    the build reads them throughout."""
    eos = np.cumsum(lengths + order) - 1
    pad = np.zeros(int(lengths.sum()) + order * lengths.shape[0], dtype=bool)
    for j in range(1, order):
        pad[eos - lengths - j] = True
    seq = np.full(pad.shape[0], EOS, dtype=np.min_scalar_type(max(EOS, int(ids.max(initial=0)))))
    seq[pad] = BOS
    ends = np.flatnonzero(~pad).astype(np.int32)  # the characters and EOS of each line
    del pad
    seq[np.delete(ends, np.cumsum(lengths + 1) - 1)] = ids
    weight = np.repeat(weights.astype(np.min_scalar_type(int(weights.max(initial=0)))), lengths + 1)
    kept = weight > 0
    return seq, ends[kept], weight[kept]


@dataclass(frozen=True, slots=True)
class Grams:
    """The grams of the training stream, per order k (index k-1): sorted unique keys, an end
    position of each in ``seq`` (its first), and their weighted counts."""

    seq: NDArray[np.integer]
    uniq: list[U64]
    rep: list[NDArray[np.int32]]
    raw: list[NDArray[np.int64]]

    def key_at(self, k: int, ends: NDArray[np.int32]) -> U64:
        """The keys of the k-grams that end at ``ends``: ``ngram_keys`` folded column by
        column, in place, a slice at a time (the training stream has millions of grams)."""
        h = np.zeros(ends.shape[0], dtype=np.uint64)
        for lo in range(0, ends.shape[0], _SLICE):
            at, out = ends[lo : lo + _SLICE], h[lo : lo + _SLICE]
            for back in range(k):
                np.multiply(out, _MUL, out=out)
                np.add(out, self.seq[at - back].astype(np.uint64), out=out)
                np.add(out, np.uint64(1), out=out)
        return h

    def find(self, k: int, ends: NDArray[np.int32]) -> NDArray[np.int64]:
        """Where the k-grams that end at ``ends`` are in ``uniq``, a slice at a time."""
        at = np.empty(ends.shape[0], dtype=np.int64)
        for lo in range(0, ends.shape[0], _SLICE):
            at[lo : lo + _SLICE] = np.searchsorted(
                self.uniq[k - 1], self.key_at(k, ends[lo : lo + _SLICE])
            )
        return at

    def count(self, k: int, ends: NDArray[np.int32], weight: NDArray[np.integer]) -> None:
        """Add order ``k``: its grams ending at ``ends``, sorted and counted a range of keys
        at a time (a whole order at once took a gigabyte)."""
        keys = self.key_at(k, ends)
        sample = np.sort(keys[:: max(1, keys.shape[0] // 4096)])
        part = np.zeros(keys.shape[0], dtype=np.uint8)  # the range of each gram's key
        cuts = sample[(np.arange(1, _PARTS) * sample.shape[0]) // _PARTS] if sample.size else sample
        for cut in cuts:
            part += keys >= cut
        del keys
        uniq: list[U64] = []
        rep: list[NDArray[np.int32]] = []
        raw: list[NDArray[np.int64]] = []
        for j in range(_PARTS):
            inside = part == j
            at = ends[inside]
            u, r, c = _runs(self.key_at(k, at), at, weight[inside])
            uniq.append(u)
            rep.append(r)
            raw.append(c)
        del part, inside, at
        # One field at a time, each part freed once joined.
        for whole, pieces in ((self.uniq, uniq), (self.rep, rep), (self.raw, raw)):
            whole.append(np.concatenate(pieces))
            pieces.clear()


_PARTS = 16  # key ranges an order is counted in
_SLICE = 1 << 20  # grams whose keys are computed at once


def _runs(
    keys: U64, ends: NDArray[np.int32], weight: NDArray[np.integer]
) -> tuple[U64, NDArray[np.int32], NDArray[np.int64]]:
    """The distinct keys, sorted; the first end of each; their summed weights."""
    if not keys.shape[0]:
        return keys, ends, np.zeros(0, dtype=np.int64)
    # A stable sort: each key's first position comes first in its run.
    by_key = np.argsort(keys, kind="stable")
    keys = keys[by_key]
    run = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    # Whole weights: their sums are exact in any order.
    counts = np.add.reduceat(weight[by_key], run, dtype=np.int64)
    return keys[run], ends[by_key[run]], counts


def count_grams(
    ids: NDArray[np.integer], lengths: NDArray[np.int64], weights: NDArray[np.int64], order: int
) -> Grams:
    """The grams of lines given end to end (``ids`` cut by ``lengths``), each line weighted
    by ``weights`` (whole numbers); ``kneser_ney`` makes the model of them."""
    seq, ends, weight = padded_stream(ids, lengths, weights, order)
    grams = Grams(seq, [], [], [])
    for k in range(1, order + 1):
        grams.count(k, ends, weight)
    return grams


def build_ngram(
    lines: Iterable[tuple[NDArray[np.int64], int]], *, order: int, vocab_size: int
) -> NgramModel:
    """Interpolated Kneser-Ney over weighted lines of character ids (ids < ``vocab_size``)."""
    parts = list(lines)
    ids = np.concatenate([np.zeros(0, dtype=np.int64), *(p for p, _ in parts)])
    lengths = np.array([p.shape[0] for p, _ in parts], dtype=np.int64)
    weights = np.array([w for _, w in parts], dtype=np.int64)
    return kneser_ney(count_grams(ids, lengths, weights, order), vocab_size=vocab_size)


def kneser_ney(grams: Grams, *, vocab_size: int) -> NgramModel:
    """The interpolated Kneser-Ney model of ``grams`` (ids < ``vocab_size``). It empties
    ``grams`` as it goes: a caller that built them holds nothing twice."""
    out = _Tables([], [], [], [])
    order = len(grams.uniq)
    for k in range(1, order + 1):
        _smooth(grams, k, order, vocab_size, out)
    grams.uniq.clear()
    out.p = None
    out.bow.append(np.zeros(out.keys[-1].shape[0], dtype=np.float32))
    for j, (extra_keys, extra_bow) in enumerate(out.missing):
        at = np.searchsorted(out.keys[j], extra_keys)
        out.keys[j] = np.insert(out.keys[j], at, extra_keys)
        out.logp[j] = np.insert(out.logp[j], at, np.float32(_NEVER))
        out.bow[j] = np.insert(out.bow[j], at, extra_bow)
    return NgramModel(tuple(out.keys), tuple(out.logp), tuple(out.bow), out.oov_logp)


_NONE = np.zeros(0)  # what a spent array is replaced with, to free it


@dataclass(slots=True)
class _Tables:
    """The model's arrays as the orders are smoothed; the contexts that are no gram of the
    order below (per order below), to be added there; the last order's probabilities."""

    keys: list[U64]
    logp: list[F32]
    bow: list[F32]
    missing: list[tuple[U64, F32]]
    oov_logp: float = 0.0
    p: NDArray[np.float64] | None = None


def _smooth(grams: Grams, k: int, order: int, vocab_size: int, out: _Tables) -> None:
    """Order ``k``: its keys and log-probabilities, and the back-off weights of the order
    below, to ``out``. Each array is freed once spent: these are the build's largest."""
    ctx_u, ctx_idx = _contexts(grams, k)
    counts = _kn_counts(grams, k, order)
    grams.raw[k - 1] = _NONE.astype(np.int64)
    lower = _NONE
    if out.p is not None:  # each gram's suffix, one order down: what it backs off to
        lower = out.p[grams.find(k - 1, grams.rep[k - 1])]
    out.p = None
    grams.rep[k - 1] = _NONE.astype(np.int32)
    d = _discount(counts)
    total = np.bincount(ctx_idx, weights=counts)
    types = np.bincount(ctx_idx, weights=(counts > 0).astype(np.float64))
    gamma = d * types / total
    del types
    # p = max(count - d, 0) / total(context) + gamma(context) * p(suffix), in place.
    p = counts
    np.subtract(p, d, out=p)
    np.maximum(p, 0.0, out=p)
    np.divide(p, total[ctx_idx], out=p)
    del total
    if k == 1:
        p += gamma[0] / vocab_size
        out.oov_logp = float(np.log(gamma[0] / vocab_size))
    else:
        mass = gamma[ctx_idx]
        del ctx_idx
        mass *= lower
        del lower
        p += mass
        del mass
        bow, extra = _backoff(grams.uniq[k - 2], ctx_u, gamma)
        out.bow.append(bow)
        out.missing.append(extra)
    out.keys.append(grams.uniq[k - 1])
    out.logp.append(np.log(p).astype(np.float32))
    out.p = p


def _kn_counts(grams: Grams, k: int, order: int) -> NDArray[np.float64]:
    """The counts Kneser-Ney smooths the k-grams with: lower orders count the distinct
    characters seen before a gram (continuation), except grams that start a line: nothing
    precedes them but padding."""
    raw = grams.raw[k - 1]
    if k == order:
        return raw.astype(np.float64)
    # The suffix of each unique (k+1)-gram: one more character seen before it.
    idx = grams.find(k, grams.rep[k])
    counts = np.bincount(idx, minlength=raw.shape[0]).astype(np.float64)
    del idx
    starts_line = grams.seq[grams.rep[k - 1] - (k - 1)] == BOS
    counts[starts_line] = raw[starts_line]
    return counts


def _contexts(grams: Grams, k: int) -> tuple[U64, NDArray[np.int64]]:
    """The distinct contexts (k-1 characters) of the k-grams, and each gram's context."""
    if k == 1:
        return np.zeros(1, dtype=np.uint64), np.zeros(grams.uniq[0].shape[0], dtype=np.int64)
    keys = grams.key_at(k - 1, grams.rep[k - 1] - 1)
    ctx_u = np.unique(keys)
    return ctx_u, np.searchsorted(ctx_u, keys)


def _backoff(table: U64, ctx_u: U64, gamma: NDArray[np.float64]) -> tuple[F32, tuple[U64, F32]]:
    """The back-off weight of each context, stored with that context in the order below
    (``table``); and the contexts that are no gram there, with their weights.

    The padding before a line (BOS BOS…) is a context but never a gram of its own: it is
    added to the order below, as a gram nothing predicts, to hold its weight.
    """
    at = np.minimum(np.searchsorted(table, ctx_u), table.shape[0] - 1)
    known = table[at] == ctx_u
    bow = np.zeros(table.shape[0], dtype=np.float32)
    bow[at[known]] = np.log(gamma[known])
    return bow, (ctx_u[~known], np.log(gamma[~known]).astype(np.float32))
