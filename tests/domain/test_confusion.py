"""The 不/与/中 classifier: the three lose their last byte the same way, so grammar decides."""

from __future__ import annotations

import marisa_trie
import numpy as np
import pytest

from bot.library.repair.confusion import ConfusionModel, Tags, examples, features, train

CLASSES = "不与中"

# A tiny tagged lexicon of our own: verbs (v), nouns (n) and the three function words.
LEXICON = {
    "喜欢": "v", "知道": "v", "需要": "v", "相信": "v", "理解": "v", "擅长": "v",
    "过程": "n", "空间": "n", "数据": "n", "算力": "n", "模型": "n", "文本": "n", "潜力": "n",
    "局限": "n", "我们": "r", "他": "r", "不": "d", "与": "p", "中": "f", "在": "p",
}  # fmt: skip
TRAIN = [
    "我们不喜欢", "他不知道", "我们不需要", "他不相信",
    "在过程中", "在空间中", "在数据中", "在模型中", "在文本中",
    "数据与算力", "模型与数据", "文本与模型", "算力与空间", "过程与模型",
]  # fmt: skip


@pytest.fixture(scope="module")
def model() -> ConfusionModel:
    trie = marisa_trie.Trie(LEXICON)
    names = sorted(set(LEXICON.values()) | {"?"})
    ids = np.zeros(len(trie), dtype=np.uint8)
    for word, tag in LEXICON.items():
        ids[trie[word]] = names.index(tag)
    tags = Tags(trie, ids, names)
    samples = list(examples(TRAIN * 20, CLASSES, tags))
    feats, weights = train(samples, len(CLASSES), min_count=1, epochs=20)
    ftrie = marisa_trie.Trie(feats)
    by_id = np.zeros_like(weights)
    by_id[[ftrie[f] for f in feats]] = weights
    return ConfusionModel(CLASSES, ftrie, by_id, tags)


def _best(model: ConfusionModel, text: str, i: int) -> str:
    scores = model.logprob(list(text), i)
    return max(scores, key=lambda c: scores[c])


@pytest.mark.parametrize(
    ("text", "at", "expected"),
    [
        # 擅长 and 潜力/局限 never appear beside 不/与/中 in training: the tags carry it over.
        ("面对不擅长", 2, "不"),
        ("潜力与局限", 2, "与"),
        ("在局限中", 3, "中"),
    ],
)
def test_the_neighbours_part_of_speech_decides(
    model: ConfusionModel, text: str, at: int, expected: str
) -> None:
    assert _best(model, text, at) == expected


def test_the_scores_are_a_distribution_over_the_classes(model: ConfusionModel) -> None:
    scores = model.logprob(list("数据不模型"), 2)
    assert set(scores) == set(CLASSES)
    assert sum(np.exp(v) for v in scores.values()) == pytest.approx(1.0)


def test_the_position_itself_is_never_a_feature(model: ConfusionModel) -> None:
    # Otherwise the classifier would learn the answer from the character it is asked about.
    tags = model.tags
    assert features(list("他不知道"), 1, tags) == features(list("他中知道"), 1, tags)


def test_the_classifier_applies_only_where_two_classes_compete(model: ConfusionModel) -> None:
    assert model.applies(("丁", "不", "与", "中"))
    assert not model.applies(("学", "另"))
    assert not model.applies(("不",))
