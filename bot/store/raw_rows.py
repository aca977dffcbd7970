"""Rows straight from SQLite's own cursor, for the two reads a sweep makes of every row (the
library, every chat's history): SQLAlchemy's result rows and type processing cost about as
much again per row. Values come back as stored: enums as their text, times as ISO text, read
as UTC by ``utc``. ``aware`` is the same for the times every store query hands back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

_fromiso = dt.datetime.fromisoformat


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def sqlite_rows(session: Session, query: Select[Any]) -> Iterable[tuple[Any, ...]]:
    """The query's rows as SQLite's cursor hands them (the session must be on SQLite)."""
    session.flush()  # what session.execute would do first
    # IN lists are expanded into one parameter per value, as SQLAlchemy would.
    compiled = query.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    # The pool's connection is typed as possibly detached; a session's never is.
    driver = session.connection().connection.driver_connection
    cursor = driver.cursor()  # type: ignore[union-attr]
    return cursor.execute(compiled.string, params)


def utc(value: Any) -> dt.datetime | None:
    """A stored time as an aware UTC datetime: the stores keep UTC, SQLite without its zone.

    >>> utc("2026-12-06 08:30:00.000000"), utc(None)
    (datetime.datetime(2026, 12, 6, 8, 30, tzinfo=datetime.timezone.utc), None)
    """
    if value is None:
        return None
    if value.__class__ is str:
        try:  # read as UTC at once: several times faster than replacing the zone after
            return _fromiso(value + "+00:00")
        except ValueError:  # a time stored with its offset
            value = _fromiso(value)
    return aware(value)


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything lamplight stores is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)
