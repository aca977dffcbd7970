"""Each chat's history: every item it was shown or answered, read for every chat a sweep
composes for, so the hot path reads plain rows and parses SQLite's stored times itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Iterable, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.library.items import Answer, ItemHistory
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
    if session.get_bind().dialect.name == "sqlite":
        rows = _sqlite_rows(session, chat_ids)
    else:
        states = ItemState.__table__.c  # plain columns: a sweep reads every chat's history
        rows = session.execute(
            select(*(states[name] for name in _COLUMNS))
            .where(states.chat_id.in_(chat_ids))
            .order_by(states.chat_id)
        )
    answers, utc = _ANSWERS, _utc
    for chat_id, chat_rows in groupby(rows, key=itemgetter(0)):
        past: dict[int, ItemHistory] = {}
        for _, item_id, status, answered_at, times_shown, shown_at in chat_rows:
            past[item_id] = ItemHistory(
                item_id, answers[status], utc(answered_at), times_shown, utc(shown_at)
            )
        yield chat_id, past


_COLUMNS = ("chat_id", "item_id", "status", "answered_at", "times_shown", "last_shown_at")
# A status as stored (text; an Answer, equal to its text, where the Enum type read it).
_ANSWERS: dict[str | None, Answer | None] = {None: None, **{a.value: a for a in Answer}}


def _sqlite_rows(session: Session, chat_ids: Sequence[int]) -> Iterable[tuple[Any, ...]]:
    """The rows straight from SQLite's own cursor: SQLAlchemy's result rows and type
    processing cost about as much again per row, and this runs for every row of every chat.
    Statuses come back as stored text and times as ISO text."""
    session.flush()  # what session.execute would do first
    marks = ",".join("?" * len(chat_ids))
    # The pool's connection is typed as possibly detached; a session's never is.
    driver = session.connection().connection.driver_connection
    cursor = driver.cursor()  # type: ignore[union-attr]
    return cursor.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM item_states"
        f" WHERE chat_id IN ({marks}) ORDER BY chat_id",
        [int(chat_id) for chat_id in chat_ids],
    )


def _utc(value: Any) -> dt.datetime | None:
    """A stored time as an aware UTC datetime: the stores keep UTC, SQLite without its zone.

    >>> _utc("2026-12-06 08:30:00.000000"), _utc(None)
    (datetime.datetime(2026, 12, 6, 8, 30, tzinfo=datetime.timezone.utc), None)
    """
    if value is None:
        return None
    if value.__class__ is str:
        try:  # read as UTC at once: several times faster than replacing the zone after
            return _fromiso(value + "+00:00")
        except ValueError:  # a time stored with its offset
            value = _fromiso(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
