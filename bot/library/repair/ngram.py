"""A character n-gram language model (interpolated Kneser-Ney) held in NumPy arrays.

Each order is a sorted array of 64-bit n-gram hashes with a log-probability and a back-off
weight beside it, stored the way ARPA files store a model: the probability of a character is
read from the longest n-gram seen, plus the back-off weights of the shorter contexts. Queries
come in batches, so a whole beam is scored with a few ``searchsorted`` calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["BOS", "EOS", "OOV", "NgramModel", "build_ngram", "ngram_keys"]

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


def _padded(
    lines: Iterable[tuple[NDArray[np.int64], int]], order: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """One id stream: each line led by order-1 BOS and closed by EOS; weight per position."""
    parts: list[NDArray[np.int64]] = []
    weights: list[NDArray[np.float64]] = []
    pad = np.full(order - 1, BOS, dtype=np.int64)
    for ids, w in lines:
        seq = np.concatenate([pad, ids, [EOS]])
        parts.append(seq)
        wt = np.full(seq.shape[0], float(w))
        wt[: order - 1] = 0.0  # no n-gram ends on padding
        weights.append(wt)
    return np.concatenate(parts), np.concatenate(weights)


@dataclass(frozen=True, slots=True)
class _Grams:
    """The grams of the training stream, per order k (index k-1): sorted unique keys, an end
    position of each in ``seq``, and their weighted counts."""

    seq: NDArray[np.int64]
    uniq: list[U64]
    rep: list[NDArray[np.int64]]
    raw: list[NDArray[np.float64]]

    def key_at(self, k: int, ends: NDArray[np.int64]) -> U64:
        """The keys of the k-grams that end at ``ends``."""
        return ngram_keys(np.stack([self.seq[ends - (k - 1 - c)] for c in range(k)], axis=1))


def _count(seq: NDArray[np.int64], weight: NDArray[np.float64], order: int) -> _Grams:
    valid = np.flatnonzero(weight > 0)
    starts = valid[valid >= order - 1]
    grams = _Grams(seq, [], [], [])
    for k in range(1, order + 1):
        keys = grams.key_at(k, starts)
        u, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        grams.uniq.append(u)
        grams.rep.append(starts[first])
        # float64 with weights; numpy's stubs only know the unweighted (integer) count
        grams.raw.append(np.bincount(inv, weights=weight[starts]).astype(np.float64, copy=False))
    return grams


def build_ngram(
    lines: Iterable[tuple[NDArray[np.int64], int]], *, order: int, vocab_size: int
) -> NgramModel:
    """Interpolated Kneser-Ney over weighted lines of character ids (ids < ``vocab_size``)."""
    grams = _count(*_padded(lines, order), order)
    keys_out: list[U64] = []
    logp_out: list[F32] = []
    bow_out: list[F32] = []
    lower_p: NDArray[np.float64] | None = None
    missing: list[tuple[U64, F32]] = []  # per order below: contexts that are no gram there
    oov_logp = 0.0
    for k in range(1, order + 1):
        counts = _kn_counts(grams, k, order)
        d = _discount(counts)
        ctx_u, ctx_idx = _contexts(grams, k)
        total = np.bincount(ctx_idx, weights=counts)
        types = np.bincount(ctx_idx, weights=(counts > 0).astype(np.float64))
        gamma = d * types / total
        disc = np.maximum(counts - d, 0.0) / total[ctx_idx]
        if k == 1:
            p = disc + gamma[0] / vocab_size
            oov_logp = float(np.log(gamma[0] / vocab_size))
        else:
            assert lower_p is not None
            suffix = np.searchsorted(grams.uniq[k - 2], grams.key_at(k - 1, grams.rep[k - 1]))
            p = disc + gamma[ctx_idx] * lower_p[suffix]
            bow, extra = _backoff(grams.uniq[k - 2], ctx_u, gamma)
            bow_out.append(bow)
            missing.append(extra)
        keys_out.append(grams.uniq[k - 1])
        logp_out.append(np.log(p).astype(np.float32))
        lower_p = p
    bow_out.append(np.zeros(grams.uniq[-1].shape[0], dtype=np.float32))
    for j, (extra_keys, extra_bow) in enumerate(missing):
        at = np.searchsorted(keys_out[j], extra_keys)
        keys_out[j] = np.insert(keys_out[j], at, extra_keys)
        logp_out[j] = np.insert(logp_out[j], at, np.float32(_NEVER))
        bow_out[j] = np.insert(bow_out[j], at, extra_bow)
    return NgramModel(tuple(keys_out), tuple(logp_out), tuple(bow_out), oov_logp)


def _kn_counts(grams: _Grams, k: int, order: int) -> NDArray[np.float64]:
    """The counts Kneser-Ney smooths the k-grams with: lower orders count the distinct
    characters seen before a gram (continuation), except grams that start a line: nothing
    precedes them but padding."""
    counts = grams.raw[k - 1].copy()
    if k == order:
        return counts
    left = grams.key_at(k, grams.rep[k])  # suffix of each unique (k+1)-gram
    idx = np.searchsorted(grams.uniq[k - 1], left)
    cont = np.bincount(idx, minlength=counts.shape[0]).astype(np.float64)
    starts_line = grams.seq[grams.rep[k - 1] - (k - 1)] == BOS
    return np.where(starts_line, counts, cont)


def _contexts(grams: _Grams, k: int) -> tuple[U64, NDArray[np.int64]]:
    """The distinct contexts (k-1 characters) of the k-grams, and each gram's context."""
    if k == 1:
        return np.zeros(1, dtype=np.uint64), np.zeros(grams.uniq[0].shape[0], dtype=np.int64)
    ctx_u, ctx_idx = np.unique(grams.key_at(k - 1, grams.rep[k - 1] - 1), return_inverse=True)
    return ctx_u, ctx_idx


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
