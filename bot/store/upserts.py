"""INSERT … ON CONFLICT in the session's dialect: both stores lamplight runs on have it, and
SQLAlchemy spells it per dialect."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store.base import Base

_INSERTS: dict[str, Callable[[Table], sqlite.Insert | postgresql.Insert]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


def upsert(session: Session, model: type[Base]) -> sqlite.Insert | postgresql.Insert:
    """An INSERT into the model's table that can say what a conflict does
    (``on_conflict_do_nothing`` / ``on_conflict_do_update``)."""
    return _INSERTS[session.get_bind().dialect.name](table_of(model))


def table_of(model: type[Base]) -> Table:
    """The model's table: declarative types ``__table__`` as any FromClause, but every model
    here is declared with its columns, so it is a Table."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
