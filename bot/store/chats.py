"""Chats: subscribers and the local owner, and forgetting one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.library.items import LOCAL_OWNER_CHAT_ID
from bot.store.models import (
    Chat,
    Digest,
    DigestItem,
    DigestMessage,
    ItemState,
    MutedWord,
    Search,
)


def ensure_chat(session: Session, chat_id: int) -> Chat:
    """The chat's row, created (not subscribed) when missing."""
    chat = session.get(Chat, chat_id)
    if chat is None:
        chat = Chat(id=chat_id)
        session.add(chat)
        session.flush()
    return chat


def merge_local_owner(session: Session, into_chat_id: int) -> int:
    """Hand the local owner's reading state to the first admin; returns states moved.

    The admin's own answers win where both have one.
    """
    local = session.scalars(select(ItemState).where(ItemState.chat_id == LOCAL_OWNER_CHAT_ID)).all()
    if not local:
        return 0
    ensure_chat(session, into_chat_id)
    mine = set(session.scalars(select(ItemState.item_id).where(ItemState.chat_id == into_chat_id)))
    moved = 0
    for state in local:
        if state.item_id not in mine:
            session.add(
                ItemState(
                    chat_id=into_chat_id,
                    item_id=state.item_id,
                    status=state.status,
                    answered_at=state.answered_at,
                    times_shown=state.times_shown,
                    last_shown_at=state.last_shown_at,
                )
            )
            moved += 1
        session.delete(state)
    return moved


def subscribe(
    session: Session, chat_id: int, defaults: Mapping[str, object], now: dt.datetime
) -> Chat:
    """Subscribe a chat. The first time it gets `defaults`; a returning or formerly blocked
    chat keeps the settings it had."""
    chat = ensure_chat(session, chat_id)
    if chat.joined_at is None:
        for name, value in defaults.items():
            setattr(chat, name, value)
        chat.joined_at = now
    chat.subscribed, chat.blocked = True, False
    return chat


def update_chat(session: Session, chat_id: int, **values: object) -> Chat | None:
    """Change a subscribed chat's settings; None if the chat is not subscribed."""
    chat = session.get(Chat, chat_id)
    if chat is None or not chat.subscribed:
        return None
    for name, value in values.items():
        setattr(chat, name, value)
    return chat


def mute(session: Session, chat_id: int, word: str) -> bool:
    """Keep items with `word` out of the chat's digests; False if it was muted already."""
    exists = session.scalar(
        select(MutedWord.id).where(MutedWord.chat_id == chat_id, MutedWord.word == word)
    )
    if exists is not None:
        return False
    session.add(MutedWord(chat_id=chat_id, word=word))
    return True


def unmute(session: Session, chat_id: int, word: str) -> bool:
    found = session.scalars(
        select(MutedWord).where(MutedWord.chat_id == chat_id, MutedWord.word == word)
    ).first()
    if found is None:
        return False
    session.delete(found)
    return True


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What /forgetme deleted."""

    answers: int
    digests: int


def forget_chat(session: Session, chat_id: int) -> Forgotten | None:
    """Delete everything kept about a chat: its answers and reading state, settings, muted
    words, searches, and its digests with their messages. None if nothing was kept. Its
    entry on the access list (allowed or denied) is the admins' and stays."""
    if session.get(Chat, chat_id) is None:
        return None
    answers = session.scalar(
        select(func.count()).where(ItemState.chat_id == chat_id, ItemState.status.is_not(None))
    )
    digest_ids = select(Digest.id).where(Digest.chat_id == chat_id).scalar_subquery()
    digests = session.scalar(select(func.count()).where(Digest.chat_id == chat_id))
    # Explicitly, child tables first: the same on both stores whatever the cascades.
    session.execute(delete(DigestMessage).where(DigestMessage.digest_id.in_(digest_ids)))
    session.execute(delete(DigestItem).where(DigestItem.digest_id.in_(digest_ids)))
    for model in (Digest, ItemState, MutedWord, Search):
        session.execute(delete(model).where(model.chat_id == chat_id))
    session.execute(delete(Chat).where(Chat.id == chat_id))
    return Forgotten(int(answers or 0), int(digests or 0))
