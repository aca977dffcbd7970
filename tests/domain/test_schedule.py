"""Who is due, in each chat's own zone; what /time and /tz accept."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.digests.schedule import (
    ScheduleError,
    day_end,
    due_at,
    due_date,
    next_feed_check,
    parse_time,
    parse_timezone,
)

UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("+8", "Etc/GMT-8"), ("-5", "Etc/GMT+5"), ("UTC+14", "Etc/GMT-14"), ("+0", "UTC"),
     ("Asia/Shanghai", "Asia/Shanghai"), ("europe/berlin", "Europe/Berlin")],
)  # fmt: skip
def test_zones_by_name_or_whole_hour_offset(typed: str, zone: str) -> None:
    assert parse_timezone(typed) == zone


@pytest.mark.parametrize("typed", ["+15", "-13", "Mars/Olympus", "", "8 pm"])
def test_bad_zones_say_what_works(typed: str) -> None:
    with pytest.raises(ScheduleError, match=r"Asia/Shanghai|offsets run"):
        parse_timezone(typed)


@pytest.mark.parametrize("typed", ["24:00", "7:60", "seven", "7:3", ""])
def test_bad_times_say_what_works(typed: str) -> None:
    with pytest.raises(ScheduleError, match="07:30"):
        parse_time(typed)


def test_due_once_the_local_time_has_passed_today() -> None:
    # 07:30 in Shanghai is 23:30 UTC the day before.
    assert due_date(utc(2026, 11, 22, 23, 29), "Asia/Shanghai", dt.time(7, 30), None) is None
    assert due_date(utc(2026, 11, 22, 23, 30), "Asia/Shanghai", dt.time(7, 30), None) == dt.date(
        2026, 11, 23
    )


def test_not_due_again_once_todays_daily_digest_exists() -> None:
    now = utc(2026, 11, 23, 12, 0)
    assert due_date(now, "UTC", dt.time(8, 0), dt.date(2026, 11, 23)) is None
    assert due_date(now, "UTC", dt.time(8, 0), dt.date(2026, 11, 22)) == dt.date(2026, 11, 23)


def test_a_time_set_already_past_today_sends_todays_digest() -> None:
    # At 15:00 the reader moves the digest to 09:00: today's has not gone, so it is due now.
    assert due_date(utc(2026, 11, 23, 15, 0), "UTC", dt.time(9, 0), dt.date(2026, 11, 22))


def test_a_local_time_that_does_not_exist_fires_at_the_next_valid_instant() -> None:
    # Berlin springs forward 02:00 → 03:00 on 29 March 2026 (01:00 UTC).
    assert due_at(dt.date(2026, 3, 29), dt.time(2, 30), "Europe/Berlin") == utc(2026, 3, 29, 1, 0)


def test_a_local_time_that_occurs_twice_fires_at_its_first_occurrence() -> None:
    # Berlin falls back 03:00 → 02:00 on 25 October 2026; 02:30 happens at 00:30 and 01:30 UTC.
    first = due_at(dt.date(2026, 10, 25), dt.time(2, 30), "Europe/Berlin")
    assert first == utc(2026, 10, 25, 0, 30)
    # Once that day's digest exists, the second 02:30 finds nothing due.
    assert due_date(utc(2026, 10, 25, 1, 30), "Europe/Berlin", dt.time(2, 30), first.date()) is None


def test_a_day_ends_at_local_midnight() -> None:
    assert day_end(dt.date(2026, 11, 23), "Asia/Shanghai") == utc(2026, 11, 23, 16, 0)


def test_feed_checks_back_off_exponentially_up_to_a_day() -> None:
    now, hour = utc(2026, 1, 1), dt.timedelta(hours=1)
    gaps = [next_feed_check(now, n, hour) - now for n in range(8)]
    assert gaps[:4] == [hour, 2 * hour, 4 * hour, 8 * hour]
    assert gaps == sorted(gaps)
    assert max(gaps) == dt.timedelta(days=1)
