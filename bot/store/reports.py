"""Read-only queries for the operator and the reader: /status, /stats, `lamplight health`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    SQLColumnExpression,
    and_,
    case,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from bot.digests.stats import Answered
from bot.library.items import LOCAL_OWNER_CHAT_ID, ItemKind
from bot.store.access import denied
from bot.store.models import (
    Chat,
    DeliveryState,
    Digest,
    DigestMessage,
    Item,
    ItemState,
    Source,
    SourceKind,
)
from bot.store.raw_rows import aware

FAILING_FEEDS_SHOWN = 5
DELIVERY_ERRORS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Subscribers:
    active: int
    paused: int
    blocked: int
    left: int  # sent /stop
    denied: int = 0  # by an admin's /deny, whatever their chat's state


@dataclass(frozen=True, slots=True)
class FailingFeed:
    name: str
    error_count: int
    last_error: str | None
    paused: bool


@dataclass(frozen=True, slots=True)
class Feeds:
    following: int  # not paused
    paused: int
    failing: tuple[FailingFeed, ...]  # the worst first, at most FAILING_FEEDS_SHOWN


@dataclass(frozen=True, slots=True)
class DeliveryTrouble:
    """A message whose delivery met an error (a later attempt may have sent it)."""

    chat_id: int
    state: DeliveryState
    attempts: int
    error: str


@dataclass(frozen=True, slots=True)
class Deliveries:
    last_sent_at: dt.datetime | None
    digests_sent_last_day: int
    waiting: int  # messages not yet delivered (pending, or failed and waiting to retry)
    given_up_last_day: int
    uncertain_last_day: int  # messages whose request's answer was lost: counted as sent
    errors: tuple[DeliveryTrouble, ...]  # newest first, at most DELIVERY_ERRORS_SHOWN


@dataclass(frozen=True, slots=True)
class Status:
    subscribers: Subscribers
    items: dict[ItemKind, int]
    feeds: Feeds
    deliveries: Deliveries


def ping(connection: Connection | Session) -> None:
    """Raises unless the store answers."""
    connection.execute(text("SELECT 1"))


def status(session: Session, now: dt.datetime) -> Status:
    """What /status shows an admin."""
    return Status(
        _subscribers(session, now), _items(session), _feeds(session), _deliveries(session, now)
    )


def _subscribers(session: Session, now: dt.datetime) -> Subscribers:
    def count(condition: SQLColumnExpression[bool]) -> ColumnElement[int]:
        return func.count(case((condition, 1)))

    held = or_(Chat.paused, and_(Chat.paused_until.is_not(None), Chat.paused_until > now))
    allowed = ~denied(Chat.id)
    row = session.execute(
        select(
            count(and_(Chat.subscribed, ~held, ~Chat.blocked, allowed)),
            count(and_(Chat.subscribed, held, ~Chat.blocked, allowed)),
            count(and_(Chat.blocked, allowed)),
            count(and_(~Chat.subscribed, ~Chat.blocked, Chat.joined_at.is_not(None), allowed)),
            count(~allowed),
        ).where(Chat.id != LOCAL_OWNER_CHAT_ID)
    ).one()
    return Subscribers(*(int(n) for n in row))


def _items(session: Session) -> dict[ItemKind, int]:
    # What digests draw from: a retired or forgotten item is kept, but no longer in it.
    query = select(Item.kind, func.count()).where(Item.in_library()).group_by(Item.kind)
    rows = session.execute(query)
    counts = {kind: count for kind, count in rows}
    return {kind: int(counts.get(kind, 0)) for kind in ItemKind}


def _feeds(session: Session) -> Feeds:
    feeds = Source.kind == SourceKind.FEED
    following, paused = session.execute(
        select(func.count(case((~Source.paused, 1))), func.count(case((Source.paused, 1)))).where(
            feeds
        )
    ).one()
    failing = session.execute(
        select(Source.name, Source.error_count, Source.last_error, Source.paused)
        .where(feeds, Source.error_count > 0)
        .order_by(Source.paused.desc(), Source.error_count.desc(), Source.name)
        .limit(FAILING_FEEDS_SHOWN)
    )
    return Feeds(int(following), int(paused), tuple(FailingFeed(*row) for row in failing))


def _deliveries(session: Session, now: dt.datetime) -> Deliveries:
    day_ago = now - dt.timedelta(days=1)
    last_sent = session.scalar(select(func.max(DigestMessage.sent_at)))
    sent_recently = session.scalar(
        select(func.count(func.distinct(DigestMessage.digest_id))).where(
            DigestMessage.state == DeliveryState.SENT, DigestMessage.sent_at >= day_ago
        )
    )
    waiting = session.scalar(
        select(func.count())
        .select_from(DigestMessage)
        .join(Digest, Digest.id == DigestMessage.digest_id)
        .where(
            DigestMessage.state.in_([DeliveryState.PENDING, DeliveryState.FAILED]),
            Digest.gave_up_at.is_(None),
        )
    )
    given_up = session.scalar(
        select(func.count()).select_from(Digest).where(Digest.gave_up_at >= day_ago)
    )
    uncertain = session.scalar(
        select(func.count()).where(
            DigestMessage.state == DeliveryState.UNCERTAIN, DigestMessage.claimed_at >= day_ago
        )
    )
    errors = session.execute(
        select(
            Digest.chat_id, DigestMessage.state, DigestMessage.attempts, DigestMessage.last_error
        )
        .join(Digest, Digest.id == DigestMessage.digest_id)
        .where(DigestMessage.last_error.is_not(None))
        .order_by(DigestMessage.id.desc())
        .limit(DELIVERY_ERRORS_SHOWN)
    )
    return Deliveries(
        last_sent_at=aware(last_sent),
        digests_sent_last_day=int(sent_recently or 0),
        waiting=int(waiting or 0),
        given_up_last_day=int(given_up or 0),
        uncertain_last_day=int(uncertain or 0),
        errors=tuple(DeliveryTrouble(c, s, a, e or "") for c, s, a, e in errors),
    )


def answers(session: Session, chat_id: int) -> list[Answered]:
    """Every answer the chat gave, with its time and the item's kind, for /stats. One row per
    item the chat answered, so this stays as small as a person's reading."""
    rows = session.execute(
        select(ItemState.answered_at, ItemState.status, Item.kind)
        .join(Item, Item.id == ItemState.item_id)
        .where(
            ItemState.chat_id == chat_id,
            ItemState.status.is_not(None),
            ItemState.answered_at.is_not(None),
        )
    )
    # The query leaves out rows without an answer or its time; the test narrows the types.
    return [
        Answered(when, status, kind)
        for at, status, kind in rows
        if (when := aware(at)) is not None and status is not None
    ]


def chat_timezone(session: Session, chat_id: int) -> str | None:
    """The chat's time zone, or None for a chat the store does not know."""
    return session.scalar(select(Chat.timezone).where(Chat.id == chat_id))
