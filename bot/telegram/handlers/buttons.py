"""Inline buttons: the action a press carries (a stale or garbled one answered as such), and the
✅/⏭/👎 keyboards of sent messages, read and redrawn with the answers given."""

from __future__ import annotations

import gettext
import logging
from collections.abc import Sequence
from typing import TypeVar

from telegram import Message, Update

from bot.digests.callbacks import (
    GARBLED,
    CallbackError,
    CaptureUndo,
    FeedFollow,
    ForgetChoice,
    ItemAnswer,
    ItemRestore,
    PageTurn,
    SettingChange,
    SourceLevelChange,
    SourcesPage,
    decode,
)
from bot.digests.render import item_buttons
from bot.digests.selection import DEFAULT_POLICY
from bot.i18n import ENGLISH, N_
from bot.library.items import Answer
from bot.store.db import Store
from bot.telegram.handlers.common import Context, Handlers, translator_for, unless_unchanged
from bot.telegram.sending import keyboard

log = logging.getLogger(__name__)

# What a press of each answer button is confirmed with (a toast: at most 200 characters).
MARKED = {
    Answer.READ: N_("Marked read ✅"),
    Answer.SKIPPED: N_("Later ⏭ — not shown for {days} days"),
    Answer.LESS: N_("Less like this 👎 — fewer such items from now on"),
}

Action = TypeVar(
    "Action",
    ItemAnswer,
    PageTurn,
    SettingChange,
    ItemRestore,
    SourceLevelChange,
    SourcesPage,
    ForgetChoice,
    CaptureUndo,
    FeedFollow,
)


async def pressed(update: Update, store: Store, kind: type[Action]) -> Action | None:
    """The action of the pressed button, of the kind its handler takes; None once a button
    that carries no such action was answered as stale or garbled."""
    query = update.callback_query
    assert query
    try:
        action = decode(query.data or "")
    except CallbackError as exc:
        await _refuse(update, store, str(exc))
        return None
    if not isinstance(action, kind):  # its route and its data disagree: not a button of ours
        await _refuse(update, store, GARBLED)
        return None
    return action


class UnreadableButtons(Handlers):
    """Presses no other handler takes: buttons of another version, or garbled data."""

    async def answer(self, update: Update, context: Context) -> None:
        """Say why the button does nothing (an alert, so it is seen)."""
        query = update.callback_query
        assert query
        try:
            action = decode(query.data or "")
        except CallbackError as exc:
            await _refuse(update, self.s.store, str(exc))
            return
        log.warning("no handler takes the button %r (%r)", query.data, action)
        await _refuse(update, self.s.store, GARBLED)


async def _refuse(update: Update, store: Store, msgid: str) -> None:
    assert update.callback_query
    tr = translator_for(store, update)
    await update.callback_query.answer(tr.gettext(msgid), show_alert=True)


def marked(answer: Answer, tr: gettext.NullTranslations = ENGLISH) -> str:
    """The confirmation of a press of ``answer``'s button.

    >>> marked(Answer.SKIPPED)
    'Later ⏭ — not shown for 14 days'
    """
    return tr.gettext(MARKED[answer]).format(days=DEFAULT_POLICY.skip_rest.days)


def fresh_rows(
    rows: Sequence[Sequence[Sequence[str]]],
    digest_id: int,
    ids: Sequence[int],
    given: dict[int, Answer],
    tr: gettext.NullTranslations = ENGLISH,
) -> list[list[list[str]]]:
    """The stored keyboard of one message, redrawn with the answers given so far."""
    fresh = []
    for row in rows:
        try:
            action = decode(row[0][1])
        except CallbackError:
            fresh.append([list(b) for b in row])
            continue
        if isinstance(action, ItemAnswer) and action.item_id in ids:
            position = ids.index(action.item_id) + 1
            buttons = item_buttons(
                digest_id, position, action.item_id, given.get(action.item_id), tr
            )
            fresh.append([[b.text, b.data] for b in buttons])
        elif not isinstance(action, ItemAnswer):
            fresh.append([list(b) for b in row])  # e.g. Next/Prev under search results
    return fresh


def answer_item_ids(message: Message) -> list[int]:
    """The item ids a message's ✅/⏭ buttons name, in order."""
    rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
    ids: list[int] = []
    for row in rows:
        try:
            action = decode(str(row[0].callback_data or ""))
        except CallbackError:
            continue
        if isinstance(action, ItemAnswer):
            ids.append(action.item_id)
    return ids


def digest_on_buttons(message: Message) -> int | None:
    """The digest named by a message's ✅/⏭ buttons, if it shows any."""
    rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
    for button in (b for row in rows for b in row):
        try:
            action = decode(str(button.callback_data or ""))
        except CallbackError:
            continue
        if isinstance(action, ItemAnswer):
            return action.digest_id
    return None


async def refresh_keyboard(
    message: Message,
    digest_id: int,
    ids: Sequence[int],
    given: dict[int, Answer],
    tr: gettext.NullTranslations,
) -> None:
    """Redraw the keyboard of the message pressed, with the answers given so far."""
    markup = message.reply_markup
    rows = (
        [[[b.text, b.callback_data] for b in row] for row in markup.inline_keyboard]
        if markup
        else []
    )
    # A repeated press changes nothing: stay quiet.
    with unless_unchanged():
        # PTB types callback_data as any object (arbitrary callback data, unused here): the
        # bot's buttons carry str data, and decode refuses anything else.
        fresh = fresh_rows(rows, digest_id, ids, given, tr)  # type: ignore[arg-type]
        await message.edit_reply_markup(keyboard(fresh))
