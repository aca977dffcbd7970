"""Each chat's history: every item it was shown or answered, read for every chat a sweep
composes for, so the hot path reads plain rows (raw_rows.py on SQLite)."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from itertools import groupby
from operator import itemgetter

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.library.items import Answer, ItemHistory
from bot.store.models import ItemState
from bot.store.raw_rows import is_sqlite, sqlite_rows, utc


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
    query = (
        select(*(states[name] for name in _COLUMNS))
        .where(states.chat_id.in_(chat_ids))
        .order_by(states.chat_id)
    )
    rows = sqlite_rows(session, query) if is_sqlite(session) else session.execute(query)
    # A named tuple made as the tuple it is: its generated __new__ costs half as much again,
    # once per row of every chat's history.
    answers, make = _ANSWERS, tuple.__new__
    for chat_id, chat_rows in groupby(rows, key=itemgetter(0)):
        past: dict[int, ItemHistory] = {}
        for _, item_id, status, answered_at, times_shown, shown_at in chat_rows:
            past[item_id] = make(
                ItemHistory,
                (item_id, answers[status], utc(answered_at), times_shown, utc(shown_at)),
            )
        yield chat_id, past


_COLUMNS = ("chat_id", "item_id", "status", "answered_at", "times_shown", "last_shown_at")
# A status as stored (text; an Answer, equal to its text, where the Enum type read it).
_ANSWERS: dict[str | None, Answer | None] = {None: None, **{a.value: a for a in Answer}}
