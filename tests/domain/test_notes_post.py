"""The post format: Jekyll/Markdown posts with ## sections and paper tables (003/004)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.library.items import ItemKind, ParsedItem
from bot.library.notes import detect_format, parse_notes
from bot.library.notes.tables import split_row
from tests.support.seeds import seed_text

REPO = Path(__file__).resolve().parents[2]

SECTIONS = """\
---
layout: post
title: 读书笔记
---
- 读论文要带着问题读。

## Dropout，防止过拟合的小技巧
- 训练时随机丢掉神经元
- 测试时按比例缩放

## 图神经网络 《A Gentle Tour of Graph Networks》
{% include image.html url="/a.png" %}
![](https://example.org/graph.png)
边和点都有向量表示。

## Word2Vec

## 参考资料
https://example.org/reading-list
"""

TABLES = """\
## AlexNet 精读 55:21

ReLU 让训练快了很多。

## GAN 精读

46:16

## 如何读论文 06:39

1. title
2. abstract

## 论文

| 日期 | 标题 | 时长 | 视频 |
| -- | -- | -- | -- | -- |
| 1/3/22 | [GAN](https://example.org/gan.pdf) 精读 | 46:16 | [video {% include b.html %}](https://www.bilibili.com/video/BV1gan) |
| 1/2/22 | [AlexNet] 精读 | 55:21 | [video](https://www.bilibili.com/video/BV1alex) |
| 1/1/22 | 如何读论文 | 6:39 | [video](https://www.bilibili.com/video/BV1read) |
| 1/4/22 | [CoT] 论文 | 33:21 | [video](https://www.bilibili.com/video/BV1cot) |
| 1/5/22 | [视频理解论文串讲] | 50:00 | [video](https://www.bilibili.com/video/BV1talk) |

#### 视觉

| 已录制 | 年份 | 名字 | 简介 |
| ---- | ---- | ---- | ---- | ---- |
| ✅ | 2012 | [AlexNet](https://example.org/alexnet.pdf) | 深度学习的奠基作 |
| ✅ | 2014 | [GAN](https://example.org/gan.pdf) | 生成模型的开创工作 |
| | 2014 | [VGG] | |
"""


_seed = seed_text


def _by_title(items: tuple[ParsedItem, ...], title: str) -> ParsedItem:
    return next(i for i in items if i.title == title)


def test_front_matter_or_sections_make_a_post() -> None:
    assert detect_format(SECTIONS) == "post"
    assert detect_format(TABLES) == "post"


def test_each_section_with_notes_is_a_read_paper() -> None:
    items = parse_notes(SECTIONS).items
    assert [(i.kind, i.title) for i in items] == [
        (ItemKind.QUOTE, "读论文要带着问题读"),
        (ItemKind.PAPER, "Dropout"),
        (ItemKind.PAPER, "A Gentle Tour of Graph Networks"),
    ]
    dropout = items[1]
    assert dropout.notes == "防止过拟合的小技巧\n- 训练时随机丢掉神经元\n- 测试时按比例缩放"
    assert dropout.read and (dropout.first_line, dropout.last_line) == (6, 8)
    assert items[2].notes == "边和点都有向量表示。"  # template and image lines dropped


def test_tables_are_parsed_tolerantly() -> None:
    assert split_row("| ✅ | 2012 | [AlexNet] | |") == ["✅", "2012", "[AlexNet]", ""]


def test_both_tables_and_the_sections_describe_one_set_of_papers() -> None:
    items = parse_notes(TABLES).items
    assert Counter(i.kind.value for i in items) == {"paper": 4, "article": 2}
    alexnet = _by_title(items, "AlexNet")
    assert (alexnet.year, alexnet.text, alexnet.topic) == (2012, "深度学习的奠基作", "视觉")
    assert alexnet.video_url == "https://www.bilibili.com/video/BV1alex"
    assert (alexnet.notes, alexnet.read) == ("ReLU 让训练快了很多。", True)
    gan = _by_title(items, "GAN")  # ✅ means a video exists, not that the owner read it
    assert (gan.video_url, gan.notes, gan.read) == (
        "https://www.bilibili.com/video/BV1gan",
        "",
        False,
    )
    cot = _by_title(items, "CoT")
    assert (cot.kind, cot.video_url) == (ItemKind.PAPER, "https://www.bilibili.com/video/BV1cot")
    talk = _by_title(items, "如何读论文")
    assert (talk.kind, talk.notes, talk.read) == (ItemKind.ARTICLE, "1. title\n2. abstract", True)
    assert _by_title(items, "视频理解论文串讲").kind is ItemKind.ARTICLE


def test_the_post_example_ships_notes_and_tables() -> None:
    text = (REPO / "examples" / "post.md").read_text(encoding="utf-8")
    items = parse_notes(text).items
    # Two bullets before the first section (post.md:7-8): a quote each.
    assert Counter(i.kind.value for i in items) == {"quote": 2, "paper": 3, "article": 1}
    transformer = _by_title(items, "Transformer")
    assert transformer.read and transformer.arxiv_id == "1706.03762"
    assert not _by_title(items, "ResNet").read


@pytest.mark.seeds
def test_003_the_paper_table_counted_by_hand() -> None:
    items = parse_notes(_seed("003")).items
    from_paper_table = [i for i in items if i.kind is ItemKind.PAPER and i.topic]
    # 7 CNN + 4 Transformer + 13 generative + 10 detection + 13 contrastive + 11 video
    # + 11 multimodal + 5 NLP + 5 systems + 1 GNN + 3 optimisation + 6 new fields
    assert len(from_paper_table) == 89
    # and seven papers only the video table names (GPT-4, Anthropic LLM, HELM, InstructGPT,
    # Neural Corpus Indexer, Whisper, Chain of Thought)
    assert sum(i.kind is ItemKind.PAPER for i in items) == 96


@pytest.mark.seeds
def test_003_alexnet_has_its_year_video_and_the_owners_notes() -> None:
    alexnet = _by_title(parse_notes(_seed("003")).items, "AlexNet")
    assert alexnet.year == 2012
    assert alexnet.video_url == "https://www.bilibili.com/video/BV1hq4y157t1/"
    assert "ReLU" in alexnet.notes
    assert alexnet.read


@pytest.mark.seeds
def test_003_a_recorded_paper_without_notes_is_unread() -> None:
    detr = _by_title(parse_notes(_seed("003")).items, "DETR")
    assert detr.video_url == "https://www.bilibili.com/video/BV1GB4y1X72R/"
    assert (detr.notes, detr.read) == ("", False)


@pytest.mark.seeds
def test_003_merges_names_that_differ_between_the_tables() -> None:
    items = parse_notes(_seed("003")).items
    assert _by_title(items, "Codex").video_url == "https://www.bilibili.com/video/BV1iY41137Zi/"
    assert _by_title(items, "MoCov1").read  # the "MoCo" video and section
    gnn = _by_title(items, "图神经网络介绍")  # matched by its link
    assert gnn.video_url == "https://www.bilibili.com/video/BV1iT4y1d7zP/" and gnn.read
    assert not any(i.title in {"Megatron LM", "DALL·E 2", "OpenAI Codex"} for i in items)


@pytest.mark.seeds
def test_003_talks_are_articles() -> None:
    items = parse_notes(_seed("003")).items
    articles = {i.title for i in items if i.kind is ItemKind.ARTICLE}
    assert {
        "如何读论文",
        "大模型时代下做科研的四个思路",
        "跟读者建立联系【研究的艺术· 一】",
    } <= articles
    assert 19 <= len(articles) <= 23
    assert not any(i.kind is ItemKind.QUOTE for i in items)


@pytest.mark.seeds
def test_004_sections_are_read_papers_with_notes() -> None:
    items = parse_notes(_seed("004")).items
    # 004:12-14 three bullets of thoughts before the first section: three quotes.
    assert Counter(i.kind.value for i in items) == {"paper": 4, "article": 1, "quote": 3}
    alexnet = _by_title(items, "AlexNet")
    assert alexnet.read and alexnet.notes
    assert _by_title(items, "ResNet").notes
    assert _by_title(items, "A Gentle Introduction to Graph Neural Networks").read


@pytest.mark.seeds
@pytest.mark.parametrize("prefix", ["003", "004"])
def test_no_post_item_is_markup_an_image_or_untitled(prefix: str) -> None:
    for item in parse_notes(_seed(prefix)).items:
        assert item.title.strip() and item.title == item.title.strip()
        assert not any(mark in item.title for mark in ("{%", "![", "<", "|"))
        assert "{%" not in item.notes


BULLETED_PREAMBLE = """\
---
layout: post
title: 读书笔记
---
- 先读摘要和结论，再决定要不要读细节。
- 好的文章结构清晰：
    - 图表详实，深入浅出，让读者有收获
- Richard Hamming：If you do not work on important problems, it's unlikely you'll do important work.

## Dropout
- 训练时随机丢掉神经元
"""


def test_a_bulleted_list_before_the_first_section_is_one_quote_per_bullet() -> None:
    quotes = [i for i in parse_notes(BULLETED_PREAMBLE).items if i.kind is ItemKind.QUOTE]
    assert [(q.text, q.author) for q in quotes] == [
        ("先读摘要和结论，再决定要不要读细节。", ""),
        ("好的文章结构清晰：\n- 图表详实，深入浅出，让读者有收获", ""),
        (
            "If you do not work on important problems, it's unlikely you'll do important work.",
            "Richard Hamming",
        ),
    ]
    assert [(q.first_line, q.last_line) for q in quotes] == [(4, 4), (5, 6), (7, 7)]


def test_the_bulleted_thoughts_atop_the_paper_notes_are_three_quotes() -> None:
    # 004:12-14, counted by hand: three "- " bullets before "## AlexNet" (004:16).
    items = parse_notes(seed_text("004")).items
    quotes = [i for i in items if i.kind is ItemKind.QUOTE and i.last_line < 15]
    assert len(quotes) == 3
    assert [q.first_line + 1 for q in quotes] == [12, 13, 14]
    assert not any(q.text.startswith("-") for q in quotes)


def test_a_reading_list_in_sections_is_one_item_per_link_under_its_section() -> None:
    notes = "\n".join(
        [
            "# 我的书单",
            "",
            "## Papers",
            "",
            "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)",
            "- [BERT](https://arxiv.org/abs/1810.04805)",
            "",
            "## 博客",
            "",
            "- [图解 Transformer](https://jalammar.github.io/illustrated-transformer/)",
            "- https://lilianweng.github.io/posts/2021-07-11-diffusion-models/",
            "",
            "## ResNet，残差连接",
            "",
            "- 论文: https://arxiv.org/abs/1512.03385",
            "让很深的网络也能训练。",
        ]
    )
    items = parse_notes(notes).items
    assert [(i.title, i.topic, i.read) for i in items[:4]] == [
        ("Attention Is All You Need", "Papers", False),
        ("BERT", "Papers", False),
        ("图解 Transformer", "博客", False),
        ("lilianweng.github.io/posts/2021-07-11-diffusion-models/", "博客", False),
    ]
    [notes_section] = items[4:]  # a section with prose is still one paper, read
    assert (notes_section.title, notes_section.read) == ("ResNet", True)
