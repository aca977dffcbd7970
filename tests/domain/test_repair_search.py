"""The search behind the repair: its shortcuts must not change what it finds."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest

from bot.library.repair import search
from bot.library.repair.charmap import CharMap
from bot.library.repair.damage import tokenize
from bot.library.repair.model import RepairModel, default_model
from bot.library.repair.ngram import BOS, EOS
from tests.support.corrupt import corrupt


def _line_logprob(model: RepairModel, chars: list[str]) -> float:
    h = model.chars.order - 1
    ids = [BOS] * h + [model.charmap.id(c) for c in chars] + [EOS]
    hist = np.array([ids[k : k + h] for k in range(len(ids) - h)], dtype=np.int64)
    nxt = np.array(ids[h:], dtype=np.int64)
    return float(model.chars.logprob(hist, nxt).sum(dtype=np.float64))


@pytest.mark.parametrize(
    "line", ["我们在三个数据集上做了实验。", "训练大模型需要大量的算力", "作者说：数据比模型重要"]
)
def test_the_first_pass_finds_the_best_path_of_the_character_model(line: str) -> None:
    # Runs of intact characters are scored in one query and merged; on a line small enough to
    # try every reading, that must still be the character model's best.
    model = default_model()
    # Three candidates the model knows apart (unseen ones all score the same: ties).
    cands = [search._seen(t.cands, model)[:3] for t in tokenize(corrupt(line))]
    assert sum(len(c) > 1 for c in cands) >= 2
    best = max(itertools.product(*cands), key=lambda p: _line_logprob(model, list(p)))
    assert search._viterbi(cands, model, model.chars.logprob) == list(best)


def test_candidates_no_corpus_holds_are_dropped_but_never_all() -> None:
    model = SimpleNamespace(charmap=CharMap("中不"))
    # 丂 is Chinese the model never saw; the emoji and the bracket are no Chinese at all.
    assert search._seen(("中", "丂", "😀", "】"), model) == ("中", "😀", "】")  # type: ignore[arg-type]
    assert search._seen(("丂", "丄"), model) == ("丂", "丄")  # type: ignore[arg-type]
    assert search._seen(("丂",), model) == ("丂",)  # type: ignore[arg-type]
