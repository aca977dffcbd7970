"""Every reading item can be opened and says what it is: its own link or a search for its
title, and a line of context that is never the bare title."""

from __future__ import annotations

import pytest

from bot.digests.opening import (
    Context,
    SearchEngines,
    context_of,
    opening_of,
)
from bot.digests.render import DigestView, render_digest, render_plain
from bot.library.items import ItemKind, LibraryItem


def paper(**fields: object) -> LibraryItem:
    return LibraryItem(**{"id": 1, "kind": ItemKind.PAPER, "title": "StyleGAN3", **fields})  # type: ignore[arg-type]


def test_an_items_own_link_comes_first_then_its_arxiv_page() -> None:
    assert opening_of(paper(url="https://nvlabs.github.io/stylegan3")).url == (
        "https://nvlabs.github.io/stylegan3"
    )
    arxiv = opening_of(paper(arxiv_id="2106.12423"))
    assert arxiv is not None and (arxiv.url, arxiv.searched) == (
        "https://arxiv.org/abs/2106.12423",
        False,
    )


def test_a_doi_in_the_owners_summary_links_the_paper() -> None:
    found = opening_of(paper(text="Published as doi:10.1145/3292500.3330701."))
    assert found is not None and found.url == "https://doi.org/10.1145/3292500.3330701"


@pytest.mark.parametrize(
    ("kind", "title", "engine"),
    [
        (ItemKind.PAPER, "Alias-Free Generative Adversarial Networks", "paper"),
        (ItemKind.PAPER, "深度残差网络", "web"),  # a Chinese title: a web search finds it
        (ItemKind.ARTICLE, "A Visual Guide to Mamba", "web"),
        (ItemKind.ARTICLE, "深度学习助力数据压缩，一文读懂相关理论", "web"),
    ],
)
def test_an_item_without_a_link_searches_for_its_title(
    kind: ItemKind, title: str, engine: str
) -> None:
    engines = SearchEngines(paper="https://p.example/?q={query}", web="https://w.example/s?{query}")
    found = opening_of(LibraryItem(1, kind, title), engines)
    assert found is not None and found.searched
    template = engines.paper if engine == "paper" else engines.web
    assert found.url.startswith(template.split("{query}")[0])
    assert " " not in found.url


def test_a_quote_or_an_untitled_item_has_nothing_to_search() -> None:
    assert opening_of(LibraryItem(1, ItemKind.QUOTE, "Less is more.")) is None
    assert opening_of(LibraryItem(2, ItemKind.ARTICLE, "  ")) is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"text": "Alias-free generators.", "abstract": "We observe X. Y."},
            ("Alias-free generators.", "summary"),
        ),
        (
            {"abstract": "We observe that X. And Y.", "notes": "My note."},
            ("We observe that X.", "summary"),
        ),
        (
            {"notes": "读这篇是为了等变性。后面还有。", "topic": "生成模型"},
            ("读这篇是为了等变性。", "notes"),
        ),
        ({"topic": "生成模型", "source": "003.txt"}, ("生成模型", "section")),
        ({"source": "The Batch"}, ("The Batch", "source")),
    ],
)
def test_the_line_of_context_prefers_the_summary_then_notes_then_section(
    fields: dict[str, str], expected: tuple[str, str]
) -> None:
    assert context_of(paper(**fields)) == Context(*expected)


def test_a_digest_shows_the_search_link_and_the_section_when_that_is_all_there_is() -> None:
    item = LibraryItem(7, ItemKind.PAPER, "StyleGAN3", topic="生成模型", year=2021)
    view = DigestView(1, "Your reading", (item,), {})
    [part] = render_digest(view)
    assert '<a href="https://www.semanticscholar.org/search?q=StyleGAN3">StyleGAN3</a>' in part.html
    assert "🔎" in part.html and "§ 生成模型" in part.html
    plain = render_plain(view)
    assert "🔎 https://www.semanticscholar.org/search?q=StyleGAN3" in plain
    assert "§ 生成模型" in plain


def test_what_arxiv_says_fills_only_what_the_owner_left_out() -> None:
    owner = paper(
        title="",
        text="My one-line summary.",
        arxiv_id="2106.12423",
        abstract="We observe that despite their hierarchical convolutional nature. More.",
        enriched_title="Alias-Free Generative Adversarial Networks",
        enriched_authors="Tero Karras, Miika Aittala",
        enriched_year=2021,
    )
    [part] = render_digest(DigestView(1, "Your reading", (owner,), {}))
    assert '<a href="https://arxiv.org/abs/2106.12423">Alias-Free Generative' in part.html
    assert "Tero Karras, Miika Aittala" in part.html and "2021" in part.html
    assert "My one-line summary." in part.html and "We observe" not in part.html
    abstract_only = paper(abstract="We observe that X. More.", arxiv_id="2106.12423")
    [part] = render_digest(DigestView(1, "Your reading", (abstract_only,), {}))
    assert "We observe that X." in part.html and "More." not in part.html
