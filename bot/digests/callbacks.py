"""Callback data for inline buttons: self-describing, versioned, at most 64 bytes.

A button carries everything its handler needs (``l1:r:<digest>:<item>``; a capture's Undo
``l1:u:<capture>`` and Follow ``l1:w:<capture>``), so no callback cache is kept: restarts and
replicas read old buttons just as well. Ids are written in base 36 to stay short; the largest
store id (2**63 - 1) takes 13 characters, so every form fits in 32 bytes. Whether the clicking
chat owns the digest (or the capture) is checked by the handler against the store.

Decoding accepts only what :func:`encode` produces (one canonical spelling per value), so forged
or garbled data fails here with :class:`CallbackError` instead of reaching the store. Its message
is an English msgid: the handler shows it through the chat's translator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.i18n import LANGUAGES, N_
from bot.library.items import Answer, SourceLevel

__all__ = [
    "ANSWER_CODES",
    "FORGET_PRESS",
    "MAX_BYTES",
    "MAX_ID",
    "PREFIX",
    "RESTORE_CODE",
    "CallbackError",
    "CaptureUndo",
    "FeedFollow",
    "ForgetChoice",
    "ItemAnswer",
    "ItemRestore",
    "PageTurn",
    "SettingChange",
    "SourceLevelChange",
    "SourcesPage",
    "answers_data",
    "decode",
    "encode",
]

# Telegram refuses callback data longer than this many bytes.
MAX_BYTES = 64
# Ids are BIGINT in the store; anything larger cannot be ours.
MAX_ID = 2**63 - 1
# "l" for lamplight, "1" for the format; a future "l2:" can coexist with buttons already sent.
PREFIX = "l1"

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
# Every two-digit string, so an id is converted two digits per step: three buttons per item of
# every digest composed carry two ids each.
_PAIRS = tuple(high + low for high in _DIGITS for low in _DIGITS)
# Canonical base 36: lowercase, no sign, no leading zeros.
_BASE36 = re.compile(r"0|[1-9a-z][0-9a-z]{0,12}")
# "s" meant the one skip there was; buttons sent before "less" existed keep reading as "not now".
ANSWER_CODES = {Answer.READ: "r", Answer.SKIPPED: "s", Answer.LESS: "l"}
_CODE_ANSWERS = {code: answer for answer, code in ANSWER_CODES.items()}
_PAGE_CODE = "p"
_SETTING_CODE = "c"
RESTORE_CODE = "h"
# /sources: "l1:v:<source>:<level>" sets a level, "l1:v:<page>" turns its page. A source goes
# by its id, whatever its name, so every button fits.
_SOURCE_CODE = "v"
_LEVELS = {level.value: level for level in SourceLevel}
_FORGET_CODE = "x"
FORGET_PRESS = f"{PREFIX}:{_FORGET_CODE}:"  # what every /forgetme button's data starts with
# /forgetme's two buttons: delete everything, or keep it.
_FORGET_CHOICES = {True: "y", False: "n"}
_UNDO_CODE = "u"
_FOLLOW_CODE = "w"


@dataclass(frozen=True, slots=True)
class SettingChange:
    """A /settings or /lang button: one step of one setting."""

    change: str  # one of SETTING_CHANGES


# The steps /settings offers as buttons, and /lang's "lang-zh"…; anything else is not ours.
SETTING_CHANGES = (
    *("pause", "resume", "size-", "size+", "time-", "time+"),
    *(f"lang-{code}" for code in LANGUAGES),
)
STALE = N_("This button is from another version of the bot.")
GARBLED = N_("This button could not be read. Please use the latest digest.")


class CallbackError(ValueError):
    """Callback data that is stale, forged or garbled; the message is safe to show a user."""


@dataclass(frozen=True, slots=True)
class ItemAnswer:
    """A reader pressed "read", "not now" or "less like this" on one item of one digest."""

    digest_id: int
    item_id: int
    answer: Answer


@dataclass(frozen=True, slots=True)
class PageTurn:
    """A reader asked for another page of a stored search."""

    query_id: int
    page: int


@dataclass(frozen=True, slots=True)
class ItemRestore:
    """The owner pressed Undo under a "forget" confirmation: bring the item back."""

    item_id: int


@dataclass(frozen=True, slots=True)
class SourceLevelChange:
    """A reader set their level for one source under /sources."""

    source_id: int
    level: SourceLevel


@dataclass(frozen=True, slots=True)
class SourcesPage:
    """A reader asked for another page of /sources."""

    page: int


@dataclass(frozen=True, slots=True)
class ForgetChoice:
    """A press under /forgetme: `confirm` deletes the data of chat `chat_id`, else keeps it.
    `asked_minute`: when the question was asked, in whole minutes since the Unix epoch (UTC);
    None on buttons made before it was recorded."""

    chat_id: int
    confirm: bool
    asked_minute: int | None = None


@dataclass(frozen=True, slots=True)
class CaptureUndo:
    """The owner takes back what one capture filed."""

    capture_id: int


@dataclass(frozen=True, slots=True)
class FeedFollow:
    """The owner follows the feed one capture found."""

    capture_id: int


Action = (
    ItemAnswer
    | PageTurn
    | SettingChange
    | ItemRestore
    | SourceLevelChange
    | SourcesPage
    | ForgetChoice
    | CaptureUndo
    | FeedFollow
)


def encode(action: Action) -> str:
    """The callback data for ``action``.

    >>> encode(ItemAnswer(digest_id=42, item_id=1000, answer=Answer.READ))
    'l1:r:16:rs'
    >>> encode(PageTurn(query_id=7, page=2))
    'l1:p:7:2'
    >>> encode(ItemRestore(item_id=1000))
    'l1:h:rs'
    >>> encode(SourceLevelChange(source_id=40, level=SourceLevel.NEVER))
    'l1:v:14:never'
    >>> encode(ForgetChoice(chat_id=200, confirm=True, asked_minute=29_400_000))
    'l1:x:5k:y:hi56o'
    >>> encode(CaptureUndo(capture_id=36)), encode(FeedFollow(capture_id=1))
    ('l1:u:10', 'l1:w:1')
    """
    if action.__class__ is ItemAnswer:  # first: three per item of every digest composed
        return answers_data(action.digest_id, action.item_id)[action.answer]
    if isinstance(action, SourceLevelChange):
        return f"{PREFIX}:{_SOURCE_CODE}:{_to_base36(action.source_id)}:{action.level.value}"
    if isinstance(action, SourcesPage):
        return f"{PREFIX}:{_SOURCE_CODE}:{_to_base36(action.page)}"
    if isinstance(action, ForgetChoice):
        choice = _FORGET_CHOICES[action.confirm]
        asked = "" if action.asked_minute is None else f":{_to_base36(action.asked_minute)}"
        return f"{PREFIX}:{_FORGET_CODE}:{_to_base36(action.chat_id)}:{choice}{asked}"
    if isinstance(action, CaptureUndo | FeedFollow):
        code = _UNDO_CODE if isinstance(action, CaptureUndo) else _FOLLOW_CODE
        return f"{PREFIX}:{code}:{_to_base36(action.capture_id)}"
    if isinstance(action, SettingChange):
        if action.change not in SETTING_CHANGES:
            raise ValueError(f"unknown setting change {action.change!r}")
        return f"{PREFIX}:{_SETTING_CODE}:{action.change}"
    if isinstance(action, ItemRestore):
        return f"{PREFIX}:{RESTORE_CODE}:{_to_base36(action.item_id)}"
    if isinstance(action, ItemAnswer):
        code = ANSWER_CODES[action.answer]
        fields = (action.digest_id, action.item_id)
    else:
        code = _PAGE_CODE
        fields = (action.query_id, action.page)
    return ":".join([PREFIX, code, *(_to_base36(value) for value in fields)])


def answers_data(digest_id: int, item_id: int) -> dict[Answer, str]:
    """The callback data of each answer to one item of a digest (what ``encode`` gives for
    its ItemAnswer), the ids converted once for the item's three buttons.

    >>> answers_data(42, 1000)[Answer.LESS]
    'l1:l:16:rs'
    """
    ids = f"{_to_base36(digest_id)}:{_to_base36(item_id)}"
    return {answer: f"{PREFIX}:{code}:{ids}" for answer, code in ANSWER_CODES.items()}


def decode(data: str) -> Action:
    """The action behind callback data; :class:`CallbackError` for anything encode cannot make.

    >>> decode("l1:s:16:rs")
    ItemAnswer(digest_id=42, item_id=1000, answer=<Answer.SKIPPED: 'skipped'>)
    >>> decode("l1:l:16:rs")
    ItemAnswer(digest_id=42, item_id=1000, answer=<Answer.LESS: 'less'>)
    >>> decode("l0:r:1:2")
    Traceback (most recent call last):
    ...
    bot.digests.callbacks.CallbackError: This button is from another version of the bot.
    """
    if not isinstance(data, str) or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _garbled()
    parts = data.split(":")
    if parts[0] != PREFIX:
        # Another version's prefix reads as stale rather than garbled.
        if re.fullmatch(r"l\d+", parts[0]):
            raise CallbackError(STALE)
        raise _garbled()
    if len(parts) == 3 and parts[1] == _SETTING_CODE and parts[2] in SETTING_CHANGES:
        return SettingChange(parts[2])
    if len(parts) == 3 and parts[1] == RESTORE_CODE:
        return ItemRestore(_from_base36(parts[2]))
    if parts[1:2] == [_SOURCE_CODE]:
        return _source_action(parts[2:])
    if len(parts) == 3 and parts[1] == _UNDO_CODE:
        return CaptureUndo(_from_base36(parts[2]))
    if len(parts) == 3 and parts[1] == _FOLLOW_CODE:
        return FeedFollow(_from_base36(parts[2]))
    if len(parts) in (4, 5) and parts[1] == _FORGET_CODE:
        return _forget_choice(parts[2:])
    if len(parts) != 4:
        raise _garbled()
    _, code, first, second = parts
    a, b = _from_base36(first), _from_base36(second)
    if code == _PAGE_CODE:
        return PageTurn(query_id=a, page=b)
    if code in _CODE_ANSWERS:
        return ItemAnswer(digest_id=a, item_id=b, answer=_CODE_ANSWERS[code])
    raise _garbled()


def _forget_choice(fields: list[str]) -> ForgetChoice:
    """
    >>> _forget_choice(["5k", "n", "hi56o"])
    ForgetChoice(chat_id=200, confirm=False, asked_minute=29400000)
    >>> _forget_choice(["5k", "y"]).asked_minute is None  # a button from before times were kept
    True
    """
    if fields[1] not in _FORGET_CHOICES.values():
        raise _garbled()
    asked = _from_base36(fields[2]) if len(fields) == 3 else None
    return ForgetChoice(_from_base36(fields[0]), fields[1] == _FORGET_CHOICES[True], asked)


def _source_action(fields: list[str]) -> SourceLevelChange | SourcesPage:
    """
    >>> _source_action(["14", "more"]), _source_action(["2"])
    (SourceLevelChange(source_id=40, level=<SourceLevel.MORE: 'more'>), SourcesPage(page=2))
    """
    if len(fields) == 1:
        return SourcesPage(_from_base36(fields[0]))
    if len(fields) == 2 and fields[1] in _LEVELS:
        return SourceLevelChange(_from_base36(fields[0]), _LEVELS[fields[1]])
    raise _garbled()


def _to_base36(value: int) -> str:
    """
    >>> _to_base36(0), _to_base36(35), _to_base36(36), _to_base36(2**63 - 1)
    ('0', 'z', '10', '1y2p0ij32e8e7')
    """
    # bool is an int, but a True id is always a bug upstream.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise ValueError(f"callback ids must be integers in 0..2**63-1, not {value!r}")
    digits = ""
    while value >= 1296:  # 36**2: two digits per step
        value, rest = divmod(value, 1296)
        digits = _PAIRS[rest] + digits
    return (_PAIRS[value] if value >= 36 else _DIGITS[value]) + digits


def _from_base36(text: str) -> int:
    if not _BASE36.fullmatch(text):
        raise _garbled()
    value = int(text, 36)
    if value > MAX_ID:
        raise _garbled()
    return value


def _garbled() -> CallbackError:
    return CallbackError(GARBLED)
