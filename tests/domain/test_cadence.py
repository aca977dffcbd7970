"""What /pause and /days accept: lengths of time and weekdays, in English and Chinese."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.digests.cadence import (
    EVERY_DAY,
    WEEKENDS,
    WORKDAYS,
    CadenceError,
    days_text,
    parse_days,
    parse_pause,
)
from bot.i18n import translator
from bot.store.models import Chat
from bot.telegram.views.settings import settings_buttons, settings_text

DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("typed", "length"),
    [("7d", 7 * DAY), ("3 days", 3 * DAY), ("2w", 14 * DAY), ("12h", 12 * HOUR),
     ("1 week", 7 * DAY), ("7天", 7 * DAY), ("2周", 14 * DAY), ("3小时", 3 * HOUR),
     ("2 星期", 14 * DAY), (" 5D ", 5 * DAY)],
)  # fmt: skip
def test_a_pause_is_a_number_and_a_unit(typed: str, length: dt.timedelta) -> None:
    assert parse_pause(typed) == length


@pytest.mark.parametrize("typed", ["0d", "7", "d", "soon", "7 fortnights", "-3d", "400d", "1.5d"])
def test_a_pause_that_cannot_be_read_says_what_works(typed: str) -> None:
    with pytest.raises(CadenceError, match=r"3d, 2w or 12h|longer than a year"):
        parse_pause(typed)


@pytest.mark.parametrize(
    ("typed", "days"),
    [("mon-fri", WORKDAYS), ("Mon - Fri", WORKDAYS), ("monday to friday", WORKDAYS),
     ("weekdays", WORKDAYS), ("mon,wed,fri", 0b10101), ("mon wed fri", 0b10101),
     ("tue and thu", 0b01010), ("weekends", WEEKENDS), ("sat, sun", WEEKENDS),
     ("every day", EVERY_DAY), ("daily", EVERY_DAY), ("fri-mon", 0b1110001),
     ("weekends, wed", WEEKENDS | 0b100),
     ("周一-周五", WORKDAYS), ("周一至周五", WORKDAYS), ("星期一到星期五", WORKDAYS),
     ("工作日", WORKDAYS), ("周末", WEEKENDS), ("每天", EVERY_DAY), ("周一、周三、周五", 0b10101)],
)  # fmt: skip
def test_weekdays_as_ranges_lists_and_words(typed: str, days: int) -> None:
    assert parse_days(typed) == days


@pytest.mark.parametrize("typed", ["", "someday", "mon-", "mon-xyz", "周八", "mon, funday"])
def test_weekdays_that_cannot_be_read_say_what_works(typed: str) -> None:
    with pytest.raises(CadenceError, match="mon-fri"):
        parse_days(typed)


def test_weekdays_are_written_back_in_the_chats_language() -> None:
    zh = translator("zh")
    assert days_text(WORKDAYS) == "Mon–Fri"
    assert days_text(0b10101) == "Mon, Wed, Fri"
    assert days_text(WORKDAYS, zh) == "周一–周五"
    assert days_text(0b10101, zh) == "周一、周三、周五"
    assert days_text(EVERY_DAY, zh) == "每天"


def test_settings_show_the_days_and_a_timed_pause_in_the_chats_time() -> None:
    now = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
    chat = Chat(
        timezone="Asia/Shanghai",
        digest_time=dt.time(8),
        digest_size=5,
        language="en",
        paused=False,
        paused_until=now + dt.timedelta(days=7),
        digest_days=WORKDAYS,
    )
    shown = settings_text(chat, translator("en"), now)
    assert "5 items — paused until Mon 30 Nov 14:00." in shown
    assert shown.endswith("\nDays: Mon–Fri")
    assert "▶️ Resume" in str(settings_buttons(chat, translator("en"), now))
    later = now + dt.timedelta(days=8)
    assert "5 items — active." in settings_text(chat, translator("en"), later)
    assert "⏸ Pause" in str(settings_buttons(chat, translator("en"), later))
