"""What a message the owner sends files (pure rules), and what a page says of itself."""

from __future__ import annotations

import pytest

from bot.capture.meta import is_html, looks_like_feed, page_meta
from bot.capture.rules import (
    Incoming,
    Origin,
    TargetKind,
    as_item,
    for_add,
    prepare,
    quote,
    recognise,
)
from bot.library.items import ItemKind

CHANNEL = Origin("Reading Room", "chat:-1001", "https://t.me/readingroom/7")


@pytest.mark.parametrize(
    "text",
    [
        "read 2",
        "skip 1",
        "less 2",
        "later 3",
        "r1 s2 l4",
        "已读 1",
        "跳过 2",
        "少推 4",
        "hello",
        "",
    ],
)
def test_answers_and_chat_are_never_captured(text: str) -> None:
    assert recognise(Incoming(text)) is None


@pytest.mark.parametrize(
    ("text", "links", "kind", "found"),
    [
        (
            "https://arxiv.org/abs/2106.09685v2",
            ("https://arxiv.org/abs/2106.09685v2",),
            "arxiv",
            "2106.09685",
        ),
        ("see this", ("https://arxiv.org/pdf/2106.09685.pdf",), "arxiv", "2106.09685"),  # text_link
        ("arXiv:2106.09685", (), "arxiv", "2106.09685"),
        ("worth reading 2106.09685 tonight", (), "arxiv", "2106.09685"),
        ("hep-th/9901001", (), "arxiv", "hep-th/9901001"),
        ("10.1145/3292500.3330701", (), "doi", "10.1145/3292500.3330701"),
        ("doi:10.1145/3292500.3330701", (), "doi", "10.1145/3292500.3330701"),
        (
            "https://doi.org/10.1145/3292500.3330701",
            ("https://doi.org/10.1145/3292500.3330701",),
            "doi",
            "10.1145/3292500.3330701",
        ),
        ("a post", ("https://example.org/post",), "page", "https://example.org/post"),
    ],
)
def test_links_arxiv_ids_and_dois_are_recognised(
    text: str, links: tuple[str, ...], kind: str, found: str
) -> None:
    target = recognise(Incoming(text, links))
    assert target is not None and target.kind == kind
    assert found in (target.arxiv_id, target.doi, target.url)


def test_an_arxiv_link_wins_over_other_links_and_telegram_links_are_no_readings() -> None:
    links = (
        "https://t.me/readingroom",
        "https://example.org/x",
        "https://arxiv.org/abs/1706.03762",
    )
    assert recognise(Incoming("…", links)).arxiv_id == "1706.03762"  # type: ignore[union-attr]
    assert recognise(Incoming("join us", ("https://t.me/readingroom",))) is None


def test_the_owners_words_beside_a_link_are_kept_as_notes_a_channels_as_text() -> None:
    own = recognise(Incoming("worth a read: https://example.org/p", ("https://example.org/p",)))
    assert own is not None and own.text == "worth a read" and own.own_words
    item = as_item(own, title="A post", description="What it says.")
    assert (item.notes, item.text, item.kind) == ("worth a read", "What it says.", ItemKind.ARTICLE)
    forwarded = recognise(Incoming("New: a post", ("https://example.org/p",), CHANNEL))
    assert forwarded is not None
    item = as_item(forwarded)
    assert (item.notes, item.text, item.title) == ("", "New: a post", "https://example.org/p")


def test_a_forwarded_message_without_a_link_is_a_quote_by_its_sender() -> None:
    target = recognise(Incoming("Read slowly, then read again.", (), CHANNEL))
    assert target is not None and target.kind is TargetKind.QUOTE
    item = as_item(target)
    assert (item.kind, item.author, item.url) == (
        ItemKind.QUOTE,
        "Reading Room",
        "https://t.me/readingroom/7",
    )


