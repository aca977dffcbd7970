"""Digests: composed once, stored, then sent. The digests table is the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bot.digests.cadence import EVERY_DAY
from bot.library.items import Answer, ItemKind, LibraryItem
from bot.store.access import denied
from bot.store.models import (
    Chat,
    DeliveryState,
    Digest,
    DigestItem,
    DigestKind,
    DigestMessage,
    Enrichment,
    Item,
    ItemState,
    MutedWord,
    Source,
)
from bot.store.raw_rows import aware, is_sqlite, sqlite_rows, utc
from bot.store.upserts import table_of, upsert


@dataclass(frozen=True, slots=True)
class ActiveChat:
    """What the sweep needs to know of an active chat."""

    chat_id: int
    timezone: str
    digest_time: dt.time
    digest_size: int
    last_daily: dt.date | None
    language: str = "en"  # the digest's title and buttons are rendered in it
    digest_days: int = EVERY_DAY  # the local weekdays it comes on (bot.digests.cadence)
    paused_until: dt.datetime | None = None  # /pause 7d


# Turns a new digest's id (its buttons carry it) into (HTML, button rows) per message.
Render = Callable[[int], Iterable[tuple[str, list[list[list[str]]]]]]


@dataclass(frozen=True, slots=True)
class NewDigest:
    """A composed digest to store; `render` makes its messages once its id is known."""

    chat_id: int
    kind: DigestKind
    local_date: dt.date
    item_ids: Sequence[int]
    render: Render


def active_chats(session: Session) -> list[ActiveChat]:
    """Subscribed chats that are neither paused nor blocked nor denied, with their last daily
    date (a chat paused for a while is among them: whether it is due is the schedule's rule)."""
    last_daily = (
        select(Digest.chat_id, func.max(Digest.local_date).label("last"))
        .where(Digest.kind == DigestKind.DAILY)
        .group_by(Digest.chat_id)
        .subquery()
    )
    columns = (Chat.id, Chat.timezone, Chat.digest_time, Chat.digest_size, last_daily.c.last)
    rows = session.execute(
        select(*columns, Chat.language, Chat.digest_days, Chat.paused_until)
        .outerjoin(last_daily, last_daily.c.chat_id == Chat.id)
        .where(Chat.subscribed.is_(True), Chat.paused.is_(False), Chat.blocked.is_(False))
        .where(~denied(Chat.id))
    )
    return [
        ActiveChat(chat_id, zone, at, size, last, language, days, aware(until))
        for chat_id, zone, at, size, last, language, days, until in rows
    ]


NOTES_OPENING = 400  # characters


def library(session: Session, ids: Sequence[int] | None = None) -> list[LibraryItem]:
    """Every item as the digest sees it (or those with the given ids). Only the columns a
    digest uses are read: a sweep loads the whole library."""
    columns = (Item.id, Item.kind, Item.title, Item.text, Item.author, Item.year, Item.url)
    query = (
        select(
            *columns,
            Item.video_url,
            Item.topic,
            Source.name,
            Item.added_at,
            Item.published_at,
            # The opening of the owner's notes is all a digest shows of them (context).
            func.substr(Item.notes, 1, NOTES_OPENING).label("notes"),
        )
        .add_columns(*_ENRICHED, Item.source_id)
        .outerjoin(Source, Item.source_id == Source.id)
        .outerjoin(Enrichment, Enrichment.item_id == Item.id)
    )
    # Asked by id: as they are. Else a retired or forgotten item is never drawn again (its
    # old digests still show it).
    query = query.where(Item.id.in_(ids) if ids is not None else Item.in_library())
    rows = sqlite_rows(session, query) if is_sqlite(session) else session.execute(query)
    # By position, in LibraryItem's order: a sweep builds one for every item of the library.
    return [
        LibraryItem(
            r[0],
            _KINDS[r[1]],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9] or "",
            utc(r[10]),
            utc(r[11]),
            r[12] or "",
            r[13],
            r[14] or "",
            r[15] or "",
            r[16] or "",
            r[17],
            r[18] or "",
            r[19],
        )
        for r in rows
    ]


# A kind as stored (text; an ItemKind, equal to its text, where the Enum type read it).
_KINDS = {kind.value: kind for kind in ItemKind}


# What a digest may show of an enrichment: the abstract's start only, since a sweep reads the
# whole library and a digest previews a few hundred characters of it.
ABSTRACT_PREVIEW = 600
# Characters of the body's and the abstract's tokens kept for taste: their first words say what
# an item is about, and a sweep holds them for every item of the library.
TERMS_CHARS = 240
_ENRICHED = (
    func.coalesce(Item.arxiv_id, Enrichment.arxiv_id).label("any_arxiv_id"),
    func.substr(Enrichment.abstract, 1, ABSTRACT_PREVIEW).label("abstract"),
    Enrichment.title.label("enriched_title"),
    Enrichment.authors.label("enriched_authors"),
    Enrichment.year.label("enriched_year"),
    # The words content taste learns from: the title's tokens and the start of the rest's.
    (
        Item.title_tokens
        + " "
        + func.substr(Item.body_tokens, 1, TERMS_CHARS)
        + " "
        + func.coalesce(func.substr(Enrichment.tokens, 1, TERMS_CHARS), "")
    ).label("terms"),
)


