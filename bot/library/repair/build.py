"""Build the repair model from the corpora packages ship (corpora.py), into a folder.

Runs once per machine: about 35 s, and about 400 MB of memory at its peak (a self-hosted bot
often lives on a 1 GB server; bench/repair_seeds.py measures both). The character model's
counts are the largest part: ngram.py takes them a key range at a time and frees each array
once spent. The result is a few NumPy arrays and two tries that load in a fraction of a
second. Parameters were chosen on a dev set: held-out lines of the same corpora and the
project's own text (bench/repair_dev.txt: 661 lines written for it, notes and news about
reading and machine learning), corrupted the same way as the owner's notes — never on the
notes themselves.
"""

from __future__ import annotations

import ctypes
import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path

import marisa_trie
import numpy as np
from numpy.typing import NDArray

from bot.library.repair import corpora
from bot.library.repair.charmap import CharMap, char_class
from bot.library.repair.confusion import CLASSES, Tags, examples, train
from bot.library.repair.ngram import count_grams, kneser_ney
from bot.library.repair.words import MAX_WORD

__all__ = ["MODEL_VERSION", "ORDER", "build_model"]

MODEL_VERSION = 9  # bump whenever the build changes what it writes
ORDER = 4  # characters; 5 did no better on the dev set
DICT_WEIGHT = 0.3  # dictionary words in the character model, relative to running text
WORDS_PER_CHAR = 1 / 1.7  # to put word frequencies on the running text's scale
UNKNOWN_CJK = -14.0  # a Chinese character that is no word of the list
OTHER = -9.0  # punctuation and Latin in the word model: only relative scores matter


def build_model(folder: Path) -> None:
    """Write the model's files into ``folder`` (which must exist)."""
    _map_large_arrays_apart()
    _build_chars(folder)
    trie = _build_words(folder)
    tag_names = _build_confusion(folder, trie)
    meta = {
        "version": MODEL_VERSION,
        "order": ORDER,
        "unknown_cjk": UNKNOWN_CJK,
        "other": OTHER,
        "tags": tag_names,
        "confusion": CLASSES,
    }
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _map_large_arrays_apart() -> None:
    """Have glibc map each array of 1 MB or more apart, and unmap it when it is freed.

    By default it raises that threshold to the size of each mapped block freed (up to 32 MB),
    so the build's later arrays come from its heap, which keeps freed memory resident: about
    150 MB more at the peak, and the process stays that large after the build. The setting
    stays for the life of the process (glibc offers no way back to the moving threshold).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError, TypeError):
        return  # not glibc: other allocators map large blocks apart anyway
    mallopt(_M_MMAP_THRESHOLD, 1 << 20)


_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def _running_text() -> Iterator[str]:
    # The project's notes count as running text like the rest: weighting them up did worse on
    # the dev set.
    return itertools.chain(corpora.corpus_lines(), corpora.field_notes())


def _build_chars(folder: Path) -> None:
    charmap, text, lengths, weights = _char_lines()
    (folder / "alphabet.txt").write_text(charmap.alphabet, encoding="utf-8")
    ids = charmap.ids_of_all(text)
    del text
    grams = count_grams(ids, lengths, weights, ORDER)
    del ids, lengths, weights
    lm = kneser_ney(grams, vocab_size=len(charmap))  # which empties grams as it goes
    for k in range(ORDER):
        np.save(folder / f"chars{k + 1}_keys.npy", lm.keys[k])
        np.save(folder / f"chars{k + 1}_logp.npy", lm.logp[k])
        np.save(folder / f"chars{k + 1}_bow.npy", lm.bow[k])
    (folder / "chars_oov.json").write_text(json.dumps(lm.oov_logp), encoding="utf-8")


def _char_lines() -> tuple[CharMap, str, NDArray[np.int64], NDArray[np.int64]]:
    """The alphabet, and the character model's lines (end to end, their lengths, their
    weights): the running text, then the words of the two lists. Only the arrays outlive the
    call: the corpora's Python objects are freed before the counting starts."""
    texts = [char_class(line) for line in _running_text()]
    jieba = list(corpora.jieba_words())
    wordfreq = list(corpora.wordfreq_words())
    chars = set().union(*texts, *(w for w, _ in jieba), *(w for w, _ in wordfreq))
    words = sum(map(len, texts)) * WORDS_PER_CHAR
    jieba_total = sum(c for _, c in jieba)
    lines = texts
    weights = [1] * len(texts)
    # Dictionary words teach the character model the inside of words the running text lacks
    # (谷歌, 架构), each weighted by how often it is used.
    for w, c in jieba:
        if len(w) >= 2 and corpora.is_han(w):
            lines.append(w)
            weights.append(max(1, round(c / jieba_total * words * DICT_WEIGHT)))
    for w, f in wordfreq:
        if len(w) >= 2:
            lines.append(w)
            weights.append(max(1, round(f * words * DICT_WEIGHT)))
    return (
        CharMap("".join(sorted(chars))),
        "".join(lines),
        np.fromiter(map(len, lines), dtype=np.int64, count=len(lines)),
        np.array(weights, dtype=np.int64),
    )


