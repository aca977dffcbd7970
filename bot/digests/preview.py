"""A digest composed for a look, not for sending: `lamplight digest --dry-run [--theme WORDS]`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.digests.compose import digest_seed, digest_title, theme_words, themed_index
from bot.digests.render import DigestView, render_plain
from bot.digests.schedule import local_date
from bot.digests.selection import DigestPrefs, SelectionIndex, compose_indexed
from bot.digests.why import why_lines
from bot.i18n import ENGLISH
from bot.store import digests, histories
from bot.store.levels import levels_of
from bot.store.models import Chat, DigestKind


def preview_digest(
    session: Session, chat_id: int, settings: Settings, now: dt.datetime, theme: str = ""
) -> str:
    """The digest the chat would get now (on `theme`'s words, if given), as plain text; a chat
    lamplight does not know yet gets one with the default settings. Nothing is stored."""
    chat = session.get(Chat, chat_id)
    timezone = chat.timezone if chat else settings.default_timezone
    size = chat.digest_size if chat else settings.default_digest_size
    day = local_date(now, timezone)
    prefs = DigestPrefs(
        size=size,
        muted_words=digests.muted_words(session, chat_id),
        seed_from_notes=chat_id == settings.owner_chat_id,
        source_levels=levels_of(session, [chat_id]).get(chat_id, {}),
    )
    history = histories.history(session, chat_id)
    theme = theme_words(theme)
    library = digests.library(session)
    index = (
        themed_index(session, library, theme, now)
        if theme
        else SelectionIndex.build(library, now, history_ids=history.keys())
    )
    if index is None:
        return f"Nothing in the library matches “{theme}”.\n"
    seed = digest_seed(chat_id, day, DigestKind.ON_DEMAND, theme)
    chosen = compose_indexed(index, history, prefs, seed)
    if not chosen.items:
        if theme:
            return f"Nothing on “{theme}” to send now: what matches is read or resting.\n"
        return "The library is empty: import notes first (lamplight import PATH).\n"
    answers = digests.answers(session, chat_id, [item.id for item in chosen.items])
    why = why_lines(chosen.items, chosen.reasons, ENGLISH)
    title = digest_title(day, ENGLISH, theme)
    view = DigestView(0, title, chosen.items, answers, settings.search_engines, why)
    return render_plain(view)
