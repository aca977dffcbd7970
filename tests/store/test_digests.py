"""The digests outbox: one daily digest per chat and date, each message sent at most once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.items import Answer, ItemKind
from bot.store.chats import ensure_chat
from bot.store.db import Store
from bot.store.digests import (
    active_chats,
    answers,
    chats_with_pending,
    claim_next,
    digest_for_answer,
    give_up,
    history,
    library,
    record_retry,
    record_sent,
    save_digest,
    set_answer,
)
from bot.store.models import DeliveryState, DigestKind, DigestMessage, Item
from tests.conftest import NOW

DAY = dt.date(2026, 11, 23)


@pytest.fixture
def item_ids(store: Store) -> list[int]:
    with store.transaction() as session:
        items = [
            Item(kind=ItemKind.PAPER, title=f"paper {n}", canonical_key=f"title:paper {n}")
            for n in range(3)
        ]
        session.add_all(items)
        for chat_id in (1, 2):
            chat = ensure_chat(session, chat_id)
            chat.subscribed = True
        session.flush()
        return [item.id for item in items]


def save(
    store: Store, chat_id: int, ids: list[int], kind: DigestKind = DigestKind.DAILY
) -> int | None:
    with store.transaction() as session:
        digest = save_digest(
            session,
            chat_id=chat_id,
            kind=kind,
            local_date=DAY,
            item_ids=ids,
            render=lambda digest_id: [
                ("<b>one</b>", [[["✅ Read 1", f"l1:r:{digest_id}:1"]]]),
                ("two", []),
            ],
            now=NOW,
        )
        return digest.id if digest else None


def test_a_second_daily_digest_for_the_same_date_is_refused(
    store: Store, item_ids: list[int]
) -> None:
    first = save(store, 1, item_ids)
    assert first is not None
    assert save(store, 1, item_ids) is None
    assert save(store, 1, item_ids, DigestKind.ON_DEMAND) is not None
    assert save(store, 2, item_ids) is not None
    with store.transaction() as session:
        clocks = {c.chat_id: c for c in active_chats(session)}
    assert clocks[1].last_daily == DAY


def test_saving_a_digest_marks_its_items_shown(store: Store, item_ids: list[int]) -> None:
    save(store, 1, item_ids[:2])
    save(store, 1, item_ids[:1], DigestKind.ON_DEMAND)
    with store.transaction() as session:
        seen = history(session, 1)
    assert seen[item_ids[0]].times_shown == 2
    assert seen[item_ids[1]].times_shown == 1
    assert item_ids[2] not in seen


def test_a_chats_messages_are_claimed_one_at_a_time_in_order(
    store: Store, item_ids: list[int]
) -> None:
    save(store, 1, item_ids)
    with store.transaction() as session:
        assert chats_with_pending(session, now=NOW, limit=10) == [1]
        first = claim_next(session, 1, now=NOW)
    assert first is not None and first.body == "<b>one</b>"
    assert first.buttons == [[["✅ Read 1", f"l1:r:{first.digest_id}:1"]]]
    with store.transaction() as session:
        # Part 2 waits until part 1 is settled; `sending` is never claimed again.
        assert claim_next(session, 1, now=NOW) is not None
    with store.transaction() as session:
        assert claim_next(session, 1, now=NOW) is None


def test_a_failed_part_holds_the_rest_of_the_chat_until_its_retry_time(
    store: Store, item_ids: list[int]
) -> None:
    save(store, 1, item_ids)
    later = NOW + dt.timedelta(minutes=1)
    with store.transaction() as session:
        first = claim_next(session, 1, now=NOW)
        assert first is not None
        record_retry(session, first.id, "TimedOut", later)
    with store.transaction() as session:
        assert claim_next(session, 1, now=NOW) is None  # part 2 does not overtake part 1
        again = claim_next(session, 1, now=later)
        assert again is not None and again.id == first.id and again.attempts == 2
        record_sent(session, again.id, 555, later)
    with store.transaction() as session:
        state = session.get(DigestMessage, first.id)
        assert state is not None and state.telegram_message_id == 555
        assert state.state is DeliveryState.SENT
        second = claim_next(session, 1, now=later)
        assert second is not None and second.body == "two"


def test_a_given_up_digest_is_not_sent(store: Store, item_ids: list[int]) -> None:
    digest_id = save(store, 1, item_ids)
    assert digest_id is not None
    with store.transaction() as session:
        give_up(session, digest_id, "day over", NOW)
    with store.transaction() as session:
        assert chats_with_pending(session, now=NOW, limit=10) == []
        assert claim_next(session, 1, now=NOW) is None
        states = session.scalars(select(DigestMessage.state)).all()
    assert set(states) == {DeliveryState.FAILED}


def test_served_chats_are_left_out_of_the_next_batch(store: Store, item_ids: list[int]) -> None:
    for chat_id in (1, 2):
        save(store, chat_id, item_ids)
    with store.transaction() as session:
        assert chats_with_pending(session, now=NOW, limit=1) == [1]
        assert chats_with_pending(session, now=NOW, limit=10, exclude={1}) == [2]


def test_replicas_claiming_at_once_never_share_a_message(
    store: Store, item_ids: list[int], database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time; replicas need PostgreSQL")
    save(store, 1, item_ids)
    with store.transaction() as first, store.transaction() as second:
        mine = claim_next(first, 1, now=NOW)
        theirs = claim_next(second, 1, now=NOW)  # the head is held: nothing, not part 2
    assert mine is not None
    assert theirs is None


def test_answers_only_reach_the_chats_own_digests(store: Store, item_ids: list[int]) -> None:
    mine = save(store, 1, item_ids)
    with store.transaction() as session:
        assert digest_for_answer(session, chat_id=2, digest_id=mine) is None
        latest = digest_for_answer(session, chat_id=1)
        assert latest is not None and latest.id == mine
        set_answer(session, chat_id=1, item_id=item_ids[0], answer=Answer.READ, now=NOW)
        set_answer(session, chat_id=1, item_id=item_ids[1], answer=Answer.SKIPPED, now=NOW)
        set_answer(session, chat_id=1, item_id=item_ids[1], answer=Answer.READ, now=NOW)
    with store.transaction() as session:
        assert answers(session, 1, item_ids) == {item_ids[0]: Answer.READ, item_ids[1]: Answer.READ}


def test_times_come_back_in_utc_on_every_backend(store: Store, item_ids: list[int]) -> None:
    save(store, 1, item_ids[:1])
    with store.transaction() as session:
        seen = history(session, 1)[item_ids[0]]
        [item] = library(session, item_ids[:1])
    assert seen.last_shown_at == NOW
    assert item.added_at is not None and item.added_at.tzinfo is not None
