"""Dedupe keys: arXiv ids, canonical URLs, normalised titles."""

from __future__ import annotations

import re

import pytest

from bot.library.dedupe import (
    MAX_KEY_LENGTH,
    arxiv_id,
    canonical_url,
    dedupe_key,
    item_keys,
    normalized_title,
)
from bot.library.items import ItemKind

# --- arxiv_id ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://arxiv.org/abs/2207.08079",
        "https://arxiv.org/abs/2207.08079v2",
        "http://arxiv.org/abs/2207.08079v10",
        "https://arxiv.org/pdf/2207.08079",
        "https://arxiv.org/pdf/2207.08079v1.pdf",
        "https://arxiv.org/pdf/2207.08079.pdf",
        "https://export.arxiv.org/abs/2207.08079",
        "https://www.arxiv-vanity.com/papers/2207.08079/",
        "https://ar5iv.labs.arxiv.org/html/2207.08079",
        "https://huggingface.co/papers/2207.08079",
        "arXiv:2207.08079v3",
        "arxiv 2207.08079",
        "2207.08079",
        "  2207.08079v2 ",
        "Vision paper https://arxiv.org/abs/2207.08079 (2022)",
    ],
)
def test_one_paper_however_linked(url: str) -> None:
    assert arxiv_id(url) == "2207.08079"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("https://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"),
        ("https://arxiv.org/pdf/cs/0112017v1.pdf", "cs/0112017"),
        ("arXiv:cs/0112017", "cs/0112017"),
        ("cond-mat/0102536", "cond-mat/0102536"),
        ("https://arxiv.org/abs/math.GT/0309136", "math/0309136"),
        ("https://arxiv.org/abs/0704.0001", "0704.0001"),
        ("https://arxiv.org/abs/2103.03206", "2103.03206"),
    ],
)
def test_other_id_forms(text: str, expected: str) -> None:
    assert arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no paper here",
        "https://blog.otoro.net/2022/10/01/collectiveintelligence/",
        "https://example.com/files/2207.08079",
        "https://arxiv.org/abs/2213.00001",  # month 13
        "https://arxiv.org/abs/2207.080791",  # six digits
        "https://github.com/louisfb01/best_AI_papers_2022",
        "version 3.14159 of the tool",
    ],
)
def test_no_arxiv_id(text: str) -> None:
    assert arxiv_id(text) is None


def test_different_papers_differ() -> None:
    assert arxiv_id("https://arxiv.org/abs/2211.04533") != arxiv_id(
        "https://arxiv.org/abs/2211.16499"
    )


# --- canonical_url ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://jasonwei.net/blog/practicing-ai-research",
        "http://jasonwei.net/blog/practicing-ai-research",
        "https://www.jasonwei.net/blog/practicing-ai-research",
        "https://www.jasonwei.net/blog/practicing-ai-research/",
        "HTTPS://WWW.JasonWei.NET/blog/practicing-ai-research",
        "https://jasonwei.net:443/blog/practicing-ai-research",
        "https://jasonwei.net/blog/practicing-ai-research#section-2",
        "https://jasonwei.net/blog/practicing-ai-research?utm_source=twitter&utm_medium=social",
        "https://jasonwei.net/blog/practicing-ai-research?fbclid=abc&ref=hn&gclid=x",
        "jasonwei.net/blog/practicing-ai-research",
        "www.jasonwei.net/blog/practicing-ai-research/",
        "  https://jasonwei.net/blog/practicing-ai-research  ",
    ],
)
def test_one_url_however_decorated(url: str) -> None:
    assert canonical_url(url) == "https://jasonwei.net/blog/practicing-ai-research"


def test_scheme_added_to_bare_github_path() -> None:
    assert (
        canonical_url("github.com/hua1995116/awesome-ai-painting")
        == "https://github.com/hua1995116/awesome-ai-painting"
    )


def test_different_github_repos_differ() -> None:
    a = canonical_url("github.com/louisfb01/best_AI_papers_2022")
    b = canonical_url("github.com/yousefebrahimi0/1000-AI-collection-tools")
    c = canonical_url("https://github.com/louisfb01/best_AI_papers_2023")
    assert len({a, b, c}) == 3


def test_path_case_is_kept() -> None:
    assert canonical_url("https://github.com/X/Y") != canonical_url("https://github.com/x/y")


def test_query_params_sorted_and_content_params_kept() -> None:
    assert canonical_url("https://example.com/page?b=2&a=1") == canonical_url(
        "https://example.com/page?a=1&b=2"
    )
    assert canonical_url("https://example.com/?p=1") != canonical_url("https://example.com/?p=2")
    assert canonical_url("https://example.com/item?id=7&utm_campaign=z") == (
        "https://example.com/item?id=7"
    )


