"""What a message the owner sends is, for the library (pure): a web link, an arXiv paper, a
DOI, or a quote; and where a forwarded one came from.

Plain text that is none of these (`read 2`, `skip 1`, a greeting) is no capture: only a link,
an arXiv id, a DOI or a forwarded message is filed on its own; `/add` files anything else as a
quote, with its speaker when it names one (``Speaker：text``, ``Speaker: text``,
``text — Speaker``), the forms the owner's notes use (bot.library.notes.quotes).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.library.dedupe import arxiv_id, doi, keys_of
from bot.library.items import ItemKind, ParsedItem, PreparedItem
from bot.library.notes import links, quotes
from bot.library.notes.text import excerpt, join_lines
from bot.library.tokens import search_tokens

__all__ = [
    "Incoming",
    "Origin",
    "Target",
    "TargetKind",
    "as_item",
    "for_add",
    "prepare",
    "quote",
    "recognise",
]

# Links into Telegram itself (a channel's own post, "join us") are not readings.
_TELEGRAM_HOSTS = frozenset({"t.me", "telegram.me", "telegram.dog"})
# A new-style arXiv id standing as a word of its own ("see 2301.03992").
_BARE_ARXIV = re.compile(r"(?<![\w./])(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v\d+)?(?![\w/])")
# A DOI standing as a word of its own ("10.1145/3292500.3330701").
_BARE_DOI = re.compile(r"(?<![\w./])(10\.\d{4,9}/[^\s\"<>]+)")
NOTE_MAX = 2000


class TargetKind(enum.StrEnum):
    PAGE = "page"  # a web page, read for its title and description
    ARXIV = "arxiv"  # an arXiv paper, looked up on arXiv
    DOI = "doi"  # a paper known by its DOI alone
    QUOTE = "quote"  # words to keep, with their speaker


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a forwarded message came from: a channel, a group, a person."""

    name: str  # as Telegram shows it: the channel's title, the person's name
    key: str  # stable across renames where Telegram gives an id: "chat:-100…", "user:42"
    link: str | None = None  # the post itself, for a public channel's


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message as the rules read it: its text, the links its entities carry (a plain URL's
    text, a text_link's hidden URL) in order, and its origin when forwarded."""

    text: str
    links: tuple[str, ...] = ()
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """What to file: its kind, its link or ids, and the words around it."""

    kind: TargetKind
    url: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    text: str = ""  # a quote's words; else the message without its link
    author: str = ""  # a quote's speaker
    work: str = ""  # the work a quote is from, when named (``— Name《Work》``)
    origin: Origin | None = None

    @property
    def own_words(self) -> bool:
        """The text is the owner's (a note on the link), not a forwarded post's."""
        return self.origin is None


def recognise(message: Incoming) -> Target | None:
    """What a message files on its own, or None for plain text (an answer, a greeting).

    >>> recognise(Incoming("read 2")) is None
    True
    >>> link = "https://arxiv.org/abs/1706.03762v5"
    >>> recognise(Incoming(f"look {link}", (link,))).arxiv_id
    '1706.03762'
    >>> recognise(Incoming("doi:10.1145/3292500.3330701")).kind
    <TargetKind.DOI: 'doi'>
    """
    urls = [url for url in message.links if not _is_telegram(url)]
    rest = _without(message.text, message.links)
    for url in urls:
        if found := arxiv_id(url):
            return _arxiv(found, rest, message.origin)
    for url in urls:
        if (found := doi(url)) and _host(url) in ("doi.org", "dx.doi.org"):
            return _doi(found, rest, message.origin)
    if urls:
        return Target(TargetKind.PAGE, url=urls[0], text=rest, origin=message.origin)
    if found := (arxiv_id(message.text) or _bare(_BARE_ARXIV, message.text)):
        return _arxiv(found, _unlabelled(message.text, "arxiv", found), message.origin)
    if found := (doi(message.text) or _bare(_BARE_DOI, message.text)):
        return _doi(found, _unlabelled(message.text, "doi", found), message.origin)
    if message.origin is not None and message.text.strip():
        return quote(message.text, message.origin)
    return None


def for_add(message: Incoming) -> Target | None:
    """What `/add TEXT` files: what the text would file on its own, else the text as a quote
    (None for no text at all).

    >>> target = for_add(Incoming("Alan Kay: The best way to predict the future is to invent it."))
    >>> target.kind, target.author, target.text
    (<TargetKind.QUOTE: 'quote'>, 'Alan Kay', 'The best way to predict the future is to invent it.')
    """
    found = links.find_urls(message.text) if not message.links else list(message.links)
    target = recognise(Incoming(message.text, tuple(found), message.origin))
    if target is not None:
        return target
    return quote(message.text, message.origin) if message.text.strip() else None


def quote(text: str, origin: Origin | None = None) -> Target:
    """Words to keep: the speaker named before a colon (``王小波：…``) or after a dash
    (``… — Name《Work》``), else, for a forwarded message, its sender.

    >>> quote("王小波：一个人只拥有此生此世是不够的。").author
    '王小波'
    >>> t = quote("Simple things should be simple. — Alan Kay")
    >>> t.text, t.author
    ('Simple things should be simple.', 'Alan Kay')
    """
    lines = [line.strip() for line in text.strip().splitlines()]
    author = work = ""
    if lines and (speaker := quotes.split_speaker(lines[0])):
        author, lines[0] = speaker.author, speaker.text
    for i, line in enumerate(lines):
        said = quotes.split_attribution(line)
        if said and not author:
            author, work, lines[i] = said.author, said.work, said.text
    if not author and origin is not None:
        author = origin.name
    body = join_lines(lines)
    return Target(TargetKind.QUOTE, text=body, author=author, work=work, origin=origin)


def as_item(
    target: Target, title: str = "", description: str = "", paper: bool = False
) -> ParsedItem:
    """The item a capture files: a page's title and description as read (its URL when the
    page gave none), the owner's words around the link as notes, a forwarded post's as text
    when the page says nothing. ``paper``: the page says it is a scholarly paper."""
    if target.kind is TargetKind.QUOTE:
        return ParsedItem(
            kind=ItemKind.QUOTE,
            title=target.work or excerpt(target.text),
            text=target.text,
            author=target.author,
            url=target.origin.link if target.origin else None,  # a public channel's post
        )
    notes = target.text[:NOTE_MAX] if target.own_words else ""
    text = description or ("" if target.own_words else target.text[:NOTE_MAX])
    if target.kind is TargetKind.ARXIV:
        # No title of its own: arXiv's is shown (bot.digests.render), else its id.
        return ParsedItem(
            kind=ItemKind.PAPER,
            text=text,
            notes=notes,
            url=target.url,
            arxiv_id=target.arxiv_id,
            year=_arxiv_year(target.arxiv_id),
        )
    if target.kind is TargetKind.DOI:
        return ParsedItem(kind=ItemKind.PAPER, text=text, notes=notes, url=target.url)
    url = target.url or ""
    is_paper = paper or links.is_paper_url(url) or doi(url) is not None
    return ParsedItem(
        kind=ItemKind.PAPER if is_paper else ItemKind.ARTICLE,
        title=title or url,
        text=text,
        notes=notes,
        url=url,
        video_url=url if links.is_video_url(url) else None,
    )


def prepare(item: ParsedItem, extra_keys: Sequence[str] = ()) -> PreparedItem:
    """The item with its dedupe keys and search tokens, as an import prepares a note."""
    keys = keys_of(item)

    body = " ".join(p for p in (item.text, item.notes, item.author, item.arxiv_id or "") if p)
    return PreparedItem(
        parsed=item,
        keys=tuple(dict.fromkeys([*keys, *extra_keys])),
        raw_text=None,
        repair_confidence=None,
        title_tokens=search_tokens(item.title),
        body_tokens=search_tokens(body),
    )


def _arxiv(found: str, rest: str, origin: Origin | None) -> Target:
    url = f"https://arxiv.org/abs/{found}"
    return Target(TargetKind.ARXIV, url=url, arxiv_id=found, text=rest, origin=origin)


def _doi(found: str, rest: str, origin: Origin | None) -> Target:
    url = f"https://doi.org/{found}"
    return Target(TargetKind.DOI, url=url, doi=found.lower(), text=rest, origin=origin)


def _arxiv_year(found: str | None) -> int | None:
    """The year a new-style id was issued (YYMM…); old-style ids say nothing simple."""
    return links.arxiv_year(found) if found and "/" not in found else None


def _unlabelled(text: str, label: str, found: str) -> str:
    """The text without the id and the label before it ("arXiv:", "doi:"), tidied.

    >>> _unlabelled("read arXiv: 2301.03992v2 soon", "arxiv", "2301.03992")
    'read soon'
    """
    pattern = rf"(?i)(?:\b{label}\s*[:：]?\s*)?{re.escape(found)}(?:v\d+)?"
    return _without(re.sub(pattern, " ", text), ())


def _bare(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1).rstrip(".,;)") if match else None


def _without(text: str, parts: Sequence[str]) -> str:
    """The text with the given links (or ids) taken out, tidied."""
    for part in parts:
        text = text.replace(part, " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return join_lines(lines).strip(" :：-–—")


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def _is_telegram(url: str) -> bool:
    return _host(url) in _TELEGRAM_HOSTS
