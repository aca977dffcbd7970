"""How often a chat's daily digest comes: a pause for a while (`/pause 7d`) and the weekdays
it comes on (`/days mon-fri`). What the user typed, read; the weekdays, written back.

The grammar is the bot's own (English and Chinese words for units and weekdays), so it is read
here rather than by a general date parser, which knows neither `7天` nor `周一-周五`.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from collections.abc import Iterable

from bot.i18n import ENGLISH, WEEKDAYS

# Weekdays as a bit mask: bit n is weekday n (Monday 0 … Sunday 6), as date.weekday() counts.
EVERY_DAY = 0b1111111
WORKDAYS = 0b0011111
WEEKENDS = 0b1100000
MAX_PAUSE = dt.timedelta(days=366)


class CadenceError(ValueError):
    """A pause or a set of weekdays that cannot be read; the message says what works."""


_UNITS = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "小时", "个小时", "小時"), "hours"),
    **dict.fromkeys(("d", "day", "days", "天", "日"), "days"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks", "周", "週", "星期", "个星期"), "weeks"),
}
_PAUSE = re.compile(r"^\s*(\d{1,4})\s*([^\d\s]+)\s*$")


def parse_pause(text: str) -> dt.timedelta:
    """A pause's length: `12h`, `3d`, `2w`, `7 days`, `7天`, `2周`, `3小时` (up to a year).

    >>> [str(parse_pause(t)) for t in ("12h", "3d", "2 weeks", "7天", "3小时")]
    ['12:00:00', '3 days, 0:00:00', '14 days, 0:00:00', '7 days, 0:00:00', '3:00:00']
    """
    match = _PAUSE.match(text.lower())
    unit = _UNITS.get(match[2]) if match else None
    if match is None or unit is None or int(match[1]) == 0:
        raise CadenceError(f"{text.strip()!r} is not a length of time; try 3d, 2w or 12h")
    length = dt.timedelta(**{unit: int(match[1])})
    if length > MAX_PAUSE:
        raise CadenceError(f"{text.strip()!r} is longer than a year; /pause alone holds digests")
    return length


_DAY_NAMES = {
    name: n
    for n, names in enumerate(
        [
            ("mon", "monday", "周一", "星期一", "礼拜一"),
            ("tue", "tues", "tuesday", "周二", "星期二", "礼拜二"),
            ("wed", "wednesday", "周三", "星期三", "礼拜三"),
            ("thu", "thur", "thurs", "thursday", "周四", "星期四", "礼拜四"),
            ("fri", "friday", "周五", "星期五", "礼拜五"),
            ("sat", "saturday", "周六", "星期六", "礼拜六"),
            ("sun", "sunday", "周日", "周天", "星期日", "星期天", "礼拜日", "礼拜天"),
        ]
    )
    for name in names
}
_GROUPS = {
    **dict.fromkeys(("every day", "everyday", "daily", "all", "每天", "天天", "每日"), EVERY_DAY),
    **dict.fromkeys(("weekdays", "workdays", "工作日"), WORKDAYS),
    **dict.fromkeys(("weekends", "weekend", "周末"), WEEKENDS),
}


def _alternatives(names: Iterable[str]) -> str:
    # Longest first, so "weekdays" is not read as "wed" and "thurs" not as "thu".
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


_DAY = _alternatives(_DAY_NAMES)
_PART = re.compile(
    rf"(?P<group>{_alternatives(_GROUPS)})"
    rf"|(?P<first>{_DAY})(?:\s*(?:-|–|—|~|～|至|到|\bto\b)\s*(?P<last>{_DAY}))?"
)
_BETWEEN = re.compile(r"(?:[\s,，、;；和]|\band\b)*")


def parse_days(text: str) -> int:
    """The weekdays of `mon-fri`, `mon,wed,fri`, `weekends`, `every day`, `周一-周五`, as a mask.

    >>> [bin(parse_days(t)) for t in ("mon-fri", "Mon, Wed and Fri", "weekends", "周一至周五")]
    ['0b11111', '0b10101', '0b1100000', '0b11111']
    >>> bin(parse_days("fri-mon")), parse_days("every day") == EVERY_DAY
    ('0b1110001', True)
    """
    words, mask, at = " ".join(text.lower().split()), 0, 0
    while at < len(words):
        part = _PART.match(words, at)
        if part is None:
            raise CadenceError(f"{text.strip()!r} names no weekdays; try mon-fri or weekends")
        mask |= _part_mask(part)
        at = _BETWEEN.match(words, part.end()).end()  # type: ignore[union-attr]  # * always matches
    if not mask:
        raise CadenceError("no weekdays given; try mon-fri or weekends")
    return mask


def _part_mask(part: re.Match[str]) -> int:
    if part["group"]:
        return _GROUPS[part["group"]]
    first = _DAY_NAMES[part["first"]]
    last = _DAY_NAMES[part["last"]] if part["last"] else first
    span = (last - first) % 7  # "fri-mon" runs over the weekend
    return sum(1 << ((first + n) % 7) for n in range(span + 1))


def on_day(days: int, day: dt.date) -> bool:
    """Whether the daily digest comes on `day` (a local date).

    >>> on_day(WORKDAYS, dt.date(2026, 11, 27)), on_day(WORKDAYS, dt.date(2026, 11, 28))
    (True, False)
    """
    return bool(days & (1 << day.weekday()))


def days_text(days: int, tr: gettext.NullTranslations = ENGLISH) -> str:
    """The weekdays in words: runs of three or more as a range.

    >>> days_text(WORKDAYS), days_text(0b1010101), days_text(WEEKENDS), days_text(EVERY_DAY)
    ('Mon–Fri', 'Mon, Wed, Fri, Sun', 'Sat, Sun', 'every day')
    """
    _ = tr.gettext
    if days & EVERY_DAY == EVERY_DAY:
        return _("every day")
    names = [_(name) for name in WEEKDAYS]
    runs: list[list[int]] = []
    for n in (n for n in range(7) if days & (1 << n)):
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{names[run[0]]}–{names[run[-1]]}")
        else:
            parts.extend(names[n] for n in run)
    # i18n: what separates weekdays in a list, as in "Mon, Wed, Fri"
    return _(", ").join(parts)
