"""How a reader opens an item and knows what it is: the link its title carries (its own page,
its arXiv abstract, its DOI, else a search for its title in an engine that fits it) and the
one line of context under it (the summary or abstract's first sentence, the owner's note, or
its section; never a bare title). Pure: values in, values out.

The engines are templates with ``{query}``: a paper-title search for papers, a web search for
the rest and for Chinese titles. The defaults answer from mainland China as from elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote_plus, urlsplit

from bot.library.dedupe import doi
from bot.library.items import ItemKind, LibraryItem

__all__ = [
    "DEFAULT_ENGINES",
    "MAX_URL_CHARS",
    "Context",
    "Opening",
    "SearchEngines",
    "context_of",
    "http_url",
    "opening_of",
    "search_for",
    "unnamed_title",
]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A Latin sentence ends before a space; a Chinese one at its own punctuation.
_SENTENCE = re.compile(r"^.*?(?:[.!?](?=\s)|[。！？])", re.S)


@dataclass(frozen=True, slots=True)
class SearchEngines:
    """URL templates with ``{query}``: where a title is looked up when an item has no link."""

    paper: str = "https://www.semanticscholar.org/search?q={query}"
    web: str = "https://www.bing.com/search?q={query}"


DEFAULT_ENGINES = SearchEngines()


@dataclass(frozen=True, slots=True)
class Opening:
    """The link an item's title carries; `searched` when it only searches for the title."""

    url: str
    searched: bool = False


@dataclass(frozen=True, slots=True)
class Context:
    """The line under an item and where it came from: "summary", "notes", "section", "site"
    or "source" (the last three say little; the seed test counts them)."""

    text: str
    origin: str


def own_link(item: LibraryItem) -> str | None:
    """The item's own page: its URL, else its arXiv abstract page, its DOI or its video.

    >>> own_link(LibraryItem(1, ItemKind.PAPER, "T", arxiv_id="1706.03762"))
    'https://arxiv.org/abs/1706.03762'
    """
    if item.url:
        return item.url
    if item.arxiv_id:
        return f"https://arxiv.org/abs/{item.arxiv_id}"
    if found := doi(item.text or ""):
        return f"https://doi.org/{found}"
    return item.video_url  # a recorded talk opens on its video


def opening_of(item: LibraryItem, engines: SearchEngines = DEFAULT_ENGINES) -> Opening | None:
    """The link for the item's title: its own, or a search for the title (None for a quote or
    an item without a title to search for).

    >>> opening_of(LibraryItem(1, ItemKind.PAPER, "StyleGAN3")).url
    'https://www.semanticscholar.org/search?q=StyleGAN3'
    >>> opening_of(LibraryItem(2, ItemKind.ARTICLE, "深度学习助力数据压缩")).url
    'https://www.bing.com/search?q=%E6%B7%B1%E5%BA%A6%E5%AD%A6%E4%B9%A0%E5%8A%A9%E5%8A%9B%E6%95%B0%E6%8D%AE%E5%8E%8B%E7%BC%A9'
    """
    if (link := own_link(item)) is not None:
        return Opening(link)
    return search_for(item, engines)


def search_for(item: LibraryItem, engines: SearchEngines = DEFAULT_ENGINES) -> Opening | None:
    """A search for the item's title: a paper-title search for a paper with a Latin title,
    a web search otherwise (None for a quote, or without a title)."""
    title = " ".join(item.title.split())
    if item.kind is ItemKind.QUOTE or not title:
        return None
    paper = item.kind is ItemKind.PAPER and not _CJK.search(title)
    template = engines.paper if paper else engines.web
    return Opening(template.replace("{query}", quote_plus(title)), searched=True)


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (all of it when it has no sentence end), one line.

    >>> first_sentence("使用 Transformer 解码器来做预训练。然后微调。")
    '使用 Transformer 解码器来做预训练。'
    >>> first_sentence("We propose X. It works.")
    'We propose X.'
    """
    flat = " ".join(text.split())
    found = _SENTENCE.match(flat)
    return found.group(0) if found else flat


def context_of(item: LibraryItem) -> Context | None:
    """The line of context under a reading item: the owner's summary, else the enriched
    abstract's first sentence, else the owner's notes' first sentence, else its section,
    else the site its link is on, else where it came from. None for a quote (its text is
    the item)."""
    if item.kind is ItemKind.QUOTE:
        return None
    for text, origin in _contexts(item):
        if text.strip():
            return Context(" ".join(text.split()), origin)
    return None


def _contexts(item: LibraryItem) -> Iterator[tuple[str, str]]:
    """Each possible context, best first, worked out only if those before it are blank: a
    sweep asks for every item of every digest, and most have a summary."""
    yield item.text, "summary"
    yield first_sentence(item.abstract), "summary"
    yield first_sentence(item.notes), "notes"
    yield item.topic, "section"
    yield _site(own_link(item)), "site"
    yield item.source, "source"


def _site(url: str | None) -> str:
    """The site a link is on, as a reader names it: "github.com", "arxiv.org".

    >>> _site("https://www.medium.com/hackernoon/x"), _site(None)
    ('medium.com', '')
    """
    host = urlsplit(url).hostname or "" if url else ""
    return host.removeprefix("www.")


# Longer links are shown unlinked: they would crowd out the digest itself.
MAX_URL_CHARS = 1024


def http_url(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) link; None for anything else, which is then dropped.

    >>> http_url("https://arxiv.org/abs/1706.03762")
    'https://arxiv.org/abs/1706.03762'
    >>> http_url("javascript:alert(1)"), http_url("http://"), http_url("see notes")
    (None, None, None)
    """
    url = (url or "").strip()
    # Spaces or control characters mean a garbled note, not a link Telegram would accept.
    # (isprintable() is False for every control, format and space character but " ".)
    if not url or len(url) > MAX_URL_CHARS or " " in url or not url.isprintable():
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in {"http", "https"} and parts.hostname else None


def unnamed_title(item: LibraryItem, url: str | None) -> str:
    """What an item without a title (a paper sent by its id alone) is called: its arXiv id,
    its DOI, else the host its link is on.

    >>> unnamed_title(LibraryItem(1, ItemKind.PAPER, "", arxiv_id="2301.03992"), None)
    'arXiv:2301.03992'
    >>> unnamed_title(LibraryItem(2, ItemKind.PAPER, ""), "https://doi.org/10.1145/3292500.3330701")
    'doi:10.1145/3292500.3330701'
    """
    if item.arxiv_id:
        return f"arXiv:{item.arxiv_id}"
    if url and (found := doi(url)):
        return f"doi:{found}"
    return (urlsplit(url).hostname or "") if url else ""
