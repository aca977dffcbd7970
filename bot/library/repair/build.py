"""Build the repair model from the corpora packages ship (corpora.py), into a folder.

Runs once per machine (about 40 s, 2.3 GB of memory at its peak); the result is a few NumPy
arrays and two tries that load in a fraction of a second. Parameters were chosen on a dev set:
held-out lines of the same corpora and the project's own text (bench/repair_dev.txt: 661
lines written for it, notes and news about reading and machine learning), corrupted the same
way as the owner's notes — never on the notes themselves.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path

import marisa_trie
import numpy as np

from bot.library.repair import corpora
from bot.library.repair.charmap import CharMap, char_class
from bot.library.repair.confusion import CLASSES, Tags, examples, train
from bot.library.repair.ngram import build_ngram
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
    texts = [char_class(line) for line in _running_text()]
    jieba = list(corpora.jieba_words())
    wordfreq = list(corpora.wordfreq_words())
    chars = set().union(*texts, *(w for w, _ in jieba), *(w for w, _ in wordfreq))
    charmap = CharMap("".join(sorted(chars)))
    (folder / "alphabet.txt").write_text(charmap.alphabet, encoding="utf-8")
    _build_chars(folder, charmap, texts, jieba, wordfreq)
    del texts
    trie = _build_words(folder, jieba, wordfreq)
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


def _running_text() -> Iterator[str]:
    # The project's notes count as running text like the rest: weighting them up did worse on
    # the dev set.
    return itertools.chain(corpora.corpus_lines(), corpora.field_notes())


def _build_chars(
    folder: Path,
    charmap: CharMap,
    texts: list[str],
    jieba: list[tuple[str, int]],
    wordfreq: list[tuple[str, float]],
) -> None:
    words = sum(map(len, texts)) * WORDS_PER_CHAR
    jieba_total = sum(c for _, c in jieba)
    lines = [(charmap.ids(t), 1) for t in texts]
    # Dictionary words teach the character model the inside of words the running text lacks
    # (谷歌, 架构), each weighted by how often it is used.
    for w, c in jieba:
        if len(w) >= 2 and corpora.is_han(w):
            lines.append((charmap.ids(w), max(1, round(c / jieba_total * words * DICT_WEIGHT))))
    for w, f in wordfreq:
        if len(w) >= 2:
            lines.append((charmap.ids(w), max(1, round(f * words * DICT_WEIGHT))))
    lm = build_ngram(lines, order=ORDER, vocab_size=len(charmap))
    for k in range(ORDER):
        np.save(folder / f"chars{k + 1}_keys.npy", lm.keys[k])
        np.save(folder / f"chars{k + 1}_logp.npy", lm.logp[k])
        np.save(folder / f"chars{k + 1}_bow.npy", lm.bow[k])
    (folder / "chars_oov.json").write_text(json.dumps(lm.oov_logp), encoding="utf-8")


def _build_words(
    folder: Path, jieba: list[tuple[str, int]], wordfreq: list[tuple[str, float]]
) -> marisa_trie.Trie:
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
