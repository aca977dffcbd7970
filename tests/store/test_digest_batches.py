"""Storing a sweep's digests a batch at a time: same rows as one by one, in a few statements."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.library.items import Answer, ItemKind
from bot.store.chats import ensure_chat
from bot.store.db import Store
from bot.store.digests import (
    NewDigest,
    add_digests,
    muted_words,
    muted_words_of,
    set_answer,
)
from bot.store.histories import histories, history
from bot.store.models import DeliveryState, DigestItem, DigestKind, DigestMessage, Item, MutedWord
from tests.conftest import NOW

DAY = dt.date(2026, 11, 23)


@pytest.fixture
def item_ids(store: Store) -> list[int]:
    with store.transaction() as session:
        items = [
            Item(kind=ItemKind.PAPER, title=f"paper {n}", canonical_key=f"title:paper {n}")
            for n in range(4)
        ]
        session.add_all(items)
        for chat_id in (1, 2, 3):
            ensure_chat(session, chat_id).subscribed = True
        session.flush()
        return [item.id for item in items]


def draft(chat_id: int, ids: list[int], kind: DigestKind = DigestKind.DAILY) -> NewDigest:
    return NewDigest(
        chat_id, kind, DAY, ids, lambda digest_id: [(f"digest {digest_id}", [[["ok", "x"]]])]
    )


def test_a_batch_stores_each_digest_with_its_items_and_pending_messages(
    store: Store, item_ids: list[int]
) -> None:
    with store.transaction() as session:
        made = add_digests(session, [draft(1, item_ids[:2]), draft(2, item_ids[1:])], now=NOW)
    assert None not in made
    with store.transaction() as session:
        positions = session.execute(
            select(DigestItem.digest_id, DigestItem.position, DigestItem.item_id).order_by(
                DigestItem.digest_id, DigestItem.position
            )
        ).all()
        messages = session.execute(
            select(DigestMessage.digest_id, DigestMessage.body, DigestMessage.state)
        ).all()
    first, second = made
    assert positions == [
        (first, 1, item_ids[0]),
        (first, 2, item_ids[1]),
        (second, 1, item_ids[1]),
        (second, 2, item_ids[2]),
        (second, 3, item_ids[3]),
    ]
    assert sorted(messages) == [
        (first, f"digest {first}", DeliveryState.PENDING),
        (second, f"digest {second}", DeliveryState.PENDING),
    ]


def test_a_daily_digest_that_exists_is_skipped_and_the_rest_of_the_batch_stored(
    store: Store, item_ids: list[int]
) -> None:
    with store.transaction() as session:
        add_digests(session, [draft(2, item_ids[:1])], now=NOW)
    with store.transaction() as session:
        made = add_digests(
            session,
            [
                draft(1, item_ids[:1]),
                draft(2, item_ids[1:2]),
                draft(2, item_ids[2:3], DigestKind.ON_DEMAND),
            ],
            now=NOW,
        )
        seen = history(session, 2)
    assert made[0] is not None and made[1] is None and made[2] is not None
    assert item_ids[1] not in seen  # the refused digest marked nothing shown
    assert seen[item_ids[0]].times_shown == seen[item_ids[2]].times_shown == 1


def test_each_digest_of_a_batch_gets_its_own_id_whatever_the_order_or_repeats(
    store: Store, item_ids: list[int]
) -> None:
    on_demand = DigestKind.ON_DEMAND
    batch = [
        draft(3, item_ids[:1]),
        draft(1, item_ids[1:2], on_demand),
        draft(1, item_ids[2:3], on_demand),  # a chat may ask twice a day
        draft(1, item_ids[3:]),
        draft(1, item_ids[:1]),  # its daily digest once only
    ]
    with store.transaction() as session:
        made = add_digests(session, batch, now=NOW)
        rows = session.execute(select(DigestItem.digest_id, DigestItem.item_id)).all()
    assert made[4] is None and len(set(made[:4])) == 4
    assert sorted(rows) == sorted(
        (digest_id, ids[0])
        for digest_id, ids in zip(
            made[:4], (item_ids[:1], item_ids[1:2], item_ids[2:3], item_ids[3:]), strict=True
        )
    )


def test_storing_counts_one_more_showing_and_keeps_answers(
    store: Store, item_ids: list[int]
) -> None:
    later = NOW + dt.timedelta(days=1)
    with store.transaction() as session:
        add_digests(session, [draft(1, item_ids[:2])], now=NOW)
        set_answer(session, chat_id=1, item_id=item_ids[0], answer=Answer.READ, now=NOW)
    with store.transaction() as session:
        add_digests(session, [draft(1, item_ids[:1], DigestKind.ON_DEMAND)], now=later)
    with store.transaction() as session:
        seen = history(session, 1)
    assert seen[item_ids[0]].times_shown == 2
    assert seen[item_ids[0]].last_shown_at == later
    assert seen[item_ids[0]].answer is Answer.READ
    assert seen[item_ids[1]].times_shown == 1


def test_histories_and_muted_words_are_read_for_several_chats_at_once(
    store: Store, item_ids: list[int]
) -> None:
    with store.transaction() as session:
        add_digests(session, [draft(1, item_ids[:2]), draft(2, item_ids[2:3])], now=NOW)
        session.add_all([MutedWord(chat_id=1, word="crypto"), MutedWord(chat_id=1, word="nft")])
    with store.transaction() as session:
        pasts = histories(session, [1, 2, 3])
        muted = muted_words_of(session, [1, 2, 3])
        assert muted_words(session, 1) == ("crypto", "nft")
    assert {chat: sorted(past) for chat, past in pasts.items()} == {
        1: item_ids[:2],
        2: item_ids[2:3],
    }
    assert muted == {1: ("crypto", "nft")}
