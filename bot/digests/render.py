"""A digest as parts in Telegram HTML with button specs (one message each), or as plain text
for the CLI.

Pure: values in, values out. The telegram adapter turns :class:`Button` rows into an
InlineKeyboardMarkup. Every piece of item text is escaped and only http(s) URLs become links,
because Telegram rejects a whole message over one stray ``<`` or ``&``. Lengths are counted in
UTF-16 code units of the HTML source (what Telegram's 4096 limit counts, and the stricter of the
two readings), and a digest splits between items, never inside one.

Layout of one item (HTML)::

    <b>1.</b> 📄 <b><a href="https://…">Title</a></b>
    <i>Author · Source · 2023</i>
    A preview cut at a sentence or word boundary…
    🎬 <a href="https://…">Video</a>
    <i>💡 like StyleGAN, GAN (you read 3)</i>

A quote shows its text in a ``<blockquote>`` followed by "— Speaker". Buttons: one row per
item, "✅ Read 1", "⏭ Later 1" (not now) and "👎 Less 1" (less like this), short enough for
three to share a phone's row; the answer already given is marked with a leading "● ".
Labels come from the translator passed in (:mod:`bot.i18n`); English when none is.
"""

from __future__ import annotations

import gettext
import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.digests import callbacks
from bot.digests.fitting import shorten, utf16_len
from bot.digests.opening import (
    DEFAULT_ENGINES,
    SearchEngines,
    context_of,
    http_url,
    opening_of,
    search_for,
    unnamed_title,
)
from bot.i18n import ENGLISH, N_
from bot.library.items import Answer, ItemKind, LibraryItem

__all__ = [
    "CHOSEN_MARK",
    "MAX_MESSAGE",
    "Button",
    "DigestPart",
    "DigestView",
    "item_buttons",
    "render_digest",
    "render_plain",
]

MAX_MESSAGE = 4096
# Marks the button of the answer already given, so a second press is visibly a no-op.
CHOSEN_MARK = "● "
# i18n: digest button; a number follows ("✅ Read 3")
READ_LABEL = N_("✅ Read")
# i18n: digest button "not now", short (3 per row); "⏭ Later 3"
LATER_LABEL = N_("⏭ Later")
# i18n: digest button "less like this", short (3 per row); "👎 Less 3"
LESS_LABEL = N_("👎 Less")
# i18n: shown for an item that has no title
UNTITLED = N_("Untitled")
# i18n: link text to an item's video
VIDEO = N_("Video")
# i18n: link text when a link has no host name to show
LINK = N_("link")

PREVIEW_CHARS = 300
TITLE_CHARS = 200
META_CHARS = 120
HEADER_CHARS = 200

_LABELS = ((Answer.READ, READ_LABEL), (Answer.SKIPPED, LATER_LABEL), (Answer.LESS, LESS_LABEL))
_SEPARATOR = "\n\n"
_ICONS = {ItemKind.QUOTE: "💬", ItemKind.PAPER: "📄", ItemKind.ARTICLE: "📰"}


@dataclass(frozen=True, slots=True)
class Button:
    """One inline button: its label and its callback data (from :mod:`bot.digests.callbacks`)."""

    text: str
    data: str


@dataclass(frozen=True, slots=True)
class DigestPart:
    """One part of a digest, sent as one Telegram message: HTML source ≤ MAX_MESSAGE UTF-16
    units, one button row per item."""

    html: str
    buttons: tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class DigestView:
    """What rendering needs of a stored digest."""

    digest_id: int
    title: str  # e.g. "Your reading for Mon 23 Nov"; the caller picks the language
    items: tuple[LibraryItem, ...]  # display order, numbered from 1
    answers: Mapping[int, Answer]  # item_id → answer already given
    engines: SearchEngines = DEFAULT_ENGINES  # where a title without a link is looked up
    why: Mapping[int, str] = field(default_factory=dict)  # item_id → why it was picked


@dataclass(frozen=True, slots=True)
class _Detail:
    """How much of an item to show; an item too long for a message is retried with less."""

    text: int
    title: int
    meta: int
    links: bool


