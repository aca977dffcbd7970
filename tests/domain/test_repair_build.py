"""The repair model's build keeps its memory low without changing what it counts: the id
stream, the gram counts taken a key range at a time, the lookup of a whole text's ids."""

from __future__ import annotations

import numpy as np

from bot.library.repair.charmap import CharMap
from bot.library.repair.ngram import BOS, EOS, count_grams, ngram_keys, padded_stream


def test_a_whole_texts_ids_are_its_characters_ids() -> None:
    charmap = CharMap("中文的𣬶")
    text = "中文 GPT-4 的𣬶？"  # a space, Latin and digit classes, an astral character, unknowns
    assert charmap.ids_of_all(text).tolist() == charmap.ids(text).tolist()
    assert charmap.ids_of_all("").tolist() == []


def test_each_line_is_padded_and_grams_end_on_its_characters_and_eos() -> None:
    ids = np.array([3, 4, 5, 6, 7], dtype=np.int32)
    lengths = np.array([2, 0, 3])
    seq, ends, weight = padded_stream(ids, lengths, np.array([2, 0, 1]), order=3)
    b, e = BOS, EOS
    assert seq.tolist() == [b, b, 3, 4, e, b, b, e, b, b, 5, 6, 7, e]
    assert ends.tolist() == [2, 3, 4, 10, 11, 12, 13]  # the line of weight 0 counts nothing
    assert weight.tolist() == [2, 2, 2, 1, 1, 1, 1]


def test_counting_a_key_range_at_a_time_counts_as_one_pass_would() -> None:
    rng = np.random.default_rng(7)
    lengths = rng.integers(0, 30, size=3000)
    ids = rng.integers(3, 12, size=int(lengths.sum())).astype(np.int32)  # many repeats
    weights = rng.integers(1, 50, size=lengths.shape[0])
    grams = count_grams(ids, lengths, weights, order=4)
    seq, ends, weight = padded_stream(ids, lengths, weights, order=4)
    for k in range(1, 5):
        window = np.stack([seq[ends - (k - 1 - c)] for c in range(k)], axis=1)
        keys, first, inverse = np.unique(
            ngram_keys(window.astype(np.int64)), return_index=True, return_inverse=True
        )
        assert grams.uniq[k - 1].tolist() == keys.tolist()
        assert grams.rep[k - 1].tolist() == ends[first].tolist()
        assert grams.raw[k - 1].tolist() == np.bincount(inverse, weights=weight).tolist()
