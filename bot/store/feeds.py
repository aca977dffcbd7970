"""Newsletter feeds: which are due, and what a fetch changed."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.feeds import FetchResult
from bot.identity import canonical_url
from bot.items import PreparedItem
from bot.schedule import next_feed_check
from bot.store.library import ImportReport, add_items, existing_items
from bot.store.models import Source, SourceKind

# A feed failing this many times in a row (with backoff, about a week) is paused.
PAUSE_AFTER_ERRORS = 12


class FeedOutcome(enum.StrEnum):
    UPDATED = "updated"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"
    PAUSED = "paused"  # failed, and this failure paused it: admins are told once


@dataclass(frozen=True, slots=True)
class DueFeed:
    id: int
    key: str
    url: str
    etag: str | None
    last_modified: str | None


def due_feeds(session: Session, now: dt.datetime) -> list[DueFeed]:
    """Feeds with a URL, not paused, whose next check has come."""
    rows = session.scalars(
        select(Source).where(
            Source.kind == SourceKind.FEED,
            Source.feed_url.is_not(None),
            Source.paused.is_(False),
            or_(Source.next_check_at.is_(None), Source.next_check_at <= now),
        )
    )
    return [DueFeed(s.id, s.key, s.feed_url or "", s.etag, s.last_modified) for s in rows]


def record_fetch(
    session: Session,
    feed_id: int,
    result: FetchResult,
    entries: list[PreparedItem],
    *,
    owner_chat_id: int,
    now: dt.datetime,
    every: dt.timedelta,
    report: ImportReport,
) -> FeedOutcome:
    """Store one fetch: new posts as items, validators, errors and the next check."""
    source = session.get(Source, feed_id)
    assert source is not None
    source.last_checked_at = now
    if not result.ok:
        source.error_count += 1
        source.last_error = result.detail[:500]
        source.next_check_at = next_feed_check(now, source.error_count, every)
        if source.error_count >= PAUSE_AFTER_ERRORS:
            source.paused = True
            return FeedOutcome.PAUSED
        return FeedOutcome.FAILED
    source.error_count, source.last_error = 0, None
    source.etag, source.last_modified = result.etag, result.last_modified
    if result.moved_permanently_to:
        source.feed_url = result.moved_permanently_to
    wait = max(every, dt.timedelta(minutes=result.ttl_minutes or 0))
    source.next_check_at = now + wait
    if result.not_modified:
        return FeedOutcome.NOT_MODIFIED
    by_key = existing_items(session, (k for entry in entries for k in entry.keys))
    add_items(session, source, entries, by_key, owner_chat_id, now, report)
    return FeedOutcome.UPDATED


def follow(session: Session, url: str, name: str | None, now: dt.datetime) -> bool:
    """Follow a feed by its URL; False when it is followed already."""
    key = f"feed:{canonical_url(url)}"
    exists = session.scalar(select(Source.id).where(or_(Source.key == key, Source.feed_url == url)))
    if exists is not None:
        return False
    host = urlsplit(url).hostname or url
    session.add(
        Source(
            kind=SourceKind.FEED, key=key, name=name or host, site=url, feed_url=url, added_at=now
        )
    )
    return True


def unfollow(session: Session, name_or_url: str) -> str | None:
    """Stop following a feed named or addressed so; its posts stay in the library. Returns the
    name of the feed removed, None if there is none."""
    source = session.scalars(
        select(Source).where(
            Source.kind == SourceKind.FEED,
            or_(
                Source.name == name_or_url,
                Source.feed_url == name_or_url,
                Source.site == name_or_url,
            ),
        )
    ).first()
    if source is None:
        return None
    session.delete(source)
    return source.name
