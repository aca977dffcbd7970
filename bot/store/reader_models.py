"""The tables of each reader's own settings: who may use the bot, muted words, levels per
source and saved searches (models.py names them too)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.library.items import SourceLevel
from bot.store.base import Base, enum_type, utc_now


class Access(Base):
    """Who may use the bot besides the admins: allowed by an admin's /allow (or seeded from
    ALLOWED_USER_IDS), until a /deny. Kept when the user's own data is forgotten, so a denied
    id stays denied."""

    __tablename__ = "access"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(String(64), comment="what the admin called them")
    allowed_by: Mapped[int | None] = mapped_column(
        BigInteger, comment="the admin who allowed them; None: ALLOWED_USER_IDS"
    )
    since: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), comment="when allowed (or, never allowed, when denied)"
    )
    denied_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="set by /deny: no digests, no answers"
    )


class MutedWord(Base):
    __tablename__ = "muted_words"
    __table_args__ = (UniqueConstraint("chat_id", "word"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    word: Mapped[str] = mapped_column(String(128))


class SourceSetting(Base):
    """A reader's level for one source (a notes file or a feed): how often its items come in
    their digests. No row: normal."""

    __tablename__ = "source_levels"

    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[SourceLevel] = mapped_column(enum_type(SourceLevel, "source_level"))


class Search(Base):
    """A /search a chat made, kept so its Next/Prev buttons can name it in 64 bytes."""

    __tablename__ = "searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
