"""Composing digests: for each chat that is due (or asks), draw from the library, render and
store the digest with its messages pending. A plain service; the sweep (bot/digests/due.py) and
/digest call it."""

from __future__ import annotations

import datetime as dt
import gc
import gettext
import logging
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from functools import partial

from sqlalchemy.orm import Session

from bot.digests.opening import DEFAULT_ENGINES, SearchEngines
from bot.digests.processes import compose_in_processes, process_count
from bot.digests.render import DigestView, digest_renderer
from bot.digests.schedule import due_date
from bot.digests.selection import DigestPrefs, DrawnItems, SelectionIndex, compose_indexed
from bot.digests.why import why_lines
from bot.i18n import ENGLISH, format_day, translator
from bot.library.items import ItemHistory, LibraryItem
from bot.store import digests
from bot.store.db import Store
from bot.store.digests import (
    ActiveChat,
    NewDigest,
    Render,
    active_chats,
    add_digests,
    muted_words_of,
)
from bot.store.histories import stream_histories
from bot.store.levels import levels_of
from bot.store.models import Digest, DigestKind
from bot.store.search import best_matches

log = logging.getLogger(__name__)

# A theme is named in the digest's title: a long one is cut.
THEME_CHARS = 100
# Chats composed per transaction: a few statements and one commit (a sync to disk) per batch
# instead of per chat, while a batch still holds SQLite's write lock (from storing its first
# digest to its commit) for well under a second.
COMPOSE_BATCH = 250


def digest_seed(chat_id: int, day: dt.date, kind: DigestKind, theme: str = "") -> int:
    """A fixed seed per chat, date, kind and theme, so a digest can be composed again
    identically."""
    themed = f":{theme}" if theme else ""
    return zlib.crc32(f"{chat_id}:{day.isoformat()}:{kind.value}{themed}".encode())


def digest_title(day: dt.date, tr: gettext.NullTranslations = ENGLISH, theme: str = "") -> str:
    """
    >>> digest_title(dt.date(2026, 11, 23))
    'Your reading for Mon 23 Nov'
    >>> digest_title(dt.date(2026, 11, 23), theme="diffusion")
    'Your reading on “diffusion” for Mon 23 Nov'
    """
    if theme:
        line = tr.gettext("Your reading on “{theme}” for {date}")
        return line.format(theme=theme, date=format_day(day, tr))
    return tr.gettext("Your reading for {date}").format(date=format_day(day, tr))


def theme_words(text: str) -> str:
    """The words of a theme as a digest names them: spaces collapsed, at most THEME_CHARS.

    >>> theme_words("  diffusion   models ")
    'diffusion models'
    """
    return " ".join(text.split())[:THEME_CHARS]


def themed_index(
    session: Session, library: Sequence[LibraryItem], words: str, now: dt.datetime
) -> SelectionIndex | None:
    """The library indexed at `now` for a digest on `words`: only the items /search ranks
    first for them, or those of a section so named, may be drawn (every answer still teaches
    the reader's taste). None if nothing matches."""
    matched = best_matches(session, words)
    section = theme_words(words).casefold()
    drawable = {
        item.id for item in library if item.id in matched or item.topic.casefold() == section
    }
    if not drawable:
        return None
    return SelectionIndex.build(library, now, drawable=drawable)


def compose_for_chat(
    session: Session,
    chat: ActiveChat,
    library: Sequence[LibraryItem] | SelectionIndex,
    *,
    kind: DigestKind,
    day: dt.date,
    now: dt.datetime,
    engines: SearchEngines = DEFAULT_ENGINES,
    owner_chat_id: int | None = None,
    theme: str = "",
) -> Digest | None:
    """Compose, render and store one digest; None if the library has nothing for it or the
    daily digest for that date already exists. `library` may be already indexed at `now`
    (a themed one: `themed_index`, and its words as `theme`). The owner's notes seed the
    taste of `owner_chat_id`'s digests."""
    if not isinstance(library, SelectionIndex):
        library = SelectionIndex.build(library, now)
    elif library.now != now:
        raise ValueError(f"the library was indexed at {library.now}, not at {now}")
    drafts = draft_digests(session, [(chat, day)], library, kind, engines, owner_chat_id, theme)
    ids = add_digests(session, list(drafts.values()), now=now)
    return session.get(Digest, ids[0]) if ids and ids[0] is not None else None


