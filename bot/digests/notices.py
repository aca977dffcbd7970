"""Telling the admins, at most once a day, of digests that may not have reached their chats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.digests.departure import Send
from bot.i18n import DEFAULT_LANGUAGE, translator
from bot.store import outbox
from bot.store.db import Store
from bot.store.models import Chat

DELIVERY_NOTICE = "delivery"
NOTICE_EVERY = dt.timedelta(days=1)


async def tell_admins_of_troubles(
    store: Store, send: Send, now: dt.datetime, admins: Iterable[int]
) -> outbox.Troubles | None:
    """If a day has passed since the last notice and messages became uncertain or daily
    digests were given up since, tell each admin in their language. Returns what was told."""
    admin_ids = list(admins)
    if not admin_ids:
        return None
    with store.transaction() as session:
        last = outbox.last_notice(session, DELIVERY_NOTICE)
        if last is not None and now - last < NOTICE_EVERY:
            return None
        troubles = outbox.troubles_since(session, last)
        if not troubles:
            return None
        # Recorded before sending: a crash mid-notice never makes it twice a day.
        outbox.record_notice(session, DELIVERY_NOTICE, now)
        languages = {
            admin: (chat.language if (chat := session.get(Chat, admin)) else DEFAULT_LANGUAGE)
            for admin in admin_ids
        }
    for admin, language in languages.items():
        await send(admin, delivery_notice(troubles, language), [])
    return troubles


def delivery_notice(troubles: outbox.Troubles, language: str = DEFAULT_LANGUAGE) -> str:
    """
    >>> text = delivery_notice(outbox.Troubles(uncertain=2, given_up=1))
    >>> text.startswith("Since the last notice: 2 messages may not have arrived")
    True
    >>> "and 1 daily digest was given up." in text
    True
    """
    tr = translator(language)
    uncertain = tr.ngettext(
        "{n} message may not have arrived (its answer was lost)",
        "{n} messages may not have arrived (their answer was lost)",
        troubles.uncertain,
    ).format(n=troubles.uncertain)
    given_up = tr.ngettext(
        "{n} daily digest was given up",
        "{n} daily digests were given up",
        troubles.given_up,
    ).format(n=troubles.given_up)
    return tr.gettext(
        "Since the last notice: {uncertain} and {given_up}. /status shows the latest errors."
    ).format(uncertain=uncertain, given_up=given_up)