def _build_words(folder: Path) -> marisa_trie.Trie:
    jieba = list(corpora.jieba_words())
    wordfreq = list(corpora.wordfreq_words())
    jieba_total = sum(c for _, c in jieba)
    prob: dict[str, float] = {}
    # The two lists, averaged: jieba's is older and news-heavy, wordfreq's knows the web.
    for w, c in jieba:
        if len(w) <= MAX_WORD and corpora.is_han(w):
            prob[w] = prob.get(w, 0.0) + 0.5 * c / jieba_total
    for w, f in wordfreq:
        if len(w) <= MAX_WORD:
            prob[w] = prob.get(w, 0.0) + 0.5 * f
    trie = marisa_trie.Trie(prob)
    logp = np.full(len(trie), UNKNOWN_CJK, dtype=np.float32)
    for w, p in prob.items():
        if p > 0:
            logp[trie[w]] = math.log(p)
    trie.save(str(folder / "words.marisa"))
    np.save(folder / "words_logp.npy", logp)
    _build_pairs(folder, trie)
    return trie


def _build_pairs(folder: Path, trie: marisa_trie.Trie) -> None:
    """Word bigrams of the People's Daily (the dev lines held out), Kneser-Ney discounted."""
    ids: list[int] = []
    for i, words in enumerate(corpora.people_daily_words()):
        if i % corpora.DEV_EVERY == corpora.DEV_EVERY - 1:
            continue
        ids.append(-1)  # line start
        ids.extend(trie.get(w, -2) for w in words)
    seq = np.array(ids, dtype=np.int64)
    a, b = seq[:-1], seq[1:]
    ok = (a >= -1) & (b >= 0)
    keys = ((a[ok] + 2).astype(np.uint64) << np.uint64(32)) | (b[ok] + 2).astype(np.uint64)
    pairs, counts = np.unique(keys, return_counts=True)
    first = (pairs >> np.uint64(32)).astype(np.int64) - 1  # id + 1: index 0 is line start
    n1, n2 = np.count_nonzero(counts == 1), np.count_nonzero(counts == 2)
    d = n1 / (n1 + 2 * n2)
    total = np.bincount(first, weights=counts, minlength=len(trie) + 1)
    types = np.bincount(first, minlength=len(trie) + 1)
    gamma = np.ones(len(trie) + 1)
    seen = total > 0
    gamma[seen] = d * types[seen] / total[seen]
    np.save(folder / "pairs_keys.npy", pairs)
    np.save(
        folder / "pairs_disc.npy", (np.maximum(counts - d, 0) / total[first]).astype(np.float32)
    )
    np.save(folder / "words_gamma.npy", np.log(gamma).astype(np.float32))


def _build_confusion(folder: Path, trie: marisa_trie.Trie) -> list[str]:
    """jieba's part-of-speech tags by word id, and the 不/与/中 classifier trained with them."""
    index = {"?": 0}  # tag -> id; "?" for words jieba has no tag for
    ids = np.zeros(len(trie), dtype=np.uint8)
    for word, tag in corpora.jieba_tags():
        k = trie.get(word)
        if k is not None:
            ids[k] = index.setdefault(tag, len(index))
    np.save(folder / "words_tags.npy", ids)
    names = list(index)
    tags = Tags(trie, ids, names)
    samples = list(examples(_running_text(), CLASSES, tags))
    feats, weights = train(samples, len(CLASSES))
    ftrie = marisa_trie.Trie(feats)
    by_id = np.zeros_like(weights)
    by_id[[ftrie[f] for f in feats]] = weights
    ftrie.save(str(folder / "confusion.marisa"))
    np.save(folder / "confusion_weights.npy", by_id)
    return names
