"""Rendering a digest: valid Telegram HTML, ≤ 4096 UTF-16 units, split between items."""

from __future__ import annotations

import itertools
import re
from unicodedata import east_asian_width

import pytest

from bot.digests import callbacks
from bot.digests.render import (
    MAX_MESSAGE,
    Button,
    DigestPart,
    DigestView,
    item_buttons,
    render_digest,
    render_plain,
    utf16_len,
)
from bot.digests.selection import MAX_DIGEST_SIZE
from bot.i18n import translator
from bot.library.items import Answer, ItemKind, LibraryItem
from tests.support.telegram_html import assert_telegram_html, html_problems

NASTY = 'Fish & chips <script>alert("x")</script> </a> <b>bold?</b> a<b &amp; &lt; 1 > 0'
EMOJI = "📄🧠🚀👩‍💻"  # outside the BMP: two UTF-16 units each, one joined sequence


def paper(item_id: int, **fields: object) -> LibraryItem:
    values: dict = {
        "kind": ItemKind.PAPER,
        "title": "Attention Is All You Need",
        "text": "We propose the Transformer. It relies entirely on attention.",
        "author": "Vaswani et al.",
        "year": 2017,
        "url": "https://arxiv.org/abs/1706.03762",
    }
    values.update(fields)
    return LibraryItem(id=item_id, **values)


def view(*items: LibraryItem, answers: dict[int, Answer] | None = None) -> DigestView:
    return DigestView(
        digest_id=77, title="Your reading for Mon 23 Nov", items=items, answers=answers or {}
    )


def positions_in(message: DigestPart) -> list[int]:
    return [int(n) for n in re.findall(r"<b>(\d+)\.</b>", message.html)]


def assert_valid_messages(messages: list[DigestPart]) -> None:
    assert messages
    for message in messages:
        assert_telegram_html(message.html)
        assert utf16_len(message.html) <= MAX_MESSAGE
        for row in message.buttons:
            for button in row:
                assert len(button.data.encode("utf-8")) <= 64
                callbacks.decode(button.data)


# --- the validator itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "a < b",
        "fish & chips",
        "1 > 0",
        "&nbsp;",
        "&amp missing semicolon",
        "<script>x</script>",
        "<b>open",
        "<b>x</i>",
        "</a>x",
        "<a>x</a>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="https://a.example"><a href="https://b.example">x</a></a>',
        '<b class="x">x</b>',
        "<br/>x",
        "<!-- x -->y",
        "<b></b>",
        "x" * 4097,
        "📄" * 2049,
    ],
)
def test_the_validator_rejects_what_telegram_rejects(source: str) -> None:
    assert html_problems(source)


@pytest.mark.parametrize(
    "source",
    [
        "plain",
        "<b>1.</b> &lt;script&gt; &amp; &quot; &#39; &#x1F4C4;",
        '<b><a href="https://example.com/?a=1&amp;b=&quot;2&quot;">t</a></b>',
        "<blockquote>q</blockquote>\n— who",
        "<i>x</i><u>y</u><s>z</s><code>c</code><pre>p</pre><tg-spoiler>s</tg-spoiler>",
        "x" * 4096,
        "📄" * 2048,
    ],
)
def test_the_validator_accepts_valid_messages(source: str) -> None:
    assert html_problems(source) == []


# --- utf16_len --------------------------------------------------------------------------------


def test_utf16_len_counts_surrogate_pairs_twice() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("注意力") == 3
    assert utf16_len("🚀") == 2
    assert utf16_len("👩‍💻") == 5  # woman + ZWJ + laptop


# --- single items -----------------------------------------------------------------------------


def test_a_paper_shows_number_linked_title_byline_text_and_buttons() -> None:
    [message] = render_digest(view(paper(10)))
    assert message.html == (
        "<b>Your reading for Mon 23 Nov</b>\n\n"
        '<b>1.</b> 📄 <b><a href="https://arxiv.org/abs/1706.03762">Attention Is All You Need</a></b>\n'
        "<i>Vaswani et al. · 2017</i>\n"
        "We propose the Transformer. It relies entirely on attention."
    )
    assert message.buttons == (
        (
            Button("✅ Read 1", "l1:r:25:a"),
            Button("⏭ Later 1", "l1:s:25:a"),
            Button("👎 Less 1", "l1:l:25:a"),
        ),
    )


def test_a_quote_shows_its_text_in_a_blockquote_with_the_speaker() -> None:
    quote = LibraryItem(
        id=3,
        kind=ItemKind.QUOTE,
        title="先读摘要",
        text="先读摘要。再读方法。",
        author="李沐",
    )
    [message] = render_digest(view(quote))
    assert "<b>1.</b> 💬\n<blockquote>先读摘要。再读方法。</blockquote>\n— 李沐" in message.html
    assert_valid_messages([message])


