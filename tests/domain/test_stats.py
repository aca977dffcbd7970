"""/stats in numbers and as a picture: weeks and streak in the chat's zone, a PNG that shows them."""

from __future__ import annotations

import datetime as dt
import gettext
import io
import random
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image

from bot.digests.stats import (
    COLOURS,
    DPI,
    HEIGHT,
    WIDTH,
    Answered,
    ReadingStats,
    caption,
    draw,
    reading_stats,
)
from bot.library.items import Answer, ItemKind

UTC = ZoneInfo("UTC")
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)  # a Wednesday
EN = gettext.NullTranslations()


def at(day: str, time: str = "12:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}+00:00")


def read(when: dt.datetime, kind: ItemKind = ItemKind.PAPER) -> Answered:
    return Answered(when, Answer.READ, kind)


def skipped(when: dt.datetime, kind: ItemKind = ItemKind.PAPER) -> Answered:
    return Answered(when, Answer.SKIPPED, kind)


def seeded_history(weeks: int = 8, seed: int = 7) -> list[Answered]:
    """A few answers most days of the last `weeks` weeks, of every kind."""
    rng = random.Random(seed)
    history = []
    for days_back in range(weeks * 7):
        for _ in range(rng.randint(0, 4)):
            when = NOW - dt.timedelta(days=days_back, hours=rng.uniform(0, 7))
            answer = rng.choice([Answer.READ, Answer.READ, Answer.SKIPPED])
            history.append(Answered(when, answer, rng.choice(list(ItemKind))))
    return history


def test_answers_are_counted_per_local_week_and_kind() -> None:
    stats = reading_stats(
        [
            read(at("2026-11-23"), ItemKind.PAPER),  # Monday, this week
            read(at("2026-11-24"), ItemKind.QUOTE),
            skipped(at("2026-11-25", "07:00"), ItemKind.ARTICLE),
            read(at("2026-11-22"), ItemKind.PAPER),  # Sunday: last week
            skipped(at("2026-09-01")),  # before the window
        ],
        now=NOW,
        zone=UTC,
        weeks=4,
    )
    assert [w.start for w in stats.weeks] == [
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 23),
    ]
    this_week, last_week = stats.weeks[-1], stats.weeks[-2]
    assert this_week.read == {ItemKind.PAPER: 1, ItemKind.ARTICLE: 0, ItemKind.QUOTE: 1}
    assert this_week.skipped == {ItemKind.PAPER: 0, ItemKind.ARTICLE: 1, ItemKind.QUOTE: 0}
    assert last_week.read[ItemKind.PAPER] == 1
    assert (stats.read, stats.skipped) == (3, 1)


def test_both_kinds_of_skip_count_as_skipped_and_neither_keeps_a_streak() -> None:
    less = Answered(at("2026-11-25"), Answer.LESS, ItemKind.ARTICLE)
    stats = reading_stats([skipped(at("2026-11-24")), less], now=NOW, zone=UTC, weeks=2)
    assert stats.weeks[-1].skipped == {ItemKind.PAPER: 1, ItemKind.ARTICLE: 1, ItemKind.QUOTE: 0}
    assert (stats.read, stats.skipped, stats.streak) == (0, 2, 0)
    assert caption(stats, EN) == "Last 2 weeks: 0 read, 2 skipped · streak: 0 days"


def test_a_week_is_the_chats_local_week() -> None:
    # Sunday 20:00 UTC is already Monday 04:00 in Shanghai: this week there, last week in UTC.
    answer = [read(at("2026-11-22", "20:00"))]
    in_utc = reading_stats(answer, now=NOW, zone=UTC, weeks=2)
    in_shanghai = reading_stats(answer, now=NOW, zone=SHANGHAI, weeks=2)
    assert [sum(w.read.values()) for w in in_utc.weeks] == [1, 0]
    assert [sum(w.read.values()) for w in in_shanghai.weeks] == [0, 1]