def test_mobile_host_and_chinese_share_params() -> None:
    assert canonical_url(
        "https://m.weibo.cn/status/123?wm=3333_2001&from=10D&sourcetype=weixin"
        "&WBAPIAnalysisOriUICodes=10&launchid=10000360&v_p=42&aid=01"
    ) == canonical_url("https://weibo.cn/status/123")
    assert canonical_url(
        "https://www.zhihu.com/question/440729199?utm_psn=1&spm=a2c6h&sfnsn=wiwspwx"
    ) == canonical_url("https://zhihu.com/question/440729199")


def test_youtube_keeps_video_id() -> None:
    watch = canonical_url("https://www.youtube.com/watch?v=YoVek79LFe0")
    assert watch == "https://youtube.com/watch?v=YoVek79LFe0"
    assert canonical_url("https://m.youtube.com/watch?v=YoVek79LFe0&feature=share") == watch
    assert canonical_url("https://youtu.be/YoVek79LFe0?si=xyz") == watch
    assert canonical_url("https://www.youtube.com/watch?v=other") != watch


def test_wechat_articles_keep_only_identifying_params() -> None:
    a = canonical_url(
        "https://mp.weixin.qq.com/s?__biz=MzA3&mid=265&idx=1&sn=ab12&chksm=84&scene=21"
        "#wechat_redirect"
    )
    b = canonical_url("http://mp.weixin.qq.com/s?sn=ab12&idx=1&mid=265&__biz=MzA3")
    assert a == b
    assert canonical_url("https://mp.weixin.qq.com/s/BB1CG_KD7M7pSST2j47tLw") == (
        "https://mp.weixin.qq.com/s/BB1CG_KD7M7pSST2j47tLw"
    )


def test_percent_encoding_normalised() -> None:
    assert canonical_url("https://zh.wikipedia.org/wiki/深度学习") == canonical_url(
        "https://zh.wikipedia.org/wiki/%E6%B7%B1%E5%BA%A6%E5%AD%A6%E4%B9%A0"
    )


def test_empty_url() -> None:
    assert canonical_url("") == ""
    assert canonical_url("   ") == ""


# --- normalized_title -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Practicing AI research",
        "practicing ai research",
        "PRACTICING AI RESEARCH!",
        "《Practicing AI research》",
        "【Practicing AI research】",
        "“Practicing AI research”",
        "Practicing  AI\tresearch\n",
        "Ｐｒａｃｔｉｃｉｎｇ　ＡＩ　ｒｅｓｅａｒｃｈ",  # full width
        "Practicing AI research.",
        "✅ Practicing AI research",
    ],
)
def test_titles_equal_modulo_case_punctuation_width(title: str) -> None:
    assert normalized_title(title) == "practicing ai research"


def test_cjk_titles() -> None:
    assert normalized_title("【深度学习集体智慧：最新发展概览】") == normalized_title(
        "深度学习集体智慧 最新发展概览"
    )
    assert normalized_title("《大トロ》、。") == "大トロ"


def test_different_titles_differ() -> None:
    assert normalized_title("Vision Transformers") != normalized_title("Vision Transformer")


def test_normalized_title_is_idempotent() -> None:
    once = normalized_title("《Harmonizing the Object-Recognition Strategies》 — T Fel (2022)")
    assert normalized_title(once) == once


# --- dedupe_key -------------------------------------------------------------------------------


def _key(
    *,
    kind: str = ItemKind.ARTICLE,
    title: str = "",
    text: str = "",
    url: str | None = None,
    arxiv: str | None = None,
) -> str:
    return dedupe_key(kind=kind, title=title, text=text, url=url, arxiv_id=arxiv)


def test_arxiv_key_from_given_id_or_url() -> None:
    by_id = _key(kind=ItemKind.PAPER, title="A", arxiv="2211.04533v2")
    by_abs = _key(kind=ItemKind.PAPER, title="B", url="https://arxiv.org/abs/2211.04533")
    by_pdf = _key(kind=ItemKind.PAPER, url="http://arxiv.org/pdf/2211.04533v1.pdf")
    assert by_id == by_abs == by_pdf == "arxiv:2211.04533"


def test_given_arxiv_id_wins_over_url() -> None:
    key = _key(kind=ItemKind.PAPER, url="https://arxiv.org/abs/2211.16499", arxiv="2211.04533")
    assert key == "arxiv:2211.04533"


def test_url_key() -> None:
    a = _key(title="X", url="http://www.jasonwei.net/blog/practicing-ai-research/?utm_source=t")
    b = _key(title="Y", url="https://jasonwei.net/blog/practicing-ai-research")
    assert a == b == "url:https://jasonwei.net/blog/practicing-ai-research"


