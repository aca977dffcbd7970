"""/sources: the reader's sources with their levels, a page at a time, and the buttons that
set them (pure)."""

from __future__ import annotations

import gettext
import html
from collections.abc import Sequence

from bot.digests.callbacks import SourceLevelChange, SourcesPage, encode
from bot.digests.render import CHOSEN_MARK
from bot.i18n import ENGLISH, N_
from bot.library.items import SourceLevel
from bot.store.levels import ReaderSource
from bot.store.models import SourceKind

# Sources per message: four buttons each, well under the hundred a keyboard may hold.
SOURCES_PAGE = 8
# A name longer than this is cut, in the list and in a button's toast.
NAME_CHARS = 60

# i18n: a source's level under /sources: its buttons (the source's number follows) and the list
LEVELS = {
    SourceLevel.MORE: N_("➕ more"),
    SourceLevel.NORMAL: N_("= normal"),
    SourceLevel.LESS: N_("➖ less"),
    SourceLevel.NEVER: N_("🚫 never"),
}
_ICONS = {SourceKind.NOTES_FILE: "📄", SourceKind.FEED: "📰"}
NO_SOURCES = N_(
    "No source has items yet: import notes files, or wait for the newsletters' first posts."
)


def short_name(name: str) -> str:
    """
    >>> short_name("x" * 70)[-3:], len(short_name("x" * 70))
    ('xx…', 60)
    """
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def page_of(sources: Sequence[ReaderSource], source_id: int) -> int:
    """The page listing the source (the first if it is not listed)."""
    ids = [source.source_id for source in sources]
    return ids.index(source_id) // SOURCES_PAGE if source_id in ids else 0


def sources_page(
    sources: Sequence[ReaderSource], page: int, tr: gettext.NullTranslations = ENGLISH
) -> tuple[str, list[list[list[str]]]]:
    """One page of the list as Telegram HTML, with a row of level buttons per source (the
    current level marked) and, when there are several pages, buttons to turn them."""
    _ = tr.gettext
    if not sources:
        return _(NO_SOURCES), []
    pages = -(-len(sources) // SOURCES_PAGE)
    page = max(min(page, pages - 1), 0)
    first = page * SOURCES_PAGE
    shown = list(enumerate(sources[first : first + SOURCES_PAGE], start=first + 1))
    # i18n: Telegram HTML; keep the tags
    lines = [_("<b>Your sources</b>: how often each comes in your digests.")]
    for number, source in shown:
        count = tr.ngettext("{n} item", "{n} items", source.items).format(n=source.items)
        lines.append(
            f"{number}. {_ICONS[source.kind]} {html.escape(short_name(source.name))}"
            f" · {count} — <b>{html.escape(_(LEVELS[source.level]))}</b>"
        )
    lines.append(_("More: about twice as often. Less: under half as often. Never: not at all."))
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=page + 1, pages=pages))
    rows = [_level_row(number, source, tr) for number, source in shown]
    turns = [
        [label, encode(SourcesPage(target))]
        for label, target in ((_("◀ Prev"), page - 1), (_("Next ▶"), page + 1))
        if 0 <= target < pages
    ]
    return "\n".join(lines), [*rows, turns] if turns else rows


def _level_row(number: int, source: ReaderSource, tr: gettext.NullTranslations) -> list[list[str]]:
    return [
        [
            f"{CHOSEN_MARK if level is source.level else ''}{tr.gettext(label)} {number}",
            encode(SourceLevelChange(source.source_id, level)),
        ]
        for level, label in LEVELS.items()
    ]


def level_set_text(
    source: ReaderSource | None, level: SourceLevel, tr: gettext.NullTranslations = ENGLISH
) -> str:
    """The toast a level button answers with (at most 200 characters); a source not listed
    (none of its items is in the library now) goes unnamed."""
    label = tr.gettext(LEVELS[level])
    if source is None:
        return label
    return tr.gettext("{source}: {level}").format(source=short_name(source.name), level=label)
