"""What a feed fetch yields: the feed's posts as plain text, or the kind of failure.

Pure values, no I/O: the store and the importer read them without loading the feed client
(httpx) or the parser (feedparser). The bounds the comments name (TITLE_MAX_CHARS,
TTL_MIN_MINUTES, ...) are bot.feeds.parse's.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

__all__ = ["FeedEntry", "FetchFailure", "FetchResult"]


class FetchFailure(enum.StrEnum):
    """Why a fetch gave no entries; the pull decides what each means for the feed."""

    TIMEOUT = "timeout"  # no answer, or no whole body, within the limits
    TOO_LARGE = "too_large"  # the (decompressed) body passed FetchLimits.max_bytes
    HTTP_ERROR = "http_error"  # an HTTP status other than 2xx / 304 (status is set)
    TOO_MANY_REDIRECTS = "too_many_redirects"  # a loop, or more hops than allowed
    CONNECT = "connect"  # DNS, refused, TLS, a broken connection, an unusable URL
    NOT_A_FEED = "not_a_feed"  # an HTML page, garbage, an undecodable body


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One post of a feed, as plain text."""

    guid: str | None  # the feed's own id for the entry (RSS guid, Atom id), if it has one
    title: str  # plain text, repaired, one line, at most TITLE_MAX_CHARS
    link: str | None  # absolute URL of the post
    summary: str  # plain text: HTML stripped, entities decoded, repaired, collapsed, capped
    author: str  # "" when the feed names nobody
    published: dt.datetime | None  # UTC; the updated date when no published date is given


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch found. Exactly one of: error set, not_modified, or entries read."""

    url: str  # the final URL, after redirects
    status: int | None  # the last HTTP status seen; None when no response came
    not_modified: bool  # 304 to the conditional request: nothing was parsed
    entries: tuple[FeedEntry, ...]
    etag: str | None  # validators to send next time (kept from the request on a 304)
    last_modified: str | None
    moved_permanently_to: str | None  # where a 301/308 chain from `url` ended, if elsewhere
    ttl_minutes: int | None  # the feed's <ttl>, clamped to TTL_MIN..TTL_MAX_MINUTES
    error: FetchFailure | None
    detail: str  # a short human-readable reason; "" on success
    bozo: bool  # the feed was not well-formed, but entries were read from it
    retry_after: str | None = None  # a 429/503's Retry-After, as sent (digests.schedule reads it)

    @property
    def ok(self) -> bool:
        return self.error is None
