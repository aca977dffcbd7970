"""A chat's reading in numbers and as a picture: read and skipped per week by kind, and the
streak of days with something read. Both kinds of skip ("later" and "less like this") count as
skipped: the picture shows how much was read, not why the rest was not.

The numbers are pure (answers and `now` in, values out). The picture is drawn by matplotlib,
imported only when a picture is asked for: the idle bot stays small. The picture's text is
English and numeric because the fonts matplotlib ships have no CJK glyphs; the caption sent
beside it is translated.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.library.items import Answer, ItemKind

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DEFAULT_WEEKS = 8
MAX_WEEKS = 52
# Pixels: 8 x 4.5 inches at 100 dpi, a shape Telegram shows without cropping.
WIDTH, HEIGHT, DPI = 800, 450, 100
KINDS = (ItemKind.PAPER, ItemKind.ARTICLE, ItemKind.QUOTE)
COLOURS = {ItemKind.PAPER: "#3b6ea5", ItemKind.ARTICLE: "#e08a2c", ItemKind.QUOTE: "#5a9e57"}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True, slots=True)
class Answered:
    """One item's answer in a chat: when, which, and what kind of item."""

    at: dt.datetime
    answer: Answer
    kind: ItemKind


@dataclass(frozen=True, slots=True)
class Week:
    """One local week (Monday to Sunday) of answers, counted per kind."""

    start: dt.date
    read: dict[ItemKind, int]
    skipped: dict[ItemKind, int]


@dataclass(frozen=True, slots=True)
class ReadingStats:
    weeks: tuple[Week, ...]  # oldest first; the last is the current week
    streak: int  # consecutive local days with something read, up to today

    @property
    def read(self) -> int:
        return sum(sum(w.read.values()) for w in self.weeks)

    @property
    def skipped(self) -> int:
        return sum(sum(w.skipped.values()) for w in self.weeks)


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week.

    >>> week_start(dt.date(2026, 11, 29))  # a Sunday
    datetime.date(2026, 11, 23)
    """
    return day - dt.timedelta(days=day.weekday())


def streak(read_days: Collection[dt.date], today: dt.date) -> int:
    """Consecutive days with something read, ending today; a streak stays alive through today
    until the day ends without a read.

    >>> d = dt.date(2026, 11, 23)
    >>> streak({d, d - dt.timedelta(1), d - dt.timedelta(3)}, d)
    2
    >>> streak({d - dt.timedelta(1)}, d), streak({d - dt.timedelta(2)}, d), streak(set(), d)
    (1, 0, 0)
    """
    day = today if today in read_days else today - dt.timedelta(days=1)
    count = 0
    while day in read_days:
        count += 1
        day -= dt.timedelta(days=1)
    return count


def reading_stats(
    answers: Iterable[Answered], *, now: dt.datetime, zone: ZoneInfo, weeks: int = DEFAULT_WEEKS
) -> ReadingStats:
    """Answers counted per local week for the last `weeks` weeks, and the current streak, both
    in the chat's time zone."""
    today = now.astimezone(zone).date()
    first = week_start(today) - dt.timedelta(weeks=weeks - 1)
    read: Counter[tuple[dt.date, ItemKind]] = Counter()
    skipped: Counter[tuple[dt.date, ItemKind]] = Counter()
    read_days: set[dt.date] = set()
    for answered in answers:
        day = answered.at.astimezone(zone).date()
        if day > today:
            continue  # a clock ahead of ours; not reading done yet
        if answered.answer is Answer.READ:
            read_days.add(day)
        if day >= first:
            counts = read if answered.answer is Answer.READ else skipped
            counts[week_start(day), answered.kind] += 1
    starts = [first + dt.timedelta(weeks=n) for n in range(weeks)]
    return ReadingStats(
        weeks=tuple(
            Week(s, {k: read[s, k] for k in KINDS}, {k: skipped[s, k] for k in KINDS})
            for s in starts
        ),
        streak=streak(read_days, today),
    )