def draft_digests(
    session: Session,
    due: Sequence[tuple[ActiveChat, dt.date]],
    index: SelectionIndex,
    kind: DigestKind,
    engines: SearchEngines = DEFAULT_ENGINES,
    owner_chat_id: int | None = None,
    theme: str = "",
) -> dict[int, NewDigest]:
    """The digests of several chats (each with its local date), drafted (read and drawn, not
    stored: `add_digests` stores them), by their position in `due`; a chat the library has
    nothing for has none. Their histories, muted words and source levels are read in one
    query each."""
    chat_ids = sorted({chat.chat_id for chat, _ in due})
    muted = muted_words_of(session, chat_ids)
    levels = levels_of(session, chat_ids)
    drafts: dict[int, NewDigest] = {}
    # Chats in id order, as their histories stream in: each is built just before its use.
    with closing(stream_histories(session, chat_ids)) as pasts:
        past: tuple[int, Mapping[int, ItemHistory]] | None = next(pasts, None)
        for n in sorted(range(len(due)), key=lambda n: due[n][0].chat_id):
            chat, day = due[n]
            while past is not None and past[0] < chat.chat_id:
                past = next(pasts, None)
            history = past[1] if past is not None and past[0] == chat.chat_id else {}
            prefs = DigestPrefs(
                size=chat.digest_size,
                muted_words=muted.get(chat.chat_id, ()),
                seed_from_notes=chat.chat_id == owner_chat_id,
                source_levels=levels.get(chat.chat_id, {}),
            )
            seed = digest_seed(chat.chat_id, day, kind, theme)
            chosen = compose_indexed(index, history, prefs, seed)
            if chosen.items:
                item_ids = [item.id for item in chosen.items]
                title = digest_title(day, translator(chat.language), theme)
                render = _renderer(title, chosen, chat.language, engines)
                drafts[n] = NewDigest(chat.chat_id, kind, day, item_ids, render)
    return drafts


def _renderer(title: str, drawn: DrawnItems, language: str, engines: SearchEngines) -> Render:
    """The digest rendered now, numbered by its id when stored (render.digest_renderer)."""
    tr = translator(language)
    view = DigestView(0, title, drawn.items, {}, engines, why_lines(drawn.items, drawn.reasons, tr))
    parts = digest_renderer(view, tr)

    def render(digest_id: int) -> list[tuple[str, list[list[list[str]]]]]:
        return [
            (m.html, [[[b.text, b.data] for b in row] for row in m.buttons])
            for m in parts(digest_id)
        ]

    return render


def _due(chat: ActiveChat, now: dt.datetime) -> dt.date | None:
    return due_date(
        now,
        chat.timezone,
        chat.digest_time,
        chat.last_daily,
        days=chat.digest_days,
        paused_until=chat.paused_until,
    )


def compose_due(
    store: Store,
    now: dt.datetime,
    engines: SearchEngines = DEFAULT_ENGINES,
    owner_chat_id: int | None = None,
    processes: int = 0,
) -> int:
    """Compose the daily digest of every chat that is due, COMPOSE_BATCH chats per batch,
    in up to `processes` processes (0: one per CPU; see processes.py). The library is read
    and indexed once per sweep, so each chat costs its history and a few draws, not a pass
    over the library."""
    with _frozen_heap() as freeze:
        with store.transaction() as session:
            chats = active_chats(session)
            due = [(c, d) for c in chats if (d := _due(c, now))]
            items = digests.library(session) if due else []
        if not due:
            return 0
        index = SelectionIndex.build(items, now)
        freeze()
        batches = [
            due[start : start + COMPOSE_BATCH] for start in range(0, len(due), COMPOSE_BATCH)
        ]
        compose = partial(_compose_batch, index=index, engines=engines, owner_chat_id=owner_chat_id)
        return compose_in_processes(store, batches, compose, process_count(processes, len(batches)))


def _compose_batch(
    store: Store,
    batch: Sequence[tuple[ActiveChat, dt.date]],
    *,
    index: SelectionIndex,
    engines: SearchEngines,
    owner_chat_id: int | None,
) -> int:
    """Draft a batch's digests, then store them: the digests stored."""
    with store.transaction() as session:
        drafts = draft_digests(session, batch, index, DigestKind.DAILY, engines, owner_chat_id)
    # Stored in a transaction of its own that begins by writing: SQLite then waits its turn
    # for the write lock, where one that had read first would fail at once if another
    # process had written meanwhile.
    with store.transaction() as session:
        made = add_digests(session, list(drafts.values()), now=index.now)
    return sum(digest_id is not None for digest_id in made)


@contextmanager
def _frozen_heap() -> Iterator[Callable[[], None]]:
    """The library and its index live through the sweep, about a million objects the garbage
    collector's full collections would re-scan again and again (as they pile up, and then a
    few times per sweep): several percent of a large sweep. Loading them makes next to no
    cycles, so the collector waits until they are built, and they are frozen (left out of its
    scans) until the sweep is over. Nothing is lost: all is let back after."""
    was_enabled = gc.isenabled()

    def freeze() -> None:
        gc.freeze()
        if was_enabled:
            gc.enable()

    gc.disable()
    try:
        yield freeze
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