def test_the_streak_counts_local_days_across_the_utc_date_line() -> None:
    # Read at 23:30 UTC on the 22nd and 23rd, and 01:00 UTC on the 25th. In Shanghai (UTC+8)
    # those are the mornings of the 23rd, 24th and 25th: three days in a row, up to today.
    # In UTC they fall on the 22nd, 23rd and 25th: the 24th is missing, so only today counts.
    answers = [
        read(at("2026-11-22", "23:30")),
        read(at("2026-11-23", "23:30")),
        read(at("2026-11-25", "01:00")),
    ]
    assert reading_stats(answers, now=NOW, zone=SHANGHAI).streak == 3
    assert reading_stats(answers, now=NOW, zone=UTC).streak == 1


def test_a_streak_lives_until_a_day_ends_without_a_read() -> None:
    yesterday_and_before = [read(NOW - dt.timedelta(days=1)), read(NOW - dt.timedelta(days=2))]
    assert reading_stats(yesterday_and_before, now=NOW, zone=UTC).streak == 2
    assert reading_stats([read(NOW - dt.timedelta(days=2))], now=NOW, zone=UTC).streak == 0


def test_skips_do_not_make_a_streak_and_old_reads_still_count_toward_it() -> None:
    assert reading_stats([skipped(NOW)], now=NOW, zone=UTC).streak == 0
    # Sixty days in a row: longer than the eight weeks the picture shows.
    daily = [read(NOW - dt.timedelta(days=n)) for n in range(60)]
    assert reading_stats(daily, now=NOW, zone=UTC, weeks=8).streak == 60


def test_captions_say_what_the_picture_shows() -> None:
    stats = reading_stats(
        [read(NOW), read(NOW - dt.timedelta(days=1)), skipped(NOW)], now=NOW, zone=UTC
    )
    assert caption(stats, EN) == "Last 8 weeks: 2 read, 1 skipped · streak: 2 days"
    one_day = reading_stats([read(NOW)], now=NOW, zone=UTC, weeks=4)
    assert caption(one_day, EN) == "Last 4 weeks: 1 read, 0 skipped · streak: 1 day"
    empty = reading_stats([], now=NOW, zone=UTC)
    assert caption(empty, EN) == "Nothing read yet in the last 8 weeks."


def picture(stats: ReadingStats) -> np.ndarray:
    """The PNG as rows of RGB pixels."""
    png = draw(stats)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


# The plot area, inside the axes (see bot/digests/stats.py's subplots_adjust), in pixels.
LEFT, TOP, RIGHT, BOTTOM = (
    int(0.08 * WIDTH),
    int(0.15 * HEIGHT),
    int(0.97 * WIDTH),
    int(0.79 * HEIGHT),
)


def plot_area(image: np.ndarray) -> np.ndarray:
    return image[TOP:BOTTOM, LEFT:RIGHT]


def inked(image: np.ndarray) -> int:
    """Pixels of the plot area that are not the white background."""
    return int((plot_area(image) != 255).any(axis=2).sum())


def coloured(image: np.ndarray) -> int:
    """Pixels of the plot area with colour in them (bars), not grey (axes, text)."""
    area = plot_area(image)
    return int((area.max(axis=2) - area.min(axis=2) > 40).sum())


def shows(image: np.ndarray, colour: str) -> bool:
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return bool((plot_area(image) == rgb).all(axis=2).any())


def test_the_picture_of_a_seeded_history_has_its_size_and_bars() -> None:
    stats = reading_stats(seeded_history(), now=NOW, zone=SHANGHAI)
    assert stats.read > 40 and stats.skipped > 10
    image = picture(stats)
    assert image.shape == (HEIGHT, WIDTH, 3) == (round(4.5 * DPI), 8 * DPI, 3)
    empty = picture(reading_stats([], now=NOW, zone=SHANGHAI))
    assert empty.shape == image.shape
    # Bars colour a good part of the plot area; the empty picture has none there.
    assert coloured(image) > 0.1 * (RIGHT - LEFT) * (BOTTOM - TOP)
    assert coloured(empty) == 0
    assert inked(image) > inked(empty)


@pytest.mark.parametrize("kind", list(ItemKind))
def test_each_kind_has_its_own_colour_in_the_picture(kind: ItemKind) -> None:
    alone = picture(reading_stats([read(NOW, kind)] * 5, now=NOW, zone=UTC))
    assert shows(alone, COLOURS[kind])
    others = [read(NOW, k) for k in ItemKind if k != kind]
    assert not shows(picture(reading_stats(others, now=NOW, zone=UTC)), COLOURS[kind])