def test_a_quote_from_a_named_work_shows_the_work() -> None:
    quote = LibraryItem(
        id=3,
        kind=ItemKind.QUOTE,
        title="The Bitter Lesson",
        text="Search and learning scale.",
        author="Rich Sutton",
    )
    [message] = render_digest(view(quote))
    assert (
        "💬 <b>The Bitter Lesson</b>\n<blockquote>Search and learning scale.</blockquote>"
        in message.html
    )


def test_an_article_from_a_newsletter_names_its_source_and_video() -> None:
    article = paper(
        4,
        kind=ItemKind.ARTICLE,
        author="",
        source="Import AI",
        year=None,
        video_url="https://www.bilibili.com/video/BV1pu411o7BE",
    )
    [message] = render_digest(view(article))
    assert "📰" in message.html
    assert "<i>Import AI</i>" in message.html
    assert '🎬 <a href="https://www.bilibili.com/video/BV1pu411o7BE">Video</a>' in message.html


def test_markup_in_item_text_is_escaped_everywhere() -> None:
    item = paper(5, title=NASTY, text=NASTY, author=NASTY, source=NASTY)
    [message] = render_digest(view(item))
    assert_valid_messages([message])
    assert "<script>" not in message.html
    assert "&lt;script&gt;" in message.html
    assert "Fish &amp; chips" in message.html
    assert "&amp;amp;" in message.html  # an entity in the notes is shown, not interpreted


def test_a_digest_title_with_markup_is_escaped() -> None:
    messages = render_digest(
        DigestView(digest_id=1, title="<b>Mon</b> & </a>", items=(paper(1),), answers={})
    )
    assert messages[0].html.startswith("<b>&lt;b&gt;Mon&lt;/b&gt; &amp; &lt;/a&gt;</b>")
    assert_valid_messages(messages)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>",
        "ftp://example.com/x",
        "http://",
        "not a url",
        "https://exa mple.com",
        "https://example.com/\n<script>",
        "",
    ],
)
def test_only_http_links_become_links(url: str) -> None:
    [message] = render_digest(view(paper(6, url=url, video_url=url)))
    assert_valid_messages([message])
    # The garbled link is dropped; the title searches for the paper instead.
    search = "https://www.semanticscholar.org/search?q=Attention+Is+All+You+Need"
    assert re.findall(r'<a href="([^"]*)"', message.html) == [search]
    assert "javascript" not in message.html.lower()
    assert "Attention Is All You Need" in message.html


def test_a_link_with_quotes_and_ampersands_is_escaped_in_the_href() -> None:
    url = 'https://example.com/search?q="x"&page=2#<frag>'
    [message] = render_digest(view(paper(7, url=url)))
    assert (
        'href="https://example.com/search?q=&quot;x&quot;&amp;page=2#&lt;frag&gt;"' in message.html
    )
    assert_valid_messages([message])


def test_an_untitled_article_is_named_by_its_host() -> None:
    [message] = render_digest(view(paper(8, title="", url="https://lilianweng.github.io/posts/x")))
    assert ">lilianweng.github.io</a>" in message.html


def test_long_text_is_cut_at_a_boundary_with_an_ellipsis() -> None:
    text = "Scaling laws hold. " * 200
    [message] = render_digest(view(paper(9, text=text)))
    body = message.html.split("\n")[-1]
    assert body.endswith("hold. …")
    assert len(body) <= 300


def test_chinese_emoji_and_3000_character_texts_render_valid() -> None:
    items = (
        paper(1, title="注意力机制" + EMOJI, text="深度学习。" * 600),
        paper(2, title=EMOJI * 50, text=EMOJI * 1000),
        paper(3, title=NASTY, text=(NASTY + " ") * 40),
        paper(4, text="x" * 3000),
        LibraryItem(id=5, kind=ItemKind.QUOTE, title="", text="<&>" * 1000, author="</a>"),
    )
    messages = render_digest(view(*items))
    assert_valid_messages(messages)
    assert [p for m in messages for p in positions_in(m)] == [1, 2, 3, 4, 5]


def test_an_item_too_long_for_any_message_is_shortened_not_split() -> None:
    huge = paper(
        1,
        title="&<" * 3000,
        text="&" * 5000,
        author="<" * 3000,
        source=">" * 3000,
        url="https://example.com/?" + "a&b" * 330,
        video_url="https://example.com/?" + "&" * 1000,
    )
    messages = render_digest(
        DigestView(digest_id=1, title="&" * 5000, items=(huge,) * 3, answers={})
    )
    assert_valid_messages(messages)
    assert [p for m in messages for p in positions_in(m)] == [1, 2, 3]


# --- splitting --------------------------------------------------------------------------------