@pytest.mark.parametrize(
    ("text", "author", "words"),
    [
        ("鲁迅：其实地上本没有路。", "鲁迅", "其实地上本没有路。"),
        (
            "Donald Knuth: Premature optimization is the root of all evil.",
            "Donald Knuth",
            "Premature optimization is the root of all evil.",
        ),
        ("Less, but better. — Dieter Rams", "Dieter Rams", "Less, but better."),
        ("Less, but better.\n-- Dieter Rams", "Dieter Rams", "Less, but better."),
        ("Words nobody signed.", "", "Words nobody signed."),
    ],
)
def test_add_files_words_as_a_quote_with_its_speaker(text: str, author: str, words: str) -> None:
    target = for_add(Incoming(text))
    assert target is not None and target.kind is TargetKind.QUOTE
    assert (target.author, target.text) == (author, words)


def test_a_paper_title_with_a_colon_is_no_speaker() -> None:
    assert quote("Perceiver: General Perception with Iterative Attention").author == ""


def test_add_with_a_link_or_an_id_files_that_and_without_text_nothing() -> None:
    target = for_add(Incoming("see https://example.org/p"))
    assert target is not None and target.url == "https://example.org/p"
    assert for_add(Incoming("  ")) is None


def test_papers_are_keyed_by_their_ids_as_an_import_keys_them() -> None:
    arxiv = recognise(Incoming("arXiv:2106.09685"))
    assert arxiv is not None
    item = as_item(arxiv)
    assert (item.kind, item.title, item.year) == (ItemKind.PAPER, "", 2021)
    assert "arxiv:2106.09685" in prepare(item).keys
    doi = recognise(Incoming("doi:10.1145/3292500.3330701"))
    assert doi is not None
    assert "doi:10.1145/3292500.3330701" in prepare(as_item(doi)).keys
    page = recognise(Incoming("x", ("https://dl.example.org/p",)))
    assert page is not None
    paper = as_item(page, title="A Paper", paper=True)
    assert paper.kind is ItemKind.PAPER
    assert "doi:10.1/x" in prepare(paper, ["doi:10.1/x"]).keys


# --- what a page says of itself ---------------------------------------------------------------


def test_open_graph_first_then_the_title_tag() -> None:
    page = page_meta(
        b"<html><head><title>Tag title</title><meta name='Description' content='Tag words'>"
        b"<meta property='og:title' content='OG &amp; title'></head></html>",
        "text/html",
        "https://example.org/a",
    )
    assert (page.title, page.description) == ("OG & title", "Tag words")
    bare = page_meta(b"<title>\n  Only   a tag \n</title>", "text/html", "https://example.org/")
    assert bare.title == "Only a tag"


def test_the_charset_comes_from_the_header_or_the_page() -> None:
    body = "<title>读论文</title>".encode("gb18030")
    assert page_meta(body, "text/html; charset=gb18030", "https://e.org/").title == "读论文"
    declared = b'<meta charset="gbk">' + "<title>读论文</title>".encode("gbk")
    assert page_meta(declared, "text/html", "https://e.org/").title == "读论文"


def test_the_offered_feed_is_absolute_and_scholarly_tags_mark_a_paper() -> None:
    page = page_meta(
        b'<link rel="Alternate" type="application/atom+xml" href="feed/atom">'
        b'<meta name="citation_title" content="A Paper"><meta name="citation_doi" content="doi:10.1/X">',
        "text/html",
        "https://example.org/blog/post",
    )
    assert page.feed_url == "https://example.org/blog/feed/atom"
    assert page.paper and page.doi == "10.1/x"
    assert page.title == "A Paper"


@pytest.mark.parametrize(
    ("content_type", "body", "feed", "html"),
    [
        ("application/rss+xml", b"<rss/>", True, False),
        (
            "text/xml",
            b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
            True,
            False,
        ),
        ("", b"\xef\xbb\xbf<rss version='2.0'>", True, False),
        ("text/html", b"<rss>", False, True),
        ("", b"<!DOCTYPE html><html>", False, True),
        ("application/pdf", b"%PDF-1.7", False, False),
    ],
)
def test_feeds_pages_and_other_bodies_are_told_apart(
    content_type: str, body: bytes, feed: bool, html: bool
) -> None:
    assert looks_like_feed(content_type, body) is feed
    assert is_html(content_type, body) is html
