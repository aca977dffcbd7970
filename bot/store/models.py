"""Typed tables for the whole product: library, sources, chats, reading state, digests."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    and_,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.digests.cadence import EVERY_DAY
from bot.enrich.plan import EnrichmentStatus
from bot.library.items import Answer, ItemKind
from bot.store.base import Base, enum_type, utc_now


class SourceKind(enum.StrEnum):
    NOTES_FILE = "notes_file"
    FEED = "feed"
    CAPTURE = "capture"  # sent to the bot: by the owner, or forwarded from a channel or person


class DigestKind(enum.StrEnum):
    DAILY = "daily"
    ON_DEMAND = "on_demand"


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed: its one Bot API request is out
    SENT = "sent"
    FAILED = "failed"  # given up
    UNCERTAIN = "uncertain"  # its request was written and the answer lost: counts as sent


class Source(Base):
    """Where items come from: a notes file the owner imported, or a newsletter feed."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SourceKind] = mapped_column(enum_type(SourceKind, "source_kind"))
    key: Mapped[str] = mapped_column(
        String(512), unique=True, comment="file:<name> or feed:<canonical site>; one row each"
    )
    name: Mapped[str] = mapped_column(String(256))
    site: Mapped[str | None] = mapped_column(String(1024))
    feed_url: Mapped[str | None] = mapped_column(String(1024), comment="None: no known feed")
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    error_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    paused: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    last_checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    next_check_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    host_wait_until: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="the end of the wait its host asked for (Retry-After)"
    )
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Item(Base):
    """One thing to read: a quote, a paper or an article."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(enum_type(ItemKind, "item_kind"), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="", comment="the owner's own notes on it")
    author: Mapped[str] = mapped_column(Text, default="", comment="speaker or authors")
    affiliation: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(Text)
    arxiv_id: Mapped[str | None] = mapped_column(String(32), index=True)
    video_url: Mapped[str | None] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(Text, default="")
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    canonical_key: Mapped[str] = mapped_column(String(512), unique=True)
    raw_text: Mapped[str | None] = mapped_column(
        Text, comment="the lines as they stood in the file, kept whenever repair changed them"
    )
    repair_confidence: Mapped[float | None] = mapped_column(Float)
    title_tokens: Mapped[str] = mapped_column(Text, default="", comment="search tokens, title")
    body_tokens: Mapped[str] = mapped_column(Text, default="", comment="search tokens, the rest")
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    retired_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="gone from its notes file and retired: kept, not drawn"
    )
    forgotten_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True),
        comment="forgotten by the owner (forget): kept, never drawn or found",
    )
    title_before_fix: Mapped[str | None] = mapped_column(
        Text, comment="the title before the owner's first fix; set: imports keep the owner's title"
    )

    source: Mapped[Source | None] = relationship()
    keys: Mapped[list[ItemKey]] = relationship(back_populates="item", cascade="all, delete-orphan")

    @classmethod
    def in_library(cls) -> ColumnElement[bool]:
        """Items a digest may still show: neither retired nor forgotten."""
        return and_(cls.retired_at.is_(None), cls.forgotten_at.is_(None))


class ItemKey(Base):
    """Every identity an item is known by (arXiv id, canonical URL, title, guid): dedupe looks
    an incoming item up by all of its keys, so a paper met by URL in one file and by arXiv id in
    another is still one row."""

    __tablename__ = "item_keys"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)

    item: Mapped[Item] = relationship(back_populates="keys")


class Chat(Base):
    """A subscriber (a private chat), or the local owner (id 0) before an admin exists."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    subscribed: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    digest_time: Mapped[dt.time] = mapped_column(Time, default=dt.time(8, 0))
    digest_size: Mapped[int] = mapped_column(Integer, default=5)
    language: Mapped[str] = mapped_column(String(8), default="en")
    paused: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    blocked: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    joined_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="first /start; None: never subscribed"
    )
    paused_until: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="/pause 7d: daily digests held until then"
    )
    digest_days: Mapped[int] = mapped_column(
        Integer,
        default=EVERY_DAY,
        server_default=str(EVERY_DAY),
        comment="local weekdays of the daily digest, a bit each: Monday 1 … Sunday 64",
    )