def test_title_key_when_no_url() -> None:
    a = _key(title="《Practicing AI research — Jason Wei》")
    b = _key(title="practicing ai research jason wei")
    assert a == b == "title:practicing ai research jason wei"


def test_text_key_for_quotes() -> None:
    a = _key(kind=ItemKind.QUOTE, text="AI is the new electricity.")
    b = _key(kind=ItemKind.QUOTE, text="  ai is the new electricity  ")
    c = _key(kind=ItemKind.QUOTE, text="Something else entirely.")
    assert a == b != c
    assert re.fullmatch(r"text:[0-9a-f]{16}", a)


def test_quotes_from_one_page_stay_apart() -> None:
    page = "https://www.jasonwei.net/blog/practicing-ai-research"
    a = _key(kind="quote", text="First quote.", url=page)
    b = _key(kind="quote", text="Second quote.", url=page)
    assert a != b
    assert a.startswith("text:")


def test_text_key_as_last_resort() -> None:
    assert _key(text="just some words").startswith("text:")
    assert _key(title="...", text="just some words") == _key(text="just some words")


def test_keys_are_stable() -> None:
    assert _key(kind=ItemKind.QUOTE, text="Simple is better.") == "text:5538d029f94fdf26"


# --- item_keys --------------------------------------------------------------------------------


def test_item_keys_start_with_the_dedupe_key() -> None:
    args = {
        "kind": ItemKind.PAPER,
        "title": "Harmonizing the object recognition strategies of deep neural networks",
        "text": "",
        "url": "https://arxiv.org/abs/2211.04533v1",
        "arxiv_id": None,
    }
    keys = item_keys(**args)
    assert keys[0] == dedupe_key(**args) == "arxiv:2211.04533"
    assert "title:harmonizing the object recognition strategies of deep neural networks" in keys


def test_paper_met_by_url_and_by_title_shares_a_key() -> None:
    title = "Vision Transformers Are Good Mask Auto-Labelers"
    by_url = item_keys(
        kind="paper", title=title, text="", url="https://arxiv.org/pdf/2301.03992", arxiv_id=None
    )
    by_title = item_keys(kind="paper", title=f"《{title}》", text="", url=None, arxiv_id=None)
    assert set(by_url) & set(by_title)


def test_item_keys_article() -> None:
    keys = item_keys(
        kind=ItemKind.ARTICLE,
        title="Practicing AI research",
        text="",
        url="http://www.jasonwei.net/blog/practicing-ai-research/",
        arxiv_id=None,
        video_url="https://www.youtube.com/watch?v=YoVek79LFe0&feature=share",
    )
    # The page a talk links may be shared by several talks, and one video may cover several
    # works: neither is a key, the title is.
    assert keys == ("title:practicing ai research",)


def test_talks_citing_one_book_keep_apart() -> None:
    book = "https://press.uchicago.edu/ucp/books/book/chicago/C/bo23521678.html"
    first, second = (
        item_keys(
            kind=ItemKind.ARTICLE, title=title, text="", url=book, arxiv_id=None, video_url=video
        )
        for title, video in (
            ("一", "https://www.bilibili.com/video/BV1hY411T7vy/"),
            ("二", "https://www.bilibili.com/video/BV11S4y1v7S2/"),
        )
    )
    assert not set(first) & set(second)


def test_short_titles_and_channel_links_are_not_keys() -> None:
    keys = item_keys(
        kind=ItemKind.ARTICLE,
        title="知乎",
        text="",
        url="https://www.zhihu.com/question/440729199",
        arxiv_id=None,
        video_url="https://www.youtube.com/@somechannel",
    )
    assert keys == ("url:https://zhihu.com/question/440729199",)


def test_quotes_have_only_their_text_key() -> None:
    keys = item_keys(
        kind=ItemKind.QUOTE,
        title="A long enough source title",
        text="AI is the new electricity.",
        url="https://example.com/talk",
        arxiv_id=None,
    )
    assert len(keys) == 1
    assert keys[0].startswith("text:")


def test_keys_fit_the_store() -> None:
    long_a = "https://example.com/" + "a" * 600 + "?id=1"
    long_b = "https://example.com/" + "a" * 600 + "?id=2"
    a = item_keys(kind="article", title="", text="", url=long_a, arxiv_id=None)
    b = item_keys(kind="article", title="", text="", url=long_b, arxiv_id=None)
    assert all(len(k) <= MAX_KEY_LENGTH for k in a + b)
    assert a != b


def test_item_keys_have_no_duplicates() -> None:
    keys = item_keys(
        kind="paper",
        title="",
        text="",
        url="https://arxiv.org/abs/2211.04533",
        arxiv_id="2211.04533",
    )
    assert keys == ("arxiv:2211.04533",)
