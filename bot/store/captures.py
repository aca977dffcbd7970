"""Captures: an item an admin sent the bot, added as an import adds a note (deduplicated by
every key it carries), recorded so that Undo can take back what the capture made, a feed it
offered can be followed from its button, and captures keep a pace."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.library.items import Answer, PreparedItem
from bot.store.adding import ImportReport, add_items
from bot.store.chats import ensure_chat
from bot.store.models import Capture, Item, ItemState, Source, SourceKind
from bot.store.raw_rows import aware

# The source of what the owner sends in their own words; forwarded messages get their origin's.
OWN = ("telegram", "Telegram")


@dataclass(frozen=True, slots=True)
class Filed:
    """What adding a captured item did."""

    capture_id: int
    item_id: int
    created: bool  # a new item; False: it was in the library already
    answer: Answer | None = None  # the capturing chat's answer to it, if any
    answered_at: dt.datetime | None = None


class Undone(enum.StrEnum):
    REMOVED = "removed"
    WAS_THERE = "was_there"  # the capture found the item in the library: it stays
    ALREADY = "already"  # undone before, or the item is gone
    UNKNOWN = "unknown"  # no such capture of this chat's


def file_item(
    session: Session,
    entry: PreparedItem,
    *,
    chat_id: int,
    source: tuple[str, str],
    asked: str,
    owner_chat_id: int,
    now: dt.datetime,
) -> Filed:
    """Add the entry as an import would (a new item, or the one it is a note of) and record
    the capture. ``source``: (key, name) of where it came from."""
    ensure_chat(session, chat_id)
    report = ImportReport()
    batch = [(_capture_source(session, *source, now), [entry])]
    [item_id] = add_items(session, batch, owner_chat_id=owner_chat_id, now=now, report=report)
    created = sum(report.added.values()) == 1
    capture = Capture(
        chat_id=chat_id, item_id=item_id, created=created, asked=asked[:2000], created_at=now
    )
    session.add(capture)
    session.flush()
    state = session.get(ItemState, (chat_id, item_id))
    answer = state.status if state is not None else None
    answered_at = aware(state.answered_at) if state is not None else None
    return Filed(capture.id, item_id, created, answer, answered_at)


def offer_feed(
    session: Session, *, chat_id: int, url: str, name: str, asked: str, now: dt.datetime
) -> int:
    """Record a capture that found a feed to follow (and filed nothing); its id."""
    ensure_chat(session, chat_id)
    capture = Capture(
        chat_id=chat_id,
        asked=asked[:2000],
        feed_url=url[:1024],
        feed_name=name[:256] or None,
        created_at=now,
    )
    session.add(capture)
    session.flush()
    return capture.id


def remember_feed(session: Session, capture_id: int, url: str, name: str) -> None:
    """A page filed by a capture offers a feed: keep it for the capture's Follow button."""
    capture = session.get(Capture, capture_id)
    if capture is not None:
        capture.feed_url, capture.feed_name = url[:1024], name[:256] or None


def offered_feed(session: Session, capture_id: int, chat_id: int) -> tuple[str, str] | None:
    """The feed (URL, name) a capture of this chat's offered; None for another's or none."""
    capture = session.get(Capture, capture_id)
    if capture is None or capture.chat_id != chat_id or not capture.feed_url:
        return None
    return capture.feed_url, capture.feed_name or ""


def undo(session: Session, capture_id: int, chat_id: int, now: dt.datetime) -> tuple[Undone, str]:
    """Take back what a capture of this chat's made: the item goes (with its keys, answers and
    place in digests). Returns what happened and the item's title."""
    capture = session.get(Capture, capture_id)
    if capture is None or capture.chat_id != chat_id:
        return Undone.UNKNOWN, ""
    item = session.get(Item, capture.item_id) if capture.item_id is not None else None
    title = item.title if item is not None else ""
    if capture.undone_at is not None or item is None:
        return Undone.ALREADY, title
    if not capture.created:
        return Undone.WAS_THERE, title
    capture.undone_at = now
    session.execute(delete(Item).where(Item.id == item.id))  # the database cascades the rest
    return Undone.REMOVED, title


def recent_captures(session: Session, chat_id: int, since: dt.datetime) -> list[dt.datetime]:
    """When this chat captured since ``since``, oldest first."""
    rows = session.scalars(
        select(Capture.created_at)
        .where(Capture.chat_id == chat_id, Capture.created_at > since)
        .order_by(Capture.created_at)
    )
    return [moment for row in rows if (moment := aware(row)) is not None]


def _capture_source(session: Session, key: str, name: str, now: dt.datetime) -> Source:
    full_key = f"capture:{key}"[:512]
    source = session.scalar(select(Source).where(Source.key == full_key))
    if source is None:
        source = Source(kind=SourceKind.CAPTURE, key=full_key, name=name[:256], added_at=now)
        session.add(source)
    elif source.name != name[:256]:
        source.name = name[:256]  # a channel renamed: its items show its name of today
    return source
