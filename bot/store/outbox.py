"""Delivery of digest messages: which may go, claiming one as its request leaves, and what
came of it. A message is `pending` until claimed, `sending` only while its one Bot API request
is out, then `sent`, `uncertain` (written, answer lost: counts as sent, never repeated),
back to `pending` with a retry time, or `failed` with its digest given up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.store.access import denied
from bot.store.models import Chat, DeliveryState, Digest, DigestKind, DigestMessage, Notice
from bot.store.raw_rows import aware

PENDING, SENDING, SENT = DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.SENT
UNCERTAIN, FAILED = DeliveryState.UNCERTAIN, DeliveryState.FAILED
IN_FLIGHT_LOST = "the sender stopped while this request was out"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """The head of a chat's queue: the next message that may go, once its slot comes."""

    id: int
    chat_id: int
    digest_id: int
    part: int
    local_date: dt.date
    timezone: str
    body: str
    buttons: list[list[list[str]]]
    attempts: int  # before this one
    retry_at: dt.datetime | None


def chats_with_pending(
    session: Session,
    *,
    now: dt.datetime,
    limit: int,
    exclude: Collection[int] = (),
    only: Collection[int] | None = None,
) -> list[int]:
    """Chats with a message that may be sent now (a live digest, a chat neither blocked nor
    denied), oldest waiting first: candidates, for `next_message` decides whether the head of
    a chat's queue may go. `exclude` holds chats this run has served; `only` limits the run
    to some chats."""
    query = (
        select(Digest.chat_id)
        .join(DigestMessage, DigestMessage.digest_id == Digest.id)
        .join(Chat, Digest.chat_id == Chat.id)
        .where(
            DigestMessage.state == PENDING,
            or_(DigestMessage.retry_at.is_(None), DigestMessage.retry_at <= now),
            Digest.gave_up_at.is_(None),
            Chat.blocked.is_(False),
            ~denied(Digest.chat_id),
        )
        .group_by(Digest.chat_id)
        .order_by(func.min(DigestMessage.id))
        .limit(limit)
    )
    if exclude:
        query = query.where(Digest.chat_id.not_in(list(exclude)))
    if only is not None:
        query = query.where(Digest.chat_id.in_(list(only)))
    return list(session.scalars(query))


def next_message(session: Session, chat_id: int) -> OutgoingMessage | None:
    """The head of the chat's queue (its oldest undelivered message, parts in order), if it
    is pending; None when the chat has nothing to send, is blocked, or its head is out."""
    return next_messages(session, [chat_id]).get(chat_id)


def next_messages(session: Session, chat_ids: Collection[int]) -> dict[int, OutgoingMessage]:
    """`next_message` of several chats in one query (a chat without one is left out)."""
    order = func.row_number().over(
        partition_by=Digest.chat_id, order_by=(Digest.id, DigestMessage.part)
    )
    ranked = (
        select(DigestMessage.id.label("message_id"), order.label("n"))
        .join(Digest, DigestMessage.digest_id == Digest.id)
        .where(
            Digest.chat_id.in_(list(chat_ids)),
            DigestMessage.state.in_([PENDING, SENDING]),
            Digest.gave_up_at.is_(None),
        )
        .subquery()
    )
    rows = session.execute(
        select(DigestMessage, Digest.chat_id, Digest.local_date, Chat.timezone, Chat.blocked)
        .join(ranked, ranked.c.message_id == DigestMessage.id)
        .join(Digest, DigestMessage.digest_id == Digest.id)
        .join(Chat, Digest.chat_id == Chat.id)
        .where(ranked.c.n == 1)
    )
    return {
        chat_id: _outgoing(message, chat_id, local_date, timezone)
        for message, chat_id, local_date, timezone, blocked in rows
        if not blocked and message.state is PENDING
    }


def _outgoing(
    message: DigestMessage, chat_id: int, local_date: dt.date, timezone: str
) -> OutgoingMessage:
    return OutgoingMessage(
        message.id,
        chat_id,
        message.digest_id,
        message.part,
        local_date,
        timezone,
        message.body,
        message.buttons,
        message.attempts,
        aware(message.retry_at),
    )