class ItemState(Base):
    """What one chat did with one item."""

    __tablename__ = "item_states"

    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[Answer | None] = mapped_column(enum_type(Answer, "read_status"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    times_shown: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_shown_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Digest(Base):
    """A composed digest; also the outbox its messages are sent from."""

    __tablename__ = "digests"
    __table_args__ = (
        # One daily digest per chat and local date; on-demand ones are unlimited.
        Index(
            "uq_digests_daily_per_date",
            "chat_id",
            "local_date",
            unique=True,
            sqlite_where=text("kind = 'daily'"),
            postgresql_where=text("kind = 'daily'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DigestKind] = mapped_column(enum_type(DigestKind, "digest_kind"))
    local_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, server_default=func.now()
    )
    gave_up_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[DigestItem]] = relationship(
        order_by="DigestItem.position", cascade="all, delete-orphan"
    )
    messages: Mapped[list[DigestMessage]] = relationship(
        order_by="DigestMessage.part", cascade="all, delete-orphan"
    )


class DigestItem(Base):
    __tablename__ = "digest_items"

    digest_id: Mapped[int] = mapped_column(
        ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, comment="1-based number")
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)


class DigestMessage(Base):
    """One Telegram message of a digest and its delivery state."""

    __tablename__ = "digest_messages"
    __table_args__ = (UniqueConstraint("digest_id", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    part: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, comment="the Telegram HTML as composed")
    buttons: Mapped[list[list[list[str]]]] = mapped_column(
        JSON, default=list, comment="inline keyboard: rows of [label, callback data]"
    )
    state: Mapped[DeliveryState] = mapped_column(
        enum_type(DeliveryState, "delivery_state"), default=DeliveryState.PENDING, index=True
    )
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    retry_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="after a failed attempt: not before this instant"
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="when its latest request left (marked sending)"
    )


class ItemRevision(Base):
    """What an item held before a re-import of its notes file changed it: the owner's new
    text wins, and nothing they wrote before is lost."""

    __tablename__ = "item_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    revised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    previous: Mapped[dict[str, object]] = mapped_column(
        JSON, comment="the changed fields' former values"
    )


class Enrichment(Base):
    """What a public source (arXiv) says of an item, kept apart from what the owner wrote:
    rendering shows it only where the owner's own is missing."""

    __tablename__ = "enrichments"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16), comment="where it came from: arxiv")
    status: Mapped[EnrichmentStatus] = mapped_column(
        enum_type(EnrichmentStatus, "enrichment_status")
    )
    asked: Mapped[str] = mapped_column(
        String(512), comment="what was asked: id:<arXiv id> or title:<normalised title>"
    )
    arxiv_id: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text, default="")
    abstract: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer)
    tokens: Mapped[str] = mapped_column(
        Text, default="", comment="search tokens appended to the item's body tokens"
    )
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    retry_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="not asked again before this instant"
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Pace(Base):
    """A remote API's turn, shared by every process of the install: who may send the next
    request, and when (arXiv allows one request every 3 s, one connection at a time)."""

    __tablename__ = "pace"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_request_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), comment="no request before this; held while one is out"
    )
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)


class Notice(Base):
    """When the admins were last told of something, so a notice goes at most once a day."""

    __tablename__ = "notices"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Capture(Base):
    """A link, paper or quote an admin sent the bot, and what came of it: the item it filed
    (and whether it made it, which Undo needs), the feed it offered, and when (the pace)."""

    __tablename__ = "captures"
    __table_args__ = (Index("ix_captures_chat_id_created_at", "chat_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("chats.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL"), index=True
    )
    created: Mapped[bool] = mapped_column(
        default=False, comment="this capture made the item: Undo removes only such"
    )
    asked: Mapped[str] = mapped_column(Text, default="", comment="the link, id or words sent")
    feed_url: Mapped[str | None] = mapped_column(String(1024), comment="a feed it offered")
    feed_name: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


# Each reader's own settings live beside: imported here so `bot.store.models` names every model.
from bot.store import reader_models  # noqa: E402

Access = reader_models.Access
MutedWord = reader_models.MutedWord
Search = reader_models.Search
SourceSetting = reader_models.SourceSetting
