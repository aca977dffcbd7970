"""The collection format: numbered sections of headlines and summaries (002)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.library.items import ItemKind
from bot.library.notes import detect_format, parse_notes
from tests.support.seeds import seed_text

REPO = Path(__file__).resolve().parents[2]

SAMPLE = """\
# Contents

| 1   | 基础   | 1 |
|-----|--------|---|
| 1.1 | 优化器 | 1 |

下载 pdf: <https://example.org/all.pdf>

# 1 基础

## 1.1 优化器

Adam 一文讲透：动量与自适应学习率

[Adam: A Method for Stochastic Optimization](#)

Adam 结合了动量和 RMSProp，是最常用的优化器之一。

<https://arxiv.org/abs/1412.6980>

新优化器又来了，这次能打败 Adam 吗

![](https://example.org/fig.png)

## 1.2 空的小节

## 1.3 归一化

归一化层让训练更稳定，几乎每个网络都会用。

[Layer Normalization](#)
"""


def _seed() -> str:
    return seed_text("002")


def test_numbered_sections_make_a_collection() -> None:
    assert detect_format(SAMPLE) == "collection"


def test_headlines_become_items_with_their_topic_and_summary() -> None:
    items = parse_notes(SAMPLE).items
    assert [(i.kind, i.title, i.topic) for i in items] == [
        (ItemKind.PAPER, "Adam: A Method for Stochastic Optimization", "优化器"),
        (ItemKind.ARTICLE, "新优化器又来了，这次能打败 Adam 吗", "优化器"),
        (ItemKind.ARTICLE, "归一化层让训练更稳定，几乎每个网络都会用", "归一化"),
        (ItemKind.PAPER, "Layer Normalization", "归一化"),
    ]
    adam = items[0]
    assert adam.text == (
        "Adam 一文讲透：动量与自适应学习率\nAdam 结合了动量和 RMSProp，是最常用的优化器之一。"
    )
    assert (adam.url, adam.arxiv_id, adam.year) == (
        "https://arxiv.org/abs/1412.6980",
        "1412.6980",
        2014,
    )
    assert (adam.first_line, adam.last_line) == (12, 18)


def test_the_contents_table_the_preamble_and_images_are_not_items() -> None:
    titles = [i.title for i in parse_notes(SAMPLE).items]
    assert not any(t in {"基础", "优化器", "空的小节"} or "pdf" in t for t in titles)


def test_the_collection_example_ships_papers_and_articles() -> None:
    text = (REPO / "examples" / "collection.md").read_text(encoding="utf-8")
    items = parse_notes(text).items
    assert detect_format(text) == "collection"
    assert Counter(i.kind.value for i in items) == {"paper": 3, "article": 1}
    assert {i.topic for i in items} == {"Transformer", "扩散模型", "自监督"}


@pytest.mark.seeds
def test_002_section_lottery_tickets_counted_by_hand() -> None:
    items = [i for i in parse_notes(_seed()).items if i.topic == "彩票假设"]
    assert [(i.kind, i.title) for i in items] == [
        (
            ItemKind.PAPER,
            "The lottery ticket hypothesis: Finding sparse, trainable neural networks",
        ),
        (ItemKind.ARTICLE, "田渊栋从数学上证明 ICLR 最佳论文“彩票假设”，强化学习和 NLP 也适用"),
        (
            ItemKind.PAPER,
            "One ticket to win them all: generalizing lottery ticket initializations across "
            "datasets and optimizers",
        ),
        (
            ItemKind.PAPER,
            "Playing the lottery with rewards and multiple languages: lottery tickets in RL and NLP",
        ),
        (ItemKind.PAPER, "Proving the Lottery Ticket Hypothesis: Pruning is All You Need"),
        (ItemKind.ARTICLE, "剪枝与学习权重同等重要，Lottery Ticket Hypothesis 第一次被理论证明"),
    ]
    blog = items[1]
    assert blog.url == (
        "https://ai.facebook.com/blog/understanding-the-generalization-of-lottery-tickets-in-"
        "neural-networks"
    )
    assert items[4].text  # the summary paragraphs under it


@pytest.mark.seeds
def test_002_a_chinese_headline_and_its_english_title_are_one_item() -> None:
    items = parse_notes(_seed()).items
    finch = next(i for i in items if i.topic == "聚类")
    assert finch.title == "Efficient Parameter-free Clustering Using First Neighbor Relations"
    assert finch.url == "https://github.com/ssarfraz/FINCH-Clustering"
    assert finch.text  # the Chinese headline


@pytest.mark.seeds
def test_002_totals_per_kind() -> None:
    kinds = Counter(i.kind.value for i in parse_notes(_seed()).items)
    assert kinds["quote"] == 0
    assert 220 <= kinds["article"] <= 270
    assert 110 <= kinds["paper"] <= 140


@pytest.mark.seeds
def test_002_no_item_is_a_contents_entry_an_image_or_untitled() -> None:
    text = _seed()
    contents = {
        cell.strip()
        for line in text.split("\n")
        if line.startswith("|")
        for cell in line.split("|")[2:3]
    }
    for item in parse_notes(text).items:
        assert item.title.strip() and item.title == item.title.strip()
        assert item.title not in contents
        assert not item.title.startswith(("![", "<b>", "|", "{%"))