_DETAILS = (
    _Detail(text=PREVIEW_CHARS, title=TITLE_CHARS, meta=META_CHARS, links=True),
    _Detail(text=120, title=TITLE_CHARS, meta=META_CHARS, links=True),
    _Detail(text=0, title=120, meta=60, links=True),
    _Detail(text=0, title=120, meta=60, links=False),
    # Bounded by constants alone (≤ 5 units per character once escaped), so it always fits.
    _Detail(text=0, title=40, meta=0, links=False),
)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One item reduced to plain strings, before HTML or plain-text formatting."""

    position: int
    icon: str
    title: str
    url: str | None
    meta: str
    text: str
    quote: bool
    video_url: str | None
    searched: bool = False  # the title's link searches for it: the item has none of its own
    why: str = ""  # why it was picked, in a few words


# --- public ---------------------------------------------------------------------------------


def item_buttons(
    digest_id: int,
    position: int,
    item_id: int,
    answer: Answer | None,
    tr: gettext.NullTranslations = ENGLISH,
) -> tuple[Button, ...]:
    """The read/later/less buttons of one item; the answer already given carries CHOSEN_MARK.

    >>> [b.text for b in item_buttons(1, 3, 10, Answer.READ)]
    ['● ✅ Read 3', '⏭ Later 3', '👎 Less 3']
    """
    return _buttons(digest_id, position, item_id, answer, _labels(tr))


def _labels(tr: gettext.NullTranslations) -> tuple[tuple[Answer, str], ...]:
    """Each answer with its button's label in ``tr``: looked up once per digest."""
    return tuple((choice, tr.gettext(label)) for choice, label in _LABELS)


def _buttons(
    digest_id: int,
    position: int,
    item_id: int,
    answer: Answer | None,
    labels: tuple[tuple[Answer, str], ...],
) -> tuple[Button, ...]:
    data = callbacks.answers_data(digest_id, item_id)
    return tuple(
        Button(f"{CHOSEN_MARK if choice is answer else ''}{label} {position}", data[choice])
        for choice, label in labels
    )


def render_digest(view: DigestView, tr: gettext.NullTranslations = ENGLISH) -> list[DigestPart]:
    """The digest as parts of at most MAX_MESSAGE UTF-16 units each, split between items."""
    return digest_renderer(view, tr)(view.digest_id)


def digest_renderer(
    view: DigestView, tr: gettext.NullTranslations = ENGLISH
) -> Callable[[int], list[DigestPart]]:
    """``render_digest`` in two steps: every item's HTML now, and the digest's parts once its
    id is known (only the buttons name it). A sweep renders before it takes the store's
    write lock, and holds it only to number and store what is rendered."""
    header = _header_html(view.title)
    # Every item fits in a message that also carries the header, so packing never overflows.
    budget = MAX_MESSAGE - utf16_len(header) - utf16_len(_SEPARATOR)
    labels, answers = _labels(tr), view.answers
    sources = [
        _item_html(view, item, position, budget, tr)
        for position, item in enumerate(view.items, start=1)
    ]

    def parts(digest_id: int) -> list[DigestPart]:
        blocks = [
            (source, _buttons(digest_id, position, item.id, answers.get(item.id), labels))
            for position, (source, item) in enumerate(
                zip(sources, view.items, strict=True), start=1
            )
        ]
        return _pack(header, blocks)

    return parts


def render_plain(view: DigestView, tr: gettext.NullTranslations = ENGLISH) -> str:
    """The digest as plain text, buttons listed as ``[✅ Read 1] [⏭ Later 1] [👎 Less 1]``."""
    parts = [" ".join(view.title.split())] if view.title.strip() else []
    labels = _labels(tr)
    for position, item in enumerate(view.items, start=1):
        entry = _entry(item, position, _DETAILS[0], tr, view.engines, view.why.get(item.id, ""))
        row = _buttons(view.digest_id, position, item.id, view.answers.get(item.id), labels)
        buttons = " ".join(f"[{b.text}]" for b in row)
        parts.append(_entry_plain(entry, buttons))
    return _SEPARATOR.join(parts) + "\n"


# --- entries --------------------------------------------------------------------------------


def _entry(
    item: LibraryItem,
    position: int,
    detail: _Detail,
    tr: gettext.NullTranslations,
    engines: SearchEngines = DEFAULT_ENGINES,
    why: str = "",
) -> _Entry:
    quote = item.kind is ItemKind.QUOTE
    opening = opening_of(item, engines) if detail.links else None
    url = http_url(opening.url) if opening else None
    if opening and url is None and not opening.searched:  # its own link is garbled
        opening = search_for(item, engines)
        url = http_url(opening.url) if opening else None
    body = (item.text or item.title) if quote else _context_text(item)
    # The owner's words first; what arXiv says fills only what they left out.
    title = "" if quote and _is_excerpt(item.title, body) else item.title or item.enriched_title
    if not title.strip() and not quote:
        title = unnamed_title(item, url)
    year = item.year or item.enriched_year
    meta_parts = [item.author or item.enriched_authors, item.source, str(year) if year else ""]
    return _Entry(
        position=position,
        icon=_ICONS.get(item.kind, "•"),
        title=shorten(title, detail.title) or ("" if quote else tr.gettext(UNTITLED)),
        url=url,
        meta=shorten(" · ".join(p.strip() for p in meta_parts if p.strip()), detail.meta),
        text=shorten(body, detail.text),
        quote=quote,
        video_url=http_url(item.video_url) if detail.links and url != item.video_url else None,
        searched=bool(url and opening and opening.searched),
        why=shorten(why, detail.meta),
    )


