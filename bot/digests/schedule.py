"""When things happen, in each chat's own time: parsing /time and /tz, and who is due now."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.digests.cadence import EVERY_DAY, on_day

_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.：](\d{2}))?\s*$")
_OFFSET = re.compile(r"^\s*(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?\s*$", re.IGNORECASE)
_MAX_FEED_DELAY = dt.timedelta(days=1)
_FIRST_SEND_RETRY = dt.timedelta(minutes=1)
_MAX_SEND_RETRY = dt.timedelta(hours=1)


class ScheduleError(ValueError):
    """A time or zone the user typed that cannot be used; the message says what works."""


def parse_time(text: str) -> dt.time:
    """`07:30`, `7:30`, `7` or `19.05` as a time of day.

    >>> parse_time("7:30"), parse_time("19")
    (datetime.time(7, 30), datetime.time(19, 0))
    """
    match = _TIME.match(text)
    if match:
        hour, minute = int(match[1]), int(match[2] or 0)
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise ScheduleError(f"{text.strip()!r} is not a time of day; try 07:30")


def parse_timezone(text: str) -> str:
    """An IANA zone name, or a whole-hour UTC offset such as `+8` (which is `Etc/GMT-8`:
    the IANA sign is inverted).

    >>> parse_timezone("+8"), parse_timezone("UTC-5"), parse_timezone("asia/shanghai")
    ('Etc/GMT-8', 'Etc/GMT+5', 'Asia/Shanghai')
    """
    match = _OFFSET.match(text)
    if match:
        hours = int(match[2])
        if hours > 14 or (match[1] == "-" and hours > 12):
            raise ScheduleError(f"{text.strip()} is not a UTC offset; offsets run from -12 to +14")
        if hours == 0:
            return "UTC"
        return f"Etc/GMT{'-' if match[1] == '+' else '+'}{hours}"
    name = _zone_names().get(text.strip().lower())
    if name is None:
        raise ScheduleError(f"unknown time zone {text.strip()!r}; try Asia/Shanghai or +8")
    return name


def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"unknown time zone {name!r}") from exc


def local_date(now: dt.datetime, timezone: str) -> dt.date:
    return now.astimezone(zone(timezone)).date()


def due_at(day: dt.date, at: dt.time, timezone: str) -> dt.datetime:
    """The instant (UTC) of local time `at` on `day`. A time that does not exist that day
    (clocks jump forward) is the first valid instant after it; one that occurs twice (clocks
    fall back) is its first occurrence."""
    tz = zone(timezone)
    wall = dt.datetime.combine(day, at)
    while not _exists(wall, tz):
        wall += dt.timedelta(minutes=1)
    return wall.replace(tzinfo=tz, fold=0).astimezone(dt.UTC)


def _exists(wall: dt.datetime, tz: ZoneInfo) -> bool:
    instant = wall.replace(tzinfo=tz).astimezone(dt.UTC)
    return instant.astimezone(tz).replace(tzinfo=None) == wall


def due_date(
    now: dt.datetime,
    timezone: str,
    at: dt.time,
    last_daily: dt.date | None,
    *,
    days: int = EVERY_DAY,
    paused_until: dt.datetime | None = None,
) -> dt.date | None:
    """The local date whose daily digest is due at `now`, or None: due once the digest time has
    passed today in the chat's zone, on one of the chat's `days` (local weekdays), and no daily
    digest exists for that date yet. A day whose digest time falls before `paused_until` is
    skipped, not made up once the pause ends: `/pause 7d` holds seven digests."""
    today = local_date(now, timezone)
    if last_daily is not None and last_daily >= today:
        return None
    if not on_day(days, today):
        return None
    due = due_at(today, at, timezone)
    if now < due or (paused_until is not None and due < paused_until):
        return None
    return today


def next_digest_at(
    after: dt.datetime, timezone: str, at: dt.time, days: int = EVERY_DAY
) -> dt.datetime:
    """The first digest time at or after `after`, on one of `days` (what a pause ends with).

    >>> monday_10 = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    >>> str(next_digest_at(monday_10, "UTC", dt.time(8)))
    '2026-11-24 08:00:00+00:00'
    >>> str(next_digest_at(monday_10, "UTC", dt.time(8), days=0b1100000))
    '2026-11-28 08:00:00+00:00'
    """
    day = local_date(after, timezone)
    for _ in range(8):
        if on_day(days, day) and (instant := due_at(day, at, timezone)) >= after:
            return instant
        day += dt.timedelta(days=1)
    raise ScheduleError("no weekday chosen")


def day_end(day: dt.date, timezone: str) -> dt.datetime:
    """The instant a local day is over: a failing digest is given up after it."""
    return due_at(day + dt.timedelta(days=1), dt.time(0, 0), timezone)


def next_feed_check(
    now: dt.datetime, errors: int, every: dt.timedelta, retry_after: dt.timedelta | None = None
) -> dt.datetime:
    """After `errors` failures in a row the next try waits twice as long each time, capped
    at a day. A feed's own Retry-After (429/503) is honoured when it asks for longer, but
    never past a day: a host asking for a week must not silence its feed for a week.

    >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> [str(next_feed_check(now, n, dt.timedelta(hours=1)) - now) for n in (0, 1, 3, 9)]
    ['1:00:00', '2:00:00', '8:00:00', '1 day, 0:00:00']
    >>> hours = [dt.timedelta(hours=h) for h in (1, 5, 24 * 7)]
    >>> [str(next_feed_check(now, 1, dt.timedelta(hours=1), h) - now) for h in hours]
    ['2:00:00', '5:00:00', '1 day, 0:00:00']
    """
    backoff = min(every * (2 ** min(errors, 16)), _MAX_FEED_DELAY)
    if retry_after is None:
        return now + backoff
    return now + max(backoff, min(retry_after, _MAX_FEED_DELAY))


def retry_after_delay(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """How long a Retry-After header asks to wait from `now`: delay-seconds or an HTTP-date
    (RFC 9110); None when absent or unreadable, and no less than nothing.

    >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> [retry_after_delay(v, now) for v in ("120", " 0 ", "soon", "-5", None)]
    [datetime.timedelta(seconds=120), datetime.timedelta(0), None, None, None]
    >>> retry_after_delay("Thu, 01 Jan 2026 03:00:00 GMT", now)
    datetime.timedelta(seconds=10800)
    >>> retry_after_delay("Wed, 31 Dec 2025 23:00:00 GMT", now)
    datetime.timedelta(0)
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return dt.timedelta(seconds=min(int(text), 10**9))  # bounded: timedelta overflows
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP-date is GMT; parsedate leaves "-0000" naive
        when = when.replace(tzinfo=dt.UTC)
    return max(when - now, dt.timedelta(0))


def next_send_retry(now: dt.datetime, attempts: int) -> dt.datetime:
    """After a failed send (timeout, 5xx) the next try waits 1, 2, 4… minutes, at most an hour.

    >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> [str(next_send_retry(now, n) - now) for n in (1, 2, 3, 12)]
    ['0:01:00', '0:02:00', '0:04:00', '1:00:00']
    """
    return now + min(_FIRST_SEND_RETRY * 2 ** min(max(attempts - 1, 0), 16), _MAX_SEND_RETRY)
