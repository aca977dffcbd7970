"""Each reader's level per source: the sources a reader can set (those with items in the
library), the level they set, and the levels selection weighs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.library.items import SourceLevel
from bot.store.models import Item, Source, SourceKind, SourceSetting


@dataclass(frozen=True, slots=True)
class ReaderSource:
    """A source as /sources lists it: its id, kind, name, items drawn from it and the
    reader's level for it."""

    source_id: int
    kind: SourceKind
    name: str
    items: int
    level: SourceLevel


def reader_sources(session: Session, chat_id: int) -> list[ReaderSource]:
    """Every source with items in the library (retired ones aside), notes files first, then
    feeds, each by name; with the chat's level for it."""
    counts = (
        select(Item.source_id, func.count().label("total"))
        .where(Item.retired_at.is_(None), Item.source_id.is_not(None))
        .group_by(Item.source_id)
        .subquery()
    )
    rows = session.execute(
        select(Source.id, Source.kind, Source.name, counts.c.total, SourceSetting.level)
        .join(counts, counts.c.source_id == Source.id)
        .outerjoin(
            SourceSetting,
            and_(SourceSetting.source_id == Source.id, SourceSetting.chat_id == chat_id),
        )
        .order_by(Source.kind.desc(), func.lower(Source.name), Source.id)
    )
    return [
        ReaderSource(source_id, kind, name, items, level or SourceLevel.NORMAL)
        for source_id, kind, name, items, level in rows
    ]


def set_level(session: Session, chat_id: int, source_id: int, level: SourceLevel) -> bool:
    """Set the chat's level for a source; False if there is no such source. Normal is kept as
    no row."""
    if session.get(Source, source_id) is None:
        return False
    setting = session.get(SourceSetting, (chat_id, source_id))
    if level is SourceLevel.NORMAL:
        if setting is not None:
            session.delete(setting)
    elif setting is None:
        session.add(SourceSetting(chat_id=chat_id, source_id=source_id, level=level))
    else:
        setting.level = level
    session.flush()
    return True


def levels_of(session: Session, chat_ids: Sequence[int]) -> dict[int, dict[int, SourceLevel]]:
    """Each chat's levels other than normal, by source id; a chat without any is missing."""
    found: dict[int, dict[int, SourceLevel]] = {}
    rows = session.execute(
        select(SourceSetting.chat_id, SourceSetting.source_id, SourceSetting.level).where(
            SourceSetting.chat_id.in_(chat_ids)
        )
    )
    for chat_id, source_id, level in rows:
        found.setdefault(chat_id, {})[source_id] = level
    return found