def test_a_long_digest_splits_between_items_with_each_items_buttons_beside_it() -> None:
    items = tuple(
        paper(100 + n, title=f"Paper {n} & <friends>", text=f"Finding {n} & more. " * 150)
        for n in range(1, 21)
    )
    messages = render_digest(view(*items))

    assert len(messages) > 1
    assert_valid_messages(messages)
    assert [p for m in messages for p in positions_in(m)] == list(range(1, 21))
    for message in messages:
        positions = positions_in(message)
        assert positions, "no message is without items"
        assert [row[0].text for row in message.buttons] == [f"✅ Read {p}" for p in positions]
        for position, row in zip(positions, message.buttons, strict=True):
            decoded = callbacks.decode(row[0].data)
            assert decoded == callbacks.ItemAnswer(77, 100 + position, Answer.READ)
    assert messages[0].html.startswith("<b>Your reading for Mon 23 Nov</b>")
    assert "Your reading" not in messages[1].html


def test_packing_fills_messages_before_starting_new_ones() -> None:
    items = tuple(paper(n, text="Finding. " * 40) for n in range(1, 21))
    messages = render_digest(view(*items))
    for first, second in itertools.pairwise(messages):
        next_item = second.html.split("\n\n")[0]
        assert utf16_len(first.html) + 2 + utf16_len(next_item) > MAX_MESSAGE


def test_an_empty_digest_is_one_message_with_the_title() -> None:
    assert render_digest(view()) == [DigestPart("<b>Your reading for Mon 23 Nov</b>", ())]


# --- buttons ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "labels"),
    [
        (None, ["✅ Read 2", "⏭ Later 2", "👎 Less 2"]),
        (Answer.READ, ["● ✅ Read 2", "⏭ Later 2", "👎 Less 2"]),
        (Answer.SKIPPED, ["✅ Read 2", "● ⏭ Later 2", "👎 Less 2"]),
        (Answer.LESS, ["✅ Read 2", "⏭ Later 2", "● 👎 Less 2"]),
    ],
)
def test_buttons_mark_the_answer_already_given(answer: Answer | None, labels: list[str]) -> None:
    assert [b.text for b in item_buttons(1, 2, 3, answer)] == labels


def test_button_data_decodes_to_the_digest_item_and_answer() -> None:
    buttons = item_buttons(2**63 - 1, 20, 2**63 - 1, None)
    assert [callbacks.decode(b.data) for b in buttons] == [
        callbacks.ItemAnswer(2**63 - 1, 2**63 - 1, answer)
        for answer in (Answer.READ, Answer.SKIPPED, Answer.LESS)
    ]
    assert all(len(b.data.encode()) <= 64 for b in buttons)


def columns(text: str) -> int:
    """How wide ``text`` shows: emoji and Chinese characters take two columns."""
    return sum(2 if east_asian_width(ch) in "WF" or ord(ch) >= 0x2300 else 1 for ch in text)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_three_answer_buttons_are_short_enough_to_share_a_phones_row(language: str) -> None:
    # A third of a 360-pixel-wide phone shows about 13 columns: 11 for the label with the
    # largest position (20), 2 for the mark of the answer given.
    labels = [b.text for b in item_buttons(1, MAX_DIGEST_SIZE, 3, None, translator(language))]
    assert len(labels) == 3
    assert max(columns(label) for label in labels) <= 11, labels


def test_the_digest_shows_answers_already_given() -> None:
    answers = {2: Answer.SKIPPED, 3: Answer.LESS}
    [message] = render_digest(view(paper(1), paper(2), paper(3), answers=answers))
    assert [[b.text for b in row] for row in message.buttons] == [
        ["✅ Read 1", "⏭ Later 1", "👎 Less 1"],
        ["✅ Read 2", "● ⏭ Later 2", "👎 Less 2"],
        ["✅ Read 3", "⏭ Later 3", "● 👎 Less 3"],
    ]


# --- plain text -------------------------------------------------------------------------------


def test_plain_text_lists_items_and_their_buttons() -> None:
    quote = LibraryItem(id=2, kind=ItemKind.QUOTE, title="Stay", text="Stay hungry.", author="Jobs")
    text = render_plain(view(paper(1), quote, answers={1: Answer.READ}))
    assert text == (
        "Your reading for Mon 23 Nov\n\n"
        "1. 📄 Attention Is All You Need\n"
        "   Vaswani et al. · 2017\n"
        "   We propose the Transformer. It relies entirely on attention.\n"
        "   https://arxiv.org/abs/1706.03762\n"
        "   [● ✅ Read 1] [⏭ Later 1] [👎 Less 1]\n\n"
        "2. 💬\n"
        "   “Stay hungry.”\n"
        "   — Jobs\n"
        "   [✅ Read 2] [⏭ Later 2] [👎 Less 2]\n"
    )


def test_plain_text_keeps_markup_as_written_and_drops_unsafe_links() -> None:
    text = render_plain(view(paper(1, title="<b>&</b>", url="javascript:alert(1)")))
    assert "1. 📄 <b>&</b>" in text
    assert "javascript" not in text
