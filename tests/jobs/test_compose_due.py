"""The compose sweep: every due chat gets the digest selection draws for it, once."""

from __future__ import annotations

import datetime as dt
import gc

import pytest
from sqlalchemy import func, select

from bot.digests import compose
from bot.digests.selection import DigestPrefs, SelectionIndex, compose_digest
from bot.library.items import ItemKind
from bot.store import digests, histories
from bot.store.chats import ensure_chat
from bot.store.db import Store
from bot.store.models import Digest, DigestItem, DigestKind, Item, MutedWord
from tests.conftest import NOW

DAY = NOW.date()


@pytest.fixture
def chats(store: Store) -> list[int]:
    """Five subscribers due at NOW (08:00 UTC), one paused; a library of quotes and papers."""
    with store.transaction() as session:
        session.add_all(
            Item(kind=kind, title=f"{kind.value} {n}", canonical_key=f"title:{kind.value} {n}")
            for n in range(12)
            for kind in (ItemKind.QUOTE, ItemKind.PAPER)
        )
        for chat_id in range(1, 7):
            chat = ensure_chat(session, chat_id)
            chat.subscribed, chat.digest_size = True, 3 + chat_id
        ensure_chat(session, 6).paused = True
        session.add(MutedWord(chat_id=2, word="paper 1"))
    return [1, 2, 3, 4, 5]


def stored(store: Store) -> dict[int, list[int]]:
    with store.transaction() as session:
        rows = session.execute(
            select(Digest.chat_id, DigestItem.item_id)
            .join(DigestItem, DigestItem.digest_id == Digest.id)
            .where(Digest.kind == DigestKind.DAILY)
            .order_by(Digest.chat_id, Digest.id, DigestItem.position)
        )
        found: dict[int, list[int]] = {}
        for chat_id, item_id in rows:
            found.setdefault(chat_id, []).append(item_id)
        return found


def expected_digests(store: Store, chats: list[int]) -> dict[int, list[int]]:
    """What selection draws for each of the `chats` fixture's chats at NOW, by chat id."""
    with store.transaction() as session:
        library = digests.library(session)
        return {
            chat_id: [
                item.id
                for item in compose_digest(
                    library,
                    histories.history(session, chat_id),
                    DigestPrefs(
                        size=3 + chat_id, muted_words=digests.muted_words(session, chat_id)
                    ),
                    NOW,
                    compose.digest_seed(chat_id, DAY, DigestKind.DAILY),
                ).items
            ]
            for chat_id in chats
        }


def test_every_due_chat_gets_what_selection_draws_for_it_across_batches(
    store: Store, chats: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compose, "COMPOSE_BATCH", 2)
    expected = expected_digests(store, chats)

    assert compose.compose_due(store, NOW, processes=1) == len(chats)

    assert stored(store) == expected
    assert all(len(expected[chat_id]) == 3 + chat_id for chat_id in chats)


def test_a_second_sweep_the_same_day_composes_nothing(store: Store, chats: list[int]) -> None:
    compose.compose_due(store, NOW)
    first = stored(store)

    assert compose.compose_due(store, NOW + dt.timedelta(minutes=1)) == 0
    assert stored(store) == first


def test_items_of_a_digest_are_marked_shown_and_tomorrow_avoids_them(
    store: Store, chats: list[int]
) -> None:
    compose.compose_due(store, NOW)
    today = stored(store)
    compose.compose_due(store, NOW + dt.timedelta(days=1))

    with store.transaction() as session:
        seen = histories.history(session, 1)
        days = session.scalar(select(func.count()).select_from(Digest).where(Digest.chat_id == 1))
    assert days == 2
    assert all(seen[item_id].times_shown >= 1 for item_id in today[1])
    tomorrow = stored(store)[1][len(today[1]) :]
    assert not set(tomorrow) & set(today[1])


def test_composing_for_one_chat_returns_its_stored_digest(store: Store, chats: list[int]) -> None:
    with store.transaction() as session:
        [chat] = [c for c in digests.active_chats(session) if c.chat_id == 1]
        library = digests.library(session)
        made = compose.compose_for_chat(
            session, chat, library, kind=DigestKind.ON_DEMAND, day=DAY, now=NOW
        )
        assert made is not None and made.chat_id == 1 and made.kind is DigestKind.ON_DEMAND
        assert len(made.items) == 4 and len(made.messages) == 1

        later = SelectionIndex.build(library, NOW + dt.timedelta(hours=1))
        with pytest.raises(ValueError, match="indexed at"):
            compose.compose_for_chat(
                session, chat, later, kind=DigestKind.ON_DEMAND, day=DAY, now=NOW
            )


def test_a_sweep_leaves_the_garbage_collector_as_it_found_it(
    store: Store, chats: list[int]
) -> None:
    """The sweep freezes the library for the collector while it runs: all is let back after,
    whether it composes or finds nothing due, with the collector on or off."""
    assert compose.compose_due(store, NOW) == len(chats)
    assert compose.compose_due(store, NOW) == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        compose.compose_due(store, NOW + dt.timedelta(days=1))
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()