def _context_text(item: LibraryItem) -> str:
    """A reading item's line of context; its source is on the line above already."""
    context = context_of(item)
    if context is None or context.origin == "source":
        return ""
    marks = {"section": "§ ", "site": "🌐 "}
    return f"{marks.get(context.origin, '')}{context.text}"


def _is_excerpt(title: str, text: str) -> bool:
    """Whether a quote's title is just its opening words (importers use one when no work is
    named), and so not worth showing above the quote itself.

    >>> _is_excerpt("先读摘要", "先读摘要。再读方法。"), _is_excerpt("Essays", "Be kind.")
    (True, False)
    """
    head = " ".join(title.split()).rstrip("…").strip()
    return not head or head in " ".join(text.split())


# --- HTML -----------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _link(url: str, label: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{_esc(label)}</a>'


def _header_html(title: str) -> str:
    title = shorten(title, HEADER_CHARS)
    return f"<b>{_esc(title)}</b>" if title else ""


def _item_html(
    view: DigestView, item: LibraryItem, position: int, budget: int, tr: gettext.NullTranslations
) -> str:
    """The item at the richest detail that fits ``budget`` UTF-16 units."""
    why = view.why.get(item.id, "")
    for detail in _DETAILS:
        source = _entry_html(_entry(item, position, detail, tr, view.engines, why), tr)
        if utf16_len(source) <= budget:
            return source
    return source


def _entry_html(entry: _Entry, tr: gettext.NullTranslations) -> str:
    lines = [_first_line_html(entry)]
    if entry.quote:
        if entry.text:
            lines.append(f"<blockquote>{_esc(entry.text)}</blockquote>")
        if entry.meta:
            lines.append(_esc(f"— {entry.meta}"))
    else:
        if entry.meta:
            lines.append(f"<i>{_esc(entry.meta)}</i>")
        if entry.text:
            lines.append(_esc(entry.text))
    if entry.url and not entry.title:
        lines.append(f"🔗 {_link(entry.url, urlsplit(entry.url).hostname or tr.gettext(LINK))}")
    if entry.video_url:
        lines.append(f"🎬 {_link(entry.video_url, tr.gettext(VIDEO))}")
    if entry.why:
        lines.append(f"<i>💡 {_esc(entry.why)}</i>")
    return "\n".join(lines)


def _first_line_html(entry: _Entry) -> str:
    line = f"<b>{entry.position}.</b> {entry.icon}"
    if not entry.title:
        return line
    title = _link(entry.url, entry.title) if entry.url else _esc(entry.title)
    return f"{line} <b>{title}</b>{' 🔎' if entry.searched else ''}"


def _pack(header: str, blocks: Iterable[tuple[str, tuple[Button, ...]]]) -> list[DigestPart]:
    """Greedy packing of item blocks into parts; the header opens the first one."""
    packed: list[DigestPart] = []
    sources: list[str] = [header] if header else []
    rows: list[tuple[Button, ...]] = []
    size = utf16_len(header)
    gap = utf16_len(_SEPARATOR)
    for source, row in blocks:
        added = utf16_len(source) + (gap if sources else 0)
        if rows and size + added > MAX_MESSAGE:
            packed.append(DigestPart(_SEPARATOR.join(sources), tuple(rows)))
            sources, rows, size, added = [], [], 0, utf16_len(source)
        sources.append(source)
        rows.append(row)
        size += added
    if sources or not packed:
        packed.append(DigestPart(_SEPARATOR.join(sources), tuple(rows)))
    return packed


# --- plain text -----------------------------------------------------------------------------


def _entry_plain(entry: _Entry, buttons: str) -> str:
    lines = [f"{entry.position}. {entry.icon} {entry.title}".rstrip()]
    if entry.quote:
        lines += [f"   “{entry.text}”"] if entry.text else []
        lines += [f"   — {entry.meta}"] if entry.meta else []
    else:
        lines += [f"   {entry.meta}"] if entry.meta else []
        lines += [f"   {entry.text}"] if entry.text else []
    lines += [f"   {'🔎 ' if entry.searched else ''}{entry.url}"] if entry.url else []
    lines += [f"   🎬 {entry.video_url}"] if entry.video_url else []
    lines += [f"   💡 {entry.why}"] if entry.why else []
    lines.append(f"   {buttons}")
    return "\n".join(lines)
