"""Newsletter feeds: which are due, and what a fetch changed."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from bot.digests.schedule import next_feed_check, retry_after_delay
from bot.feeds.results import FetchResult
from bot.library.dedupe import canonical_url
from bot.library.items import PreparedItem
from bot.store.adding import ImportReport, add_items
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
    return _active(session, or_(Source.next_check_at.is_(None), Source.next_check_at <= now))


def active_feeds(session: Session, now: dt.datetime) -> list[DueFeed]:
    """Every feed with a URL that is not paused, due or not: a pull by hand asks them all,
    except those whose host asked (Retry-After) to be left alone until later."""
    return _active(session, or_(Source.host_wait_until.is_(None), Source.host_wait_until <= now))


def _active(session: Session, *where: ColumnElement[bool]) -> list[DueFeed]:
    rows = session.scalars(
        select(Source).where(
            Source.kind == SourceKind.FEED,
            Source.feed_url.is_not(None),
            Source.paused.is_(False),
            *where,
        )
    )
    return [DueFeed(s.id, s.key, s.feed_url or "", s.etag, s.last_modified) for s in rows]


@dataclass(frozen=True, slots=True)
class Fetched:
    """One feed's fetch, with its posts already prepared as items."""

    feed_id: int
    result: FetchResult
    entries: list[PreparedItem]


def record_fetches(
    session: Session,
    fetched: Sequence[Fetched],
    *,
    owner_chat_id: int,
    now: dt.datetime,
    every: dt.timedelta,
    report: ImportReport,
) -> list[FeedOutcome]:
    """Store fetches: new posts as items, validators, errors and each feed's next check. One
    outcome per fetch, in order."""
    ids = [f.feed_id for f in fetched]
    sources = {s.id: s for s in session.scalars(select(Source).where(Source.id.in_(ids)))}
    outcomes = [_record(sources[f.feed_id], f.result, now, every) for f in fetched]
    new_posts = [
        (sources[f.feed_id], f.entries)
        for f, outcome in zip(fetched, outcomes, strict=True)
        if outcome is FeedOutcome.UPDATED
    ]
    add_items(session, new_posts, owner_chat_id=owner_chat_id, now=now, report=report)
    return outcomes


def _record(
    source: Source, result: FetchResult, now: dt.datetime, every: dt.timedelta
) -> FeedOutcome:
    source.last_checked_at = now
    if not result.ok:
        source.error_count += 1
        source.last_error = result.detail[:500]
        retry_after = retry_after_delay(result.retry_after, now)
        source.host_wait_until = now + retry_after if retry_after else None
        source.next_check_at = next_feed_check(now, source.error_count, every, retry_after)
        if source.error_count >= PAUSE_AFTER_ERRORS:
            source.paused = True
            return FeedOutcome.PAUSED
        return FeedOutcome.FAILED
    source.error_count, source.last_error, source.host_wait_until = 0, None, None
    source.etag, source.last_modified = result.etag, result.last_modified
    if result.moved_permanently_to:
        source.feed_url = result.moved_permanently_to
    wait = max(every, dt.timedelta(minutes=result.ttl_minutes or 0))
    source.next_check_at = now + wait
    return FeedOutcome.NOT_MODIFIED if result.not_modified else FeedOutcome.UPDATED


def followed(session: Session, url: str) -> bool:
    """Whether the feed at `url` is followed already."""
    key = f"feed:{canonical_url(url)}"
    exists = session.scalar(select(Source.id).where(or_(Source.key == key, Source.feed_url == url)))
    return exists is not None


def follow(session: Session, url: str, name: str | None, now: dt.datetime) -> bool:
    """Follow a feed by its URL; False when it is followed already."""
    if followed(session, url):
        return False
    key = f"feed:{canonical_url(url)}"
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
