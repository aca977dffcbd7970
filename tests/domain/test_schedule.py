"""Who is due, in each chat's own zone; what /time and /tz accept."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.digests.cadence import WORKDAYS, parse_days, parse_pause
from bot.digests.schedule import (
    ScheduleError,
    day_end,
    due_at,
    due_date,
    next_digest_at,
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


def daily_digests(start: dt.datetime, end: dt.datetime, **rule: object) -> list[dt.date]:
    """The dates a chat with an 08:00 (Shanghai) digest gets, sweeping every hour."""
    got: list[dt.date] = []
    now = start
    while now < end:
        day = due_date(now, "Asia/Shanghai", dt.time(8), got[-1] if got else None, **rule)  # type: ignore[arg-type]
        if day is not None:
            got.append(day)
        now += dt.timedelta(hours=1)
    return got


def test_a_pause_of_seven_days_holds_seven_digests_then_they_come_again() -> None:
    paused_at = utc(2026, 11, 23, 2, 0)  # Mon 10:00 in Shanghai, after that day's digest
    until = paused_at + parse_pause("7d")
    got = daily_digests(paused_at, paused_at + dt.timedelta(days=10), paused_until=until)
    # Tue 24 … Mon 30 are held; Mon 30's 08:00 is before the pause ends at 10:00.
    assert got == [dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(2026, 12, 3)]
    assert next_digest_at(until, "Asia/Shanghai", dt.time(8)) == utc(2026, 12, 1, 0, 0)


def test_a_pause_ending_before_the_digest_time_lets_that_days_digest_come() -> None:
    paused_at = utc(2026, 11, 22, 22, 0)  # Mon 06:00 in Shanghai, before that day's digest
    got = daily_digests(
        paused_at, paused_at + dt.timedelta(days=8), paused_until=paused_at + parse_pause("7天")
    )
    assert got == [dt.date(2026, 11, 30)]  # Mon 23 … Sun 29 held


def test_digest_days_are_the_chats_local_weekdays() -> None:
    # Fri 27 Nov 23:30 UTC is already Saturday 07:30 in Shanghai.
    start = utc(2026, 11, 22, 20, 0)
    got = daily_digests(start, start + dt.timedelta(days=14), days=parse_days("mon-fri"))
    assert [d.strftime("%a") for d in got] == ["Mon", "Tue", "Wed", "Thu", "Fri"] * 2
    saturday_morning = utc(2026, 11, 28, 1, 0)  # Sat 09:00 in Shanghai, still Fri in New York
    assert due_date(saturday_morning, "Asia/Shanghai", dt.time(8), None, days=WORKDAYS) is None
    friday = due_date(saturday_morning, "America/New_York", dt.time(8), None, days=WORKDAYS)
    assert friday == dt.date(2026, 11, 27)


def test_a_day_ends_at_local_midnight() -> None:
    assert day_end(dt.date(2026, 11, 23), "Asia/Shanghai") == utc(2026, 11, 23, 16, 0)


def test_feed_checks_back_off_exponentially_up_to_a_day() -> None:
    now, hour = utc(2026, 1, 1), dt.timedelta(hours=1)
    gaps = [next_feed_check(now, n, hour) - now for n in range(8)]
    assert gaps[:4] == [hour, 2 * hour, 4 * hour, 8 * hour]
    assert gaps == sorted(gaps)
    assert max(gaps) == dt.timedelta(days=1)
