"""/allow, /deny and /users for admins, and /forgetme for everyone: what they read from the
command and what they answer (pure)."""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Collection
from zoneinfo import ZoneInfo

from bot.digests.callbacks import MAX_ID, ForgetChoice, encode
from bot.digests.fitting import utf16_len
from bot.digests.render import MAX_MESSAGE
from bot.i18n import ENGLISH, N_
from bot.store.access import User
from bot.telegram.views.settings import local_moment

NAME_CHARS = 64

ALLOW_USAGE = N_("Usage: /allow USER_ID [name], e.g. /allow 123456789 Ada")
DENY_USAGE = N_("Usage: /deny USER_ID, e.g. /deny 123456789")
ADMINS_ONLY = N_("Sorry, only the bot's admins can use /{command}.")
FORGET_ASK = N_(
    "Delete everything I keep about you — your answers, settings, muted words, searches and "
    "digests? This cannot be undone."
)
NOTHING_KEPT = N_("I keep nothing about you: there is nothing to delete.")
FORGOTTEN = N_(
    "Done: everything I kept about you is deleted ({answers} answers, {digests} digests). "
    "Send /start to begin afresh."
)
KEPT = N_("Nothing was deleted.")
FORGET_EXPIRED = N_(
    "Nothing was deleted: this question was asked too long ago. Send /forgetme again if you "
    "still want everything deleted."
)
# How long a /forgetme question may be answered "delete": a press days later may not mean it.
FORGET_CONFIRM_FOR = dt.timedelta(hours=1)


def parse_user(args: list[str]) -> tuple[int, str | None] | None:
    """A user id and an optional name from `/allow 123 Ada Lovelace`; None if no id leads.

    >>> parse_user(["123", "Ada", "Lovelace"]), parse_user(["123"]), parse_user(["Ada"])
    ((123, 'Ada Lovelace'), (123, None), None)
    """
    if not args or not args[0].isascii() or not args[0].isdigit():
        return None
    user_id = int(args[0])
    if not 0 < user_id <= MAX_ID:
        return None
    name = " ".join(" ".join(args[1:]).split())[:NAME_CHARS]
    return user_id, name or None


def label(user_id: int, name: str | None) -> str:
    """
    >>> label(123, "Ada"), label(123, None)
    ('123 (Ada)', '123')
    """
    return f"{user_id} ({name})" if name else str(user_id)


def forget_buttons(
    chat_id: int, asked: dt.datetime, tr: gettext.NullTranslations = ENGLISH
) -> list[list[list[str]]]:
    """/forgetme's two buttons for a question asked at ``asked``."""
    _, minute = tr.gettext, int(asked.timestamp() // 60)
    return [
        [
            [_("🗑 Delete everything"), encode(ForgetChoice(chat_id, True, minute))],
            [_("Cancel"), encode(ForgetChoice(chat_id, False, minute))],
        ]
    ]


def forget_expired(choice: ForgetChoice, now: dt.datetime) -> bool:
    """Whether a "delete" press comes past FORGET_CONFIRM_FOR after its question (a button
    that does not say when it was asked is past it)."""
    if choice.asked_minute is None:
        return True
    asked = dt.datetime.fromtimestamp(choice.asked_minute * 60, dt.UTC)
    return now - asked > FORGET_CONFIRM_FOR


def user_state(user: User, now: dt.datetime, zone: str, tr: gettext.NullTranslations) -> str:
    """One of: denied, blocked (the user blocked the bot), paused, active, unsubscribed, or
    not started yet."""
    _ = tr.gettext
    if user.denied_at is not None and not user.admin:
        return _("denied {date}").format(date=_date(user.denied_at, zone))
    if user.joined_at is None:
        return _("has not sent /start yet")
    if user.blocked:
        return _("blocked the bot")
    if not user.subscribed:
        return _("unsubscribed")
    if user.paused:
        return _("paused")
    if user.paused_until is not None and user.paused_until > now:
        return _("paused until {when}").format(when=local_moment(user.paused_until, zone, tr))
    return _("active")


def user_since(
    user: User, zone: str, tr: gettext.NullTranslations, setting: Collection[int] = ()
) -> str:
    """Since when, and by whom, they may use the bot; ``setting``: ALLOWED_USER_IDS."""
    _ = tr.gettext
    if user.admin:
        return _("admin (ADMIN_USER_IDS)")
    assert user.since is not None  # on the access list
    date = _date(user.since, zone)
    if user.allowed_by is not None:
        return _("allowed {date} by {admin}").format(date=date, admin=user.allowed_by)
    if user.user_id in setting:
        return _("allowed {date} (ALLOWED_USER_IDS)").format(date=date)
    # i18n: on the list since they joined (before the list, or as an admin no longer one)
    return _("allowed {date}, since joining").format(date=date)


def users_text(
    users: list[User],
    now: dt.datetime,
    zone: str,
    tr: gettext.NullTranslations = ENGLISH,
    setting: Collection[int] = (),
) -> str:
    """/users as plain text: one line per user, cut to fit one message; ``setting``: the ids
    ALLOWED_USER_IDS names."""
    _ = tr.gettext
    lines = [_("Users ({count}):").format(count=len(users))]
    for n, user in enumerate(users):
        line = f"• {label(user.user_id, user.name)} — {user_state(user, now, zone, tr)}; "
        line += user_since(user, zone, tr, setting)
        more = _("… and {count} more").format(count=len(users) - n)
        if utf16_len("\n".join([*lines, line, more])) > MAX_MESSAGE:
            lines.append(more)
            break
        lines.append(line)
    return "\n".join(lines)


def _date(moment: dt.datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()
