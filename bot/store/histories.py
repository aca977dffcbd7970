"""Each chat's history: every item it was shown or answered, read for every chat a sweep
composes for, so the hot path reads plain columns and parses SQLite's stored times itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from bot.library.items import ItemHistory
from bot.store.models import ItemState

_fromiso = dt.datetime.fromisoformat


def history(session: Session, chat_id: int) -> dict[int, ItemHistory]:
    """The chat's past with every item it was shown or answered, by item id."""
    return histories(session, [chat_id]).get(chat_id, {})


def histories(session: Session, chat_ids: Sequence[int]) -> dict[int, dict[int, ItemHistory]]:
    """`history` of several chats in one query, by chat id (a chat without any is missing)."""
    return dict(stream_histories(session, chat_ids))


def stream_histories(
    session: Session, chat_ids: Sequence[int]
) -> Generator[tuple[int, dict[int, ItemHistory]], None, None]:
    """`history` of several chats from one query, a chat at a time in ascending id order (a
    chat without any is left out). A sweep builds each history just before composing with it:
    its million entries then die young instead of piling up for the garbage collector to
    re-scan, which costs more than building them."""
    states = ItemState.__table__.c  # plain columns: a sweep reads every chat's history
    answered: Any = states.answered_at
    shown: Any = states.last_shown_at
    if session.get_bind().dialect.name == "sqlite":
        # SQLite keeps times as ISO text: fromisoformat reads it several times faster than
        # the DateTime type's own parser, and this runs for every row of every chat.
        answered, shown = type_coerce(answered, String), type_coerce(shown, String)
    rows = session.execute(
        select(states.chat_id, states.item_id, states.status, answered, states.times_shown, shown)
        .where(states.chat_id.in_(chat_ids))
        .order_by(states.chat_id)
    )
    for chat_id, chat_rows in groupby(rows, key=itemgetter(0)):
        past: dict[int, ItemHistory] = {}
        for _, item_id, status, answered_at, times_shown, shown_at in chat_rows:
            past[item_id] = ItemHistory(
                item_id, status, _utc(answered_at), times_shown, _utc(shown_at)
            )
        yield chat_id, past


def _utc(value: Any) -> dt.datetime | None:
    """A stored time as an aware UTC datetime: the stores keep UTC, SQLite without its zone.

    >>> _utc("2026-12-06 08:30:00.000000"), _utc(None)
    (datetime.datetime(2026, 12, 6, 8, 30, tzinfo=datetime.timezone.utc), None)
    """
    if value is None:
        return None
    if value.__class__ is str:
        value = _fromiso(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
