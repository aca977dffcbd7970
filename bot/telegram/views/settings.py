"""/settings and /lang: what they show, their buttons, and the values a button or a command
sets (pure)."""

from __future__ import annotations

import datetime as dt
import gettext
import html
from zoneinfo import ZoneInfo

from bot.digests.cadence import EVERY_DAY, days_text
from bot.digests.callbacks import SettingChange, encode
from bot.digests.render import CHOSEN_MARK
from bot.i18n import ENGLISH, LANGUAGE_NAMES, LANGUAGES, N_, format_day
from bot.store.models import Chat
from bot.store.raw_rows import aware

MAX_SIZE = 20


EXAMPLES = {"time": "07:30", "tz": N_("Asia/Shanghai (or +8)"), "size": "5"}


# What a setting's command answers to a value it cannot use ({text}: what was sent).
SETTING_PROBLEMS = {
    "time": N_("“{text}” is not a time of day; try 07:30"),
    "tz": N_(
        "“{text}” is not a time zone I know; try Asia/Shanghai or +8 "
        "(UTC offsets run from -12 to +14)"
    ),
    "size": N_("The size is a number from 1 to {max}, e.g. /size 5"),
}


LANGUAGE_SET = N_("From now on I speak English.")


def parse_size(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_SIZE:
        raise ValueError(f"The size is a number from 1 to {MAX_SIZE}, e.g. /size 5")
    return int(text)


def local_moment(instant: dt.datetime, zone: str, tr: gettext.NullTranslations = ENGLISH) -> str:
    """An instant as the chat reads it, in its zone.

    >>> local_moment(dt.datetime(2026, 11, 30, 2, tzinfo=dt.UTC), "Asia/Shanghai")
    'Mon 30 Nov 10:00'
    """
    local = instant.astimezone(ZoneInfo(zone))
    return f"{format_day(local.date(), tr)} {local:%H:%M}"


def paused_until(chat: Chat, now: dt.datetime) -> dt.datetime | None:
    """The end of the chat's timed pause (/pause 7d), while it holds."""
    until = aware(chat.paused_until)
    return until if until is not None and until > now else None


def settings_text(chat: Chat, tr: gettext.NullTranslations, now: dt.datetime) -> str:
    _ = tr.gettext
    until = paused_until(chat, now)
    if chat.paused:
        state = _("paused")
    elif until is not None:
        state = _("paused until {when}").format(when=local_moment(until, chat.timezone, tr))
    else:
        state = _("active")
    # i18n: Telegram HTML; keep the tags
    text = _(
        "<b>Your settings</b>\n"
        "Daily digest at {time} ({zone}), {size} items — {state}.\n"
        "Language: {language}"
    ).format(
        time=f"{chat.digest_time:%H:%M}",
        zone=html.escape(chat.timezone),
        size=chat.digest_size,
        state=state,
        language=LANGUAGE_NAMES.get(chat.language, chat.language),
    )
    if chat.digest_days == EVERY_DAY:
        return text
    return text + "\n" + _("Days: {days}").format(days=days_text(chat.digest_days, tr))


def settings_buttons(
    chat: Chat, tr: gettext.NullTranslations, now: dt.datetime
) -> list[list[list[str]]]:
    _ = tr.gettext

    def button(label: str, change: str) -> list[str]:
        return [label, encode(SettingChange(change))]

    held = chat.paused or paused_until(chat, now) is not None
    hold = button(_("▶️ Resume"), "resume") if held else button(_("⏸ Pause"), "pause")
    return [
        [button(_("🕗 −1 h"), "time-"), button(_("🕗 +1 h"), "time+")],
        [button(_("➖ fewer items"), "size-"), button(_("➕ more items"), "size+")],
        [hold],
    ]


def language_text(language: str, tr: gettext.NullTranslations = ENGLISH) -> str:
    """What /lang alone answers: the chat's language, and how to change it."""
    return tr.gettext("I speak {language} with you. Choose another:").format(
        language=LANGUAGE_NAMES.get(language, language)
    )


def unknown_language_text(asked: str, tr: gettext.NullTranslations = ENGLISH) -> str:
    names = ", ".join(f"/lang {code} ({LANGUAGE_NAMES[code]})" for code in LANGUAGES)
    return tr.gettext("I don't speak “{asked}”. I can use: {choices}").format(
        asked=" ".join(asked.split())[:40], choices=names
    )


def language_buttons(current: str) -> list[list[list[str]]]:
    """One button per language, named in itself; the chat's own is marked."""
    return [
        [
            [
                f"{CHOSEN_MARK if code == current else ''}{LANGUAGE_NAMES[code]}",
                encode(SettingChange(f"lang-{code}")),
            ]
            for code in LANGUAGES
        ]
    ]


def setting_step(change: str, chat: Chat) -> dict[str, object]:
    """The new values one /settings or /lang button sets."""
    if change.startswith("lang-"):
        return {"language": change.removeprefix("lang-")}
    if change in ("pause", "resume"):
        return {"paused": change == "pause", "paused_until": None}
    if change in ("size-", "size+"):
        step = 1 if change == "size+" else -1
        return {"digest_size": min(MAX_SIZE, max(1, chat.digest_size + step))}
    hours = 1 if change == "time+" else -1
    moved = dt.datetime.combine(dt.date(2000, 1, 1), chat.digest_time) + dt.timedelta(hours=hours)
    return {"digest_time": moved.time()}
