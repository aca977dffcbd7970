"""Choosing among the candidates of a damaged line.

Two passes. A Viterbi search under the character model alone gives every damaged character a
first choice in context. Then each cluster of nearby damaged characters (two at most; longer
runs are cut, and the cuts move between sweeps) is chosen again, jointly, by the character
model plus the word model (segmentation and word bigrams) over a window around it, and for
不/与/中 the classifier of bot.library.repair.confusion, twice over; the scores of the alternatives
there give the margins and the confidence.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.library.repair.choice import Choice
from bot.library.repair.confusion import ConfusionModel
from bot.library.repair.damage import is_cjk
from bot.library.repair.model import RepairModel
from bot.library.repair.ngram import BOS, EOS, OOV, ngram_keys

__all__ = ["Choice", "Decoded", "decode"]

# Chosen on the dev set (bot/library/repair/build.py says which).
WORD_WEIGHT = 1.5  # the word model beside the character model
BEAM = 16  # histories kept by the first pass
PRUNE = 6  # candidates per character the second pass considers
MAX_JOINT = 256  # joint choices per cluster the character model scores
MAX_COMBOS = 16  # of those, the best the word model and the classifier score
GAP = 1  # damaged characters at most this far apart are chosen together
SWEEPS = 2
MAX_CLUSTER = 2  # damaged characters chosen jointly at most; longer runs are cut in turns
SHIFT = 1  # where the cuts fall moves by this much every other sweep
CONFUSION_WEIGHT = 3.0  # the 不/与/中 classifier beside both (bot/library/repair/confusion.py)
CONFUSION_FLOOR = -7.0  # its log-probability for a candidate outside its classes

# log P(next | history) for a batch, given histories (m, order-1) and next ids (m,).
Scorer = Callable[[NDArray[np.int64], NDArray[np.int64]], NDArray[np.float32]]


@dataclass(frozen=True, slots=True)
class Decoded:
    text: tuple[str, ...]  # the chosen character per token
    choices: tuple[Choice, ...]  # one per damaged token


def decode(
    cands: Sequence[tuple[str, ...]], model: RepairModel, scorer: Scorer | None = None
) -> Decoded:
    """The best reading of a line whose tokens have these candidates."""
    score = scorer or model.chars.logprob
    cands = [_seen(cs, model) for cs in cands]
    cur = _viterbi(cands, model, score)
    damaged = [i for i, c in enumerate(cands) if len(c) > 1]
    if not damaged:
        return Decoded(tuple(cur), ())
    pruned = _prune_all(cands, cur, damaged, model, score)
    marginals: dict[int, dict[str, float]] = {}
    for sweep in range(SWEEPS):
        changed = False
        for cluster in _clusters(damaged, SHIFT * (sweep % 2)):
            changed |= _rechoose(cluster, pruned, cur, model, score, marginals)
        if not changed:
            break
    choices = []
    for p in damaged:
        scores = marginals[p]
        top = max(scores.values())
        z = sum(math.exp(v - top) for v in scores.values())
        alts = sorted(((c, math.exp(v - top) / z) for c, v in scores.items()), key=lambda a: -a[1])
        choices.append(Choice(index=p, chosen=cur[p], alternatives=tuple(alts)))
    return Decoded(tuple(cur), tuple(choices))


def _seen(cs: tuple[str, ...], model: RepairModel) -> tuple[str, ...]:
    """The candidates without Chinese characters no corpus holds, unless nothing else is left.

    The model cannot tell such characters apart (they all share one id), and a third of a
    damaged character's candidates are of that kind: rare Extension-A and compatibility forms.
    """
    if len(cs) == 1:
        return cs
    kept = tuple(c for c in cs if not (is_cjk(c) and model.charmap.id(c) == OOV))
    return kept or cs


def _viterbi(cands: Sequence[tuple[str, ...]], model: RepairModel, score: Scorer) -> list[str]:
    """Best path under the character model; histories that agree are merged, BEAM kept."""
    h = model.chars.order - 1
    hist = np.full((1, h), BOS, dtype=np.int64)
    total = np.zeros(1)
    back: list[_Back] = []
    one = np.zeros(1, dtype=np.int64)
    i, n = 0, len(cands)
    while i < n:
        ids = np.array([model.charmap.id(c) for c in cands[i]], dtype=np.int64)
        if hist.shape[0] == 1 and len(ids) == 1:
            # One history, one character: its probability is the same for every path.
            hist = np.concatenate([hist[:, 1:], ids[None, :]], axis=1)
            back.append((one, one))
            i += 1
        elif len(ids) == 1:
            j = i
            while j < n and len(cands[j]) == 1:
                j += 1
            run = np.array([model.charmap.id(cands[k][0]) for k in range(i, j)], dtype=np.int64)
            hist, total = _intact_run(hist, total, run, score, back)
            i = j
        else:
            hist, total = _damaged_step(hist, total, ids, score, back)
            i += 1
    if hist.shape[0] > 1:
        total = total + score(hist, np.full(hist.shape[0], EOS, dtype=np.int64))
    return _backtrack(back, cands, int(np.argmax(total)))


# Per token of the first pass, for each history kept after it: the history it came from and
# the candidate it took.
_Back = tuple[NDArray[np.int64], NDArray[np.int64]]


def _intact_run(
    hist: NDArray[np.int64],
    total: NDArray[np.float64],
    run: NDArray[np.int64],
    score: Scorer,
    back: list[_Back],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The histories and their totals after a run of intact characters following a damaged
    one: every history goes on the same way, so the whole run is one query; past h characters
    the histories agree, and the best one is kept."""
    s, h = hist.shape
    seq = np.concatenate([hist, np.tile(run, (s, 1))], axis=1)
    grams = np.lib.stride_tricks.sliding_window_view(seq, h + 1, axis=1)
    lp = score(grams[:, :, :h].reshape(-1, h), grams[:, :, h].reshape(-1))
    total = total + lp.reshape(s, -1).sum(axis=1, dtype=np.float64)
    same = np.arange(s)
    back.extend((same, np.zeros(s, dtype=np.int64)) for _ in range(len(run) - 1))
    hist = seq[:, -h:]
    if len(run) >= h:
        best_row = int(np.argmax(total))
        back.append((np.array([best_row]), np.zeros(1, dtype=np.int64)))
        return hist[best_row : best_row + 1], total[best_row : best_row + 1]
    back.append((same, np.zeros(s, dtype=np.int64)))
    return hist, total