def muted_words(session: Session, chat_id: int) -> tuple[str, ...]:
    return muted_words_of(session, [chat_id]).get(chat_id, ())


def muted_words_of(session: Session, chat_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """`muted_words` of several chats in one query, by chat id (a chat without any is missing)."""
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(MutedWord.chat_id, MutedWord.word)
        .where(MutedWord.chat_id.in_(chat_ids))
        .order_by(MutedWord.id)
    )
    for chat_id, word in rows:
        found.setdefault(chat_id, []).append(word)
    return {chat_id: tuple(words) for chat_id, words in found.items()}


def save_digest(
    session: Session,
    *,
    chat_id: int,
    kind: DigestKind,
    local_date: dt.date,
    item_ids: Sequence[int],
    render: Render,
    now: dt.datetime,
) -> Digest | None:
    """Store a composed digest, its messages pending, and mark its items shown. `render` turns
    the new digest's id (its buttons carry it) into (HTML, button rows) per message. Returns
    None when the chat already has its daily digest for that date (another sweep won)."""
    [digest_id] = add_digests(
        session, [NewDigest(chat_id, kind, local_date, item_ids, render)], now=now
    )
    return None if digest_id is None else session.get(Digest, digest_id)


def add_digests(
    session: Session, digests: Sequence[NewDigest], *, now: dt.datetime
) -> list[int | None]:
    """`save_digest` for several digests at once, without loading them back: the new ids in
    order, None for each that the chat already has (its daily digest for that date). A
    few statements for the lot, since a sweep stores one for every chat."""
    ids = _insert_digests(session, digests, now)
    items: list[dict[str, object]] = []
    messages: list[dict[str, object]] = []
    shown: list[dict[str, object]] = []
    for digest, digest_id in zip(digests, ids, strict=True):
        if digest_id is None:
            continue
        for n, item_id in enumerate(digest.item_ids, start=1):
            items.append({"digest_id": digest_id, "position": n, "item_id": item_id})
            shown.append(
                {
                    "chat_id": digest.chat_id,
                    "item_id": item_id,
                    "times_shown": 1,
                    "last_shown_at": now,
                }
            )
        for n, (body, buttons) in enumerate(digest.render(digest_id), start=1):
            messages.append({"digest_id": digest_id, "part": n, "body": body, "buttons": buttons})
    for rows_of, rows in ((table_of(DigestItem), items), (table_of(DigestMessage), messages)):
        if rows:  # executemany needs at least one row
            session.execute(insert(rows_of), rows)
    _mark_shown(session, shown, now)
    return ids


def _insert_digests(
    session: Session, digests: Sequence[NewDigest], now: dt.datetime
) -> list[int | None]:
    """Insert the digests' rows; their ids in order, None for each the chat already has. DO
    NOTHING instead of a savepoint per digest: a daily digest that exists stays as it is."""
    table = table_of(Digest)
    new_only = upsert(session, Digest).on_conflict_do_nothing()
    rows = [
        {"chat_id": d.chat_id, "kind": d.kind, "local_date": d.local_date, "created_at": now}
        for d in digests
    ]
    keys = [(d.chat_id, d.kind, d.local_date) for d in digests]
    if len(set(keys)) < len(keys):  # a row may then conflict with another of the same batch
        add_one = new_only.returning(table.c.id)
        return [session.execute(add_one, row).scalar_one_or_none() for row in rows]
    if not rows:
        return []
    # One statement for the lot (batched as multi-row VALUES); rows skipped by DO NOTHING
    # return nothing, so the ids are matched back by key, not by position.
    c = table.c
    added = session.execute(new_only.returning(c.id, c.chat_id, c.kind, c.local_date), rows)
    by_key = {(chat_id, kind, day): digest_id for digest_id, chat_id, kind, day in added}
    return [by_key.get(key) for key in keys]


def _mark_shown(session: Session, shown: list[dict[str, object]], now: dt.datetime) -> None:
    """Count one more showing of each row's (chat_id, item_id): an upsert, so an answer
    recorded meanwhile (a new row) is kept rather than colliding."""
    if not shown:
        return
    adding = upsert(session, ItemState)
    states = ItemState.__table__.c
    statement = adding.on_conflict_do_update(
        index_elements=[states.chat_id, states.item_id],
        set_={"times_shown": states.times_shown + 1, "last_shown_at": now},
    )
    session.execute(statement, shown)


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
    # the query already leaves out NULL statuses; the test narrows the type to match
    return {item_id: status for item_id, status in rows if status is not None}


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


def daily_parts(
    session: Session, chat_id: int, local_date: dt.date
) -> list[tuple[str, list[list[list[str]]]]]:
    """The chat's daily digest of `local_date` as stored: (HTML, button rows) per message."""
    rows = session.execute(
        select(DigestMessage.body, DigestMessage.buttons)
        .join(Digest, DigestMessage.digest_id == Digest.id)
        .where(
            Digest.chat_id == chat_id,
            Digest.kind == DigestKind.DAILY,
            Digest.local_date == local_date,
        )
        .order_by(DigestMessage.part)
    )
    return [(body, buttons) for body, buttons in rows]
