"""Digests: composed once, stored, then sent. The digests table is the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.items import Answer, ItemHistory, LibraryItem
from bot.store.models import (
    Chat,
    DeliveryState,
    Digest,
    DigestItem,
    DigestKind,
    DigestMessage,
    Item,
    ItemState,
    MutedWord,
    Source,
)


@dataclass(frozen=True, slots=True)
class ChatClock:
    """What the sweep needs to know of an active chat."""

    chat_id: int
    timezone: str
    digest_time: dt.time
    digest_size: int
    last_daily: dt.date | None


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A claimed message: marked `sending` before the Bot API call is made."""

    id: int
    chat_id: int
    digest_id: int
    local_date: dt.date
    timezone: str
    body: str
    buttons: list[list[list[str]]]
    attempts: int


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything lamplight stores is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def active_chats(session: Session) -> list[ChatClock]:
    """Subscribed chats that are neither paused nor blocked, with their last daily date."""
    last_daily = (
        select(Digest.chat_id, func.max(Digest.local_date).label("last"))
        .where(Digest.kind == DigestKind.DAILY)
        .group_by(Digest.chat_id)
        .subquery()
    )
    rows = session.execute(
        select(Chat, last_daily.c.last)
        .outerjoin(last_daily, last_daily.c.chat_id == Chat.id)
        .where(Chat.subscribed.is_(True), Chat.paused.is_(False), Chat.blocked.is_(False))
    )
    return [
        ChatClock(chat.id, chat.timezone, chat.digest_time, chat.digest_size, last)
        for chat, last in rows
    ]


def library(session: Session, ids: Sequence[int] | None = None) -> list[LibraryItem]:
    """Every item as the digest sees it (or those with the given ids)."""
    query = select(Item, Source.name).outerjoin(Source, Item.source_id == Source.id)
    if ids is not None:
        query = query.where(Item.id.in_(ids))
    rows = session.execute(query)
    return [
        LibraryItem(
            id=item.id,
            kind=item.kind,
            title=item.title,
            text=item.text,
            author=item.author,
            year=item.year,
            url=item.url,
            video_url=item.video_url,
            topic=item.topic,
            source=source or "",
            added_at=aware(item.added_at),
            published_at=aware(item.published_at),
        )
        for item, source in rows
    ]


def history(session: Session, chat_id: int) -> dict[int, ItemHistory]:
    states = session.scalars(select(ItemState).where(ItemState.chat_id == chat_id))
    return {
        s.item_id: ItemHistory(
            s.item_id, s.status, aware(s.answered_at), s.times_shown, aware(s.last_shown_at)
        )
        for s in states
    }


def muted_words(session: Session, chat_id: int) -> tuple[str, ...]:
    return tuple(session.scalars(select(MutedWord.word).where(MutedWord.chat_id == chat_id)))


def save_digest(
    session: Session,
    *,
    chat_id: int,
    kind: DigestKind,
    local_date: dt.date,
    item_ids: Sequence[int],
    render: Callable[[int], Iterable[tuple[str, list[list[list[str]]]]]],
    now: dt.datetime,
) -> Digest | None:
    """Store a composed digest, its messages pending, and mark its items shown. `render` turns
    the new digest's id (its buttons carry it) into (HTML, button rows) per message. Returns
    None when the chat already has its daily digest for that date (another sweep won)."""
    digest = Digest(chat_id=chat_id, kind=kind, local_date=local_date, created_at=now)
    digest.items = [DigestItem(position=n, item_id=i) for n, i in enumerate(item_ids, start=1)]
    try:
        with session.begin_nested():
            session.add(digest)
            session.flush()
    except IntegrityError:
        return None
    digest.messages = [
        DigestMessage(part=n, body=body, buttons=buttons)
        for n, (body, buttons) in enumerate(render(digest.id), start=1)
    ]
    _mark_shown(session, chat_id, item_ids, now)
    return digest


def _mark_shown(session: Session, chat_id: int, item_ids: Sequence[int], now: dt.datetime) -> None:
    known = {
        s.item_id: s
        for s in session.scalars(
            select(ItemState).where(ItemState.chat_id == chat_id, ItemState.item_id.in_(item_ids))
        )
    }
    for item_id in item_ids:
        state = known.get(item_id)
        if state is None:
            session.add(
                ItemState(chat_id=chat_id, item_id=item_id, times_shown=1, last_shown_at=now)
            )
        else:
            state.times_shown += 1
            state.last_shown_at = now


