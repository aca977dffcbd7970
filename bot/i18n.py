"""The bot's languages: pick one from Telegram's language code, get its gettext translator.

Message ids are the English texts, so English needs no catalog. Chinese is read from the
compiled catalog bot/locale/zh/LC_MESSAGES/lamplight.mo (compiled with Babel, committed, and
shipped inside the wheel); at run time only the standard library reads it.

Module-level texts are marked with `N_` (Babel extracts it) and translated where they are sent:
``translator(lang).gettext(HELP)``.
"""

from __future__ import annotations

import datetime as dt
import gettext
from functools import cache
from importlib.resources import as_file, files
from typing import Final

DOMAIN: Final = "lamplight"
LANGUAGES: Final = ("en", "zh")
DEFAULT_LANGUAGE: Final = "en"
# English needs no catalog: every msgid is its English text. The default of pure helpers.
ENGLISH: Final = gettext.NullTranslations()


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it yet (gettext's convention)."""
    return message


def language_for(code: str | None) -> str:
    """The bot language for a Telegram `language_code` (an IETF tag such as "zh-hans").

    >>> [language_for(c) for c in ("zh", "zh-hans", "zh-TW", "ZH_cn", "en-GB", "de", "", None)]
    ['zh', 'zh', 'zh', 'zh', 'en', 'en', 'en', 'en']
    """
    primary = (code or "").replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def normalize_language(value: str | None) -> str | None:
    """`value` as one of LANGUAGES if it names one ("中文", "ZH", "english"), else None.

    >>> [normalize_language(v) for v in ("zh", "EN", "中文", "english", "xx", "", None)]
    ['zh', 'en', 'zh', 'en', None, None, None]
    """
    word = (value or "").strip().lower()
    return _LANGUAGE_NAMES.get(word) or (word if word in LANGUAGES else None)


_LANGUAGE_NAMES: Final = {
    "english": "en",
    "英文": "en",
    "英语": "en",
    "chinese": "zh",
    "中文": "zh",
    "汉语": "zh",
    "zh-hans": "zh",
    "zh-cn": "zh",
}


class LocalizedError(Exception):
    """An error whose message a user reads: an `N_`-marked template and its values, so the
    message is English where it is raised (the CLI shows it) and translated where it is sent.

    >>> LocalizedError(N_("There is no item {n}."), n=4).translated(ENGLISH)
    'There is no item 4.'
    """

    def __init__(self, template: str, **values: object) -> None:
        self.template, self.values = template, values
        super().__init__(template.format(**values))

    def translated(self, tr: gettext.NullTranslations) -> str:
        return tr.gettext(self.template).format(**self.values)


# Each language written in itself: button labels and /lang replies name them this way.
LANGUAGE_NAMES: Final = {"en": "English", "zh": "中文"}


@cache
def translator(language: str | None) -> gettext.NullTranslations:
    """The translations for `language` ("en", "zh"); anything else gets English."""
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        return ENGLISH
    catalog = files("bot") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with as_file(catalog) as path, open(path, "rb") as fp:
        return gettext.GNUTranslations(fp)


# i18n: abbreviated weekday, as in "Mon 23 Nov"
WEEKDAYS: Final = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
# i18n: abbreviated month, as in "Mon 23 Nov"
MONTHS: Final = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)


def format_day(day: dt.date, tr: gettext.NullTranslations = ENGLISH) -> str:
    """A short date in `tr`'s language, without the process locale (strftime's %a is C's).

    >>> format_day(dt.date(2026, 11, 23))
    'Mon 23 Nov'
    """
    _ = tr.gettext
    # i18n: a short date; {weekday} and {month} are the abbreviations above
    return _("{weekday} {day:02d} {month}").format(
        weekday=_(WEEKDAYS[day.weekday()]), day=day.day, month=_(MONTHS[day.month - 1])
    )