def _damaged_step(
    hist: NDArray[np.int64],
    total: NDArray[np.float64],
    ids: NDArray[np.int64],
    score: Scorer,
    back: list[_Back],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The histories and their totals after a damaged character with candidates ``ids``: every
    history with every candidate, those ending alike merged (the best kept), BEAM at most."""
    s, m = hist.shape[0], len(ids)
    prev = np.repeat(np.arange(s), m)
    ci = np.tile(np.arange(m), s)
    sc = total[prev] + score(hist[prev], ids[ci])
    nh = np.concatenate([hist[prev][:, 1:], ids[ci][:, None]], axis=1)
    key = ngram_keys(nh)
    order = np.lexsort((-sc, key))
    first = np.ones(order.shape[0], dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    keep = order[first]
    if keep.shape[0] > BEAM:
        keep = keep[np.argsort(-sc[keep])[:BEAM]]
    back.append((prev[keep], ci[keep]))
    return nh[keep], sc[keep]


def _backtrack(back: list[_Back], cands: Sequence[tuple[str, ...]], best: int) -> list[str]:
    """The characters of the path that ends in history ``best``."""
    out: list[str] = []
    for (prev_idx, cand_idx), cs in zip(reversed(back), reversed(cands), strict=True):
        out.append(cs[int(cand_idx[best])])
        best = int(prev_idx[best])
    out.reverse()
    return out


def _clusters(damaged: list[int], shift: int = 0) -> list[list[int]]:
    groups = [[damaged[0]]]
    for p in damaged[1:]:
        if p - groups[-1][-1] <= GAP + 1:
            groups[-1].append(p)
        else:
            groups.append([p])
    out = []
    for g in groups:
        if len(g) <= MAX_CLUSTER:
            out.append(g)
            continue
        cut = [0, *range(shift or MAX_CLUSTER, len(g), MAX_CLUSTER), len(g)]
        out.extend(g[a:b] for a, b in itertools.pairwise(cut) if b > a)
    return out


def _combo_scores(
    cluster: list[int],
    opts: list[tuple[str, ...]],
    cur: list[str],
    first: int,
    end: int,
    model: RepairModel,
    score: Scorer,
) -> NDArray[np.float64]:
    """Character-model log-probability of positions first..end-1 for every combination of the
    cluster's options (in ``itertools.product`` order), as one batch."""
    h, n = model.chars.order - 1, len(cur)
    lo = first - h  # may be negative: BOS padding
    base = [BOS] * max(0, -lo) + [model.charmap.id(c) for c in cur[max(0, lo) : end]]
    if end == n:
        base.append(EOS)
    grid = np.array(np.meshgrid(*[np.arange(len(o)) for o in opts], indexing="ij"))
    picks = grid.reshape(len(opts), -1)  # (cluster positions, combinations)
    ids = np.tile(np.array(base, dtype=np.int64), (picks.shape[1], 1))
    for j, (p, o) in enumerate(zip(cluster, opts, strict=True)):
        cand_ids = np.array([model.charmap.id(c) for c in o], dtype=np.int64)
        ids[:, p - lo] = cand_ids[picks[j]]
    grams = np.lib.stride_tricks.sliding_window_view(ids, h + 1, axis=1).reshape(-1, h + 1)
    lp = score(np.ascontiguousarray(grams[:, :h]), np.ascontiguousarray(grams[:, h]))
    return lp.reshape(ids.shape[0], -1).sum(axis=1, dtype=np.float64)


def _prune_all(
    cands: Sequence[tuple[str, ...]],
    cur: list[str],
    damaged: list[int],
    model: RepairModel,
    score: Scorer,
) -> dict[int, tuple[str, ...]]:
    """For each damaged position, the PRUNE candidates likeliest in the first pass's context,
    best first (a large cluster keeps fewer of each).

    Every position's variants are scored in one batch: one model query per line, not per
    position (the queries' fixed cost is most of the time on short windows).
    """
    h, n = model.chars.order - 1, len(cur)
    ids = [BOS] * h + [model.charmap.id(c) for c in cur] + [EOS]
    hists: list[NDArray[np.int64]] = []
    nxts: list[NDArray[np.int64]] = []
    sizes: list[int] = []
    for p in damaged:
        end = min(n, p + model.chars.order)
        cand_ids = np.array([model.charmap.id(c) for c in cands[p]], dtype=np.int64)
        # Columns of the window p-h .. end (+ EOS at the line's end), one row per candidate.
        win = np.tile(np.array(ids[p : end + h + (end == n)], dtype=np.int64), (len(cand_ids), 1))
        win[:, h] = cand_ids
        grams = np.lib.stride_tricks.sliding_window_view(win, h + 1, axis=1)
        hists.append(grams[:, :, :h].reshape(-1, h))
        nxts.append(grams[:, :, h].reshape(-1))
        sizes.extend([grams.shape[1]] * len(cand_ids))
    lp = score(np.concatenate(hists), np.concatenate(nxts))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    sums = np.add.reduceat(lp.astype(np.float64), starts)
    out: dict[int, tuple[str, ...]] = {}
    at = 0
    for p in damaged:
        k = len(cands[p])
        order = np.argsort(-sums[at : at + k], kind="stable")
        out[p] = tuple(cands[p][i] for i in order[:PRUNE])
        at += k
    return out


def _rechoose(
    cluster: list[int],
    pruned: dict[int, tuple[str, ...]],
    cur: list[str],
    model: RepairModel,
    score: Scorer,
    marginals: dict[int, dict[str, float]],
) -> bool:
    """Choose a cluster's characters jointly; True if anything changed."""
    opts = _joint_options([pruned[p] for p in cluster])
    combos = list(itertools.product(*opts))
    reach = model.chars.order  # the character model's reach, and a little word context
    first, last = cluster[0], cluster[-1]
    start, end = max(0, first - reach), min(len(cur), last + 1 + reach)
    total = _combo_scores(cluster, opts, cur, first, end, model, score)
    if len(combos) > MAX_COMBOS:
        # The character model is one batched query for any number of combinations; the word
        # model and the classifier go character by character, so they see the best few only.
        keep = np.argsort(-total, kind="stable")[:MAX_COMBOS]
        combos = [combos[i] for i in keep]
        total = total[keep]
    variants = [_with(cur, cluster, combo) for combo in combos]
    words = model.words
    total += WORD_WEIGHT * np.array(words.scores(["".join(v[start:end]) for v in variants]))
    for j, p in enumerate(cluster):
        if model.confusion.applies(pruned[p]):
            _add_confusion(total, model.confusion, j, p, combos, variants)
    for j, p in enumerate(cluster):
        marginals[p] = _best_per_option(j, combos, total)
    best = int(np.argmax(total))
    changed = False
    for p, c in zip(cluster, combos[best], strict=True):
        if cur[p] != c:
            cur[p] = c
            changed = True
    return changed


def _joint_options(opts: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The options of a cluster's positions, each cut shorter until at most MAX_JOINT
    combinations are left."""
    k = PRUNE
    while math.prod(len(o) for o in opts) > MAX_JOINT:
        k -= 1
        opts = [o[:k] for o in opts]
    return opts


def _with(cur: list[str], cluster: list[int], combo: tuple[str, ...]) -> list[str]:
    """The line with the cluster's positions set to ``combo``."""
    v = cur[:]
    for p, c in zip(cluster, combo, strict=True):
        v[p] = c
    return v


def _add_confusion(
    total: NDArray[np.float64],
    conf: ConfusionModel,
    j: int,
    p: int,
    combos: list[tuple[str, ...]],
    variants: list[list[str]],
) -> None:
    """Add the 不/与/中 classifier's word on position ``p`` (the cluster's ``j``-th) to each
    combination's total."""
    # The classifier never reads position p itself: variants that agree elsewhere share
    # one answer.
    seen: dict[tuple[str, ...], dict[str, float]] = {}
    for k, (combo, v) in enumerate(zip(combos, variants, strict=True)):
        rest = combo[:j] + combo[j + 1 :]
        lp = seen.get(rest)
        if lp is None:
            lp = seen[rest] = conf.logprob(v, p)
        total[k] += CONFUSION_WEIGHT * lp.get(v[p], CONFUSION_FLOOR)


def _best_per_option(
    j: int, combos: list[tuple[str, ...]], total: NDArray[np.float64]
) -> dict[str, float]:
    """For each option of the cluster's ``j``-th position, the best total of a combination
    that takes it."""
    m: dict[str, float] = {}
    for combo, t in zip(combos, total.tolist(), strict=True):
        if t > m.get(combo[j], -math.inf):
            m[combo[j]] = t
    return m