def claim_pending(session: Session, *, now: dt.datetime, limit: int) -> list[OutgoingMessage]:
    """Pending messages of live digests whose retry time has come, oldest first, each marked
    `sending` as it is claimed; on PostgreSQL rows another sender holds are skipped, so
    replicas never send one twice."""
    query = (
        select(DigestMessage, Digest, Chat.timezone)
        .join(Digest, DigestMessage.digest_id == Digest.id)
        .join(Chat, Digest.chat_id == Chat.id)
        .where(
            DigestMessage.state == DeliveryState.PENDING,
            or_(DigestMessage.retry_at.is_(None), DigestMessage.retry_at <= now),
            Digest.gave_up_at.is_(None),
            Chat.blocked.is_(False),
        )
        .order_by(Digest.id, DigestMessage.part)
        .limit(limit)
        .with_for_update(skip_locked=True, of=DigestMessage)
    )
    claimed = []
    for message, digest, timezone in session.execute(query):
        message.state = DeliveryState.SENDING
        message.attempts += 1
        claimed.append(
            OutgoingMessage(
                message.id, digest.chat_id, digest.id, digest.local_date, timezone,
                message.body, message.buttons, message.attempts,
            )
        )  # fmt: skip
    return claimed


def record_sent(
    session: Session, message_id: int, telegram_message_id: int, now: dt.datetime
) -> None:
    session.execute(
        update(DigestMessage)
        .where(DigestMessage.id == message_id)
        .values(state=DeliveryState.SENT, telegram_message_id=telegram_message_id, sent_at=now)
    )


def record_retry(session: Session, message_id: int, error: str, retry_at: dt.datetime) -> None:
    """The call failed in a way worth another try, not before `retry_at` (a message given up
    meanwhile stays given up)."""
    session.execute(
        update(DigestMessage)
        .where(DigestMessage.id == message_id, DigestMessage.state == DeliveryState.SENDING)
        .values(state=DeliveryState.PENDING, last_error=error[:500], retry_at=retry_at)
    )


def give_up(session: Session, digest_id: int, error: str, now: dt.datetime) -> None:
    """Stop trying a digest (its day is over, or the chat is gone)."""
    session.execute(update(Digest).where(Digest.id == digest_id).values(gave_up_at=now))
    session.execute(
        update(DigestMessage)
        .where(
            DigestMessage.digest_id == digest_id,
            DigestMessage.state.in_([DeliveryState.PENDING, DeliveryState.SENDING]),
        )
        .values(state=DeliveryState.FAILED, last_error=error[:500])
    )


def mark_blocked(session: Session, chat_id: int) -> None:
    session.execute(update(Chat).where(Chat.id == chat_id).values(blocked=True))


def digest_for_answer(
    session: Session, *, chat_id: int, digest_id: int | None = None
) -> Digest | None:
    """The chat's digest by id, or its latest digest of either kind; never another chat's."""
    query = select(Digest).where(Digest.chat_id == chat_id)
    if digest_id is not None:
        query = query.where(Digest.id == digest_id)
    return session.scalars(query.order_by(Digest.id.desc()).limit(1)).first()


def set_answer(
    session: Session, *, chat_id: int, item_id: int, answer: Answer, now: dt.datetime
) -> None:
    state = session.get(ItemState, (chat_id, item_id))
    if state is None:
        session.add(ItemState(chat_id=chat_id, item_id=item_id, status=answer, answered_at=now))
    else:
        state.status, state.answered_at = answer, now


def answers(session: Session, chat_id: int, item_ids: Sequence[int]) -> dict[int, Answer]:
    rows = session.execute(
        select(ItemState.item_id, ItemState.status).where(
            ItemState.chat_id == chat_id,
            ItemState.item_id.in_(item_ids),
            ItemState.status.is_not(None),
        )
    )
    return {item_id: status for item_id, status in rows}


def digest_items(session: Session, digest_id: int) -> list[LibraryItem]:
    """A digest's items in display order."""
    rows = session.execute(
        select(DigestItem.item_id)
        .where(DigestItem.digest_id == digest_id)
        .order_by(DigestItem.position)
    )
    ids = [item_id for (item_id,) in rows]
    by_id = {item.id: item for item in library(session, ids)}
    return [by_id[i] for i in ids if i in by_id]


def digest_by_message(session: Session, chat_id: int, telegram_message_id: int) -> Digest | None:
    """The chat's digest that a Telegram message belongs to."""
    return session.scalars(
        select(Digest)
        .join(DigestMessage, DigestMessage.digest_id == Digest.id)
        .where(Digest.chat_id == chat_id, DigestMessage.telegram_message_id == telegram_message_id)
    ).first()


def sent_messages(session: Session, digest_id: int) -> list[DigestMessage]:
    return list(
        session.scalars(
            select(DigestMessage)
            .where(
                DigestMessage.digest_id == digest_id,
                DigestMessage.state == DeliveryState.SENT,
            )
            .order_by(DigestMessage.part)
        )
    )