def claim(session: Session, message_id: int, *, now: dt.datetime) -> bool:
    """Mark the message `sending` as its request leaves; False when it may not go after all
    (claimed by another sender, not yet due, given up, its chat blocked or denied, or an
    earlier part of its digest still pending or out). One atomic UPDATE, so of several
    senders racing for a message exactly one wins, on either store."""
    earlier = aliased(DigestMessage)
    earlier_part_open = exists().where(
        earlier.digest_id == DigestMessage.digest_id,
        earlier.part < DigestMessage.part,
        earlier.state.in_([PENDING, SENDING]),
    )
    live_digest = exists().where(
        Digest.id == DigestMessage.digest_id,
        Digest.gave_up_at.is_(None),
        Chat.id == Digest.chat_id,
        Chat.blocked.is_(False),
        ~denied(Digest.chat_id),
    )
    result = session.execute(
        update(DigestMessage)
        .where(
            DigestMessage.id == message_id,
            DigestMessage.state == PENDING,
            or_(DigestMessage.retry_at.is_(None), DigestMessage.retry_at <= now),
            ~earlier_part_open,
            live_digest,
        )
        .values(state=SENDING, attempts=DigestMessage.attempts + 1, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult


def record_sent(
    session: Session, message_id: int, telegram_message_id: int, now: dt.datetime
) -> None:
    """Telegram took it: whatever was assumed meanwhile, this is the truth."""
    session.execute(
        update(DigestMessage)
        .where(DigestMessage.id == message_id)
        .values(state=SENT, telegram_message_id=telegram_message_id, sent_at=now)
    )


def record_uncertain(session: Session, message_id: int, error: str) -> None:
    """Its request was written and the answer lost: it may have arrived, so it counts as
    delivered and is never repeated."""
    session.execute(
        update(DigestMessage)
        .where(DigestMessage.id == message_id, DigestMessage.state == SENDING)
        .values(state=UNCERTAIN, last_error=error[:500])
    )


def record_retry(session: Session, message_id: int, error: str, retry_at: dt.datetime) -> None:
    """The request cannot have been taken (never left, or Telegram answered an error): try
    again, not before `retry_at`. A message given up meanwhile stays given up."""
    session.execute(
        update(DigestMessage)
        .where(DigestMessage.id == message_id, DigestMessage.state.in_([SENDING, UNCERTAIN]))
        .values(state=PENDING, last_error=error[:500], retry_at=retry_at)
    )


def give_up(session: Session, digest_id: int, error: str, now: dt.datetime) -> None:
    """Stop trying a digest (its day is over, or the chat is gone)."""
    session.execute(update(Digest).where(Digest.id == digest_id).values(gave_up_at=now))
    session.execute(
        update(DigestMessage)
        .where(DigestMessage.digest_id == digest_id, DigestMessage.state.in_([PENDING, SENDING]))
        .values(state=FAILED, last_error=error[:500])
    )


def give_up_undelivered(session: Session, chat_id: int, error: str, now: dt.datetime) -> int:
    """Give up every digest of the chat with a message still pending (its user was denied);
    a message out now is left to settle. Returns how many digests."""
    open_ids = select(DigestMessage.digest_id).where(DigestMessage.state == PENDING)
    ids = list(
        session.scalars(
            select(Digest.id).where(
                Digest.chat_id == chat_id, Digest.gave_up_at.is_(None), Digest.id.in_(open_ids)
            )
        )
    )
    for digest_id in ids:
        give_up(session, digest_id, error, now)
    return len(ids)


def mark_blocked(session: Session, chat_id: int) -> None:
    session.execute(update(Chat).where(Chat.id == chat_id).values(blocked=True))


def recover_in_flight(session: Session, *, claimed_before: dt.datetime | None = None) -> int:
    """Messages left `sending` by a sender that is gone become `uncertain`: their request may
    have reached Telegram. Without `claimed_before`, every one (the caller has just become
    the only sender); with it, those claimed earlier (longer ago than any request lasts).
    Returns how many."""
    query = update(DigestMessage).where(DigestMessage.state == SENDING)
    if claimed_before is not None:
        query = query.where(
            or_(DigestMessage.claimed_at.is_(None), DigestMessage.claimed_at < claimed_before)
        )
    result = session.execute(query.values(state=UNCERTAIN, last_error=IN_FLIGHT_LOST))
    return int(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult


@dataclass(frozen=True, slots=True)
class Troubles:
    """Digests that may not have reached their chats, for the admins' daily notice."""

    uncertain: int  # messages whose request's answer was lost
    given_up: int  # digests given up (day over, chat gone, refused)

    def __bool__(self) -> bool:
        return bool(self.uncertain or self.given_up)


def troubles_since(session: Session, since: dt.datetime | None) -> Troubles:
    """Uncertain messages claimed, and daily digests given up, after `since` (all, for None)."""
    uncertain = select(func.count()).where(DigestMessage.state == UNCERTAIN)
    # A denied user's digests were given up on purpose: no trouble to report.
    given_up = select(func.count()).where(
        Digest.gave_up_at.is_not(None), Digest.kind == DigestKind.DAILY, ~denied(Digest.chat_id)
    )
    if since is not None:
        uncertain = uncertain.where(
            or_(DigestMessage.claimed_at.is_(None), DigestMessage.claimed_at > since)
        )
        given_up = given_up.where(Digest.gave_up_at > since)
    return Troubles(int(session.scalar(uncertain) or 0), int(session.scalar(given_up) or 0))


def last_notice(session: Session, name: str) -> dt.datetime | None:
    row = session.get(Notice, name)
    return None if row is None else aware(row.sent_at)


def record_notice(session: Session, name: str, now: dt.datetime) -> None:
    row = session.get(Notice, name)
    if row is None:
        session.add(Notice(name=name, sent_at=now))
    else:
        row.sent_at = now