def caption(stats: ReadingStats, tr: gettext.NullTranslations) -> str:
    """The one line sent beside the picture, in the chat's language."""
    weeks = len(stats.weeks)
    if not stats.read and not stats.skipped:
        return tr.gettext("Nothing read yet in the last {weeks} weeks.").format(weeks=weeks)
    days = tr.ngettext("streak: {days} day", "streak: {days} days", stats.streak)
    return tr.gettext("Last {weeks} weeks: {read} read, {skipped} skipped · {streak}").format(
        weeks=weeks, read=stats.read, skipped=stats.skipped, streak=days.format(days=stats.streak)
    )


def draw(stats: ReadingStats) -> bytes:
    """The picture as PNG bytes, WIDTH x HEIGHT pixels: per week a solid bar of items read and a
    hatched bar of items skipped, each stacked by kind."""
    # Matplotlib's object API with the Agg canvas: no pyplot global state, so drawing in a
    # worker thread beside the bot's event loop is safe.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.07, right=0.98, top=0.86, bottom=0.2)
    _bars(axes, stats)
    _titles(figure, axes, stats)
    _legend(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _bars(axes: Axes, stats: ReadingStats) -> None:
    """The weeks' bars, read beside skipped, on an axis of whole items."""
    from matplotlib.ticker import MaxNLocator

    positions = range(len(stats.weeks))
    _stacked(axes, stats, positions, skipped=False)
    _stacked(axes, stats, positions, skipped=True)
    axes.set_xticks(list(positions), [_label(w.start) for w in stats.weeks])
    axes.set_xlim(-0.6, len(stats.weeks) - 0.4)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("items")
    axes.spines[["top", "right"]].set_visible(False)


def _titles(figure: Figure, axes: Axes, stats: ReadingStats) -> None:
    """The title, the totals beneath it, and a note across an empty chart."""
    weeks = len(stats.weeks)
    figure.suptitle(f"Reading, last {weeks} weeks", x=0.07, ha="left", fontsize=14)
    days = "day" if stats.streak == 1 else "days"
    axes.set_title(
        f"{stats.read} read, {stats.skipped} skipped · streak: {stats.streak} {days}",
        loc="left",
        fontsize=10,
        color="#555555",
    )
    if not stats.read and not stats.skipped:
        axes.set_ylim(0, 5)
        axes.text(
            0.5,
            0.5,
            "nothing read yet",
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=16,
            color="#888888",
        )


def _legend(figure: Figure) -> None:
    """The kinds by colour, and read and skipped by fill."""
    from matplotlib.patches import Patch

    handles = [Patch(color=COLOURS[k], label=f"{k.value}s") for k in KINDS]
    handles += [
        Patch(facecolor="white", edgecolor="#555555", label="read"),
        Patch(facecolor="white", edgecolor="#555555", hatch="///", label="skipped"),
    ]
    figure.legend(handles=handles, loc="lower center", ncols=5, frameon=False, fontsize=9)


def _stacked(axes: Axes, stats: ReadingStats, positions: range, *, skipped: bool) -> None:
    width = 0.38
    shift = width / 2 if skipped else -width / 2
    bottoms = [0] * len(stats.weeks)
    for kind in KINDS:
        heights = [(w.skipped if skipped else w.read)[kind] for w in stats.weeks]
        axes.bar(
            [p + shift for p in positions],
            heights,
            width,
            bottom=bottoms,
            color=COLOURS[kind],
            alpha=0.45 if skipped else 1.0,
            hatch="///" if skipped else None,
            edgecolor="white",
            linewidth=0.5,
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]


def _label(day: dt.date) -> str:
    """A week's tick label, in English whatever the process's locale.

    >>> _label(dt.date(2026, 11, 23))
    'Nov 23'
    """
    return f"{_MONTHS[day.month - 1]} {day.day}"
