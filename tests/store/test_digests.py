"""The digests outbox: one daily digest per chat and date; each message claimed only as it
leaves, its parts in order, by one sender at a time."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.library.items import Answer, ItemKind
from bot.store.chats import ensure_chat
from bot.store.db import Store
from bot.store.digests import (
    active_chats,
    answers,
    digest_for_answer,
    library,
    save_digest,
    set_answer,
)
from bot.store.histories import history
from bot.store.models import DeliveryState, DigestKind, DigestMessage, Item
from bot.store.outbox import (
    OutgoingMessage,
    chats_with_pending,
    claim,
    give_up,
    mark_blocked,
    next_message,
    record_retry,
    record_sent,
    record_uncertain,
    recover_in_flight,
    troubles_since,
)
from bot.store.raw_rows import aware
from tests.conftest import NOW

DAY = dt.date(2026, 11, 23)
PENDING, SENDING, SENT = DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.SENT
UNCERTAIN = DeliveryState.UNCERTAIN


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


def parts(store: Store, digest_id: int) -> list[DigestMessage]:
    with store.transaction() as session:
        found = session.scalars(
            select(DigestMessage)
            .where(DigestMessage.digest_id == digest_id)
            .order_by(DigestMessage.part)
        ).all()
        session.expunge_all()
        return list(found)


def head(store: Store, chat_id: int) -> OutgoingMessage | None:
    with store.transaction() as session:
        return next_message(session, chat_id)


def claimed(store: Store, message_id: int, now: dt.datetime = NOW) -> bool:
    with store.transaction() as session:
        return claim(session, message_id, now=now)


def test_a_message_is_sending_only_once_claimed_and_part_2_waits_for_part_1(
    store: Store, item_ids: list[int]
) -> None:
    digest_id = save(store, 1, item_ids)
    assert digest_id is not None
    one, two = parts(store, digest_id)
    first = head(store, 1)
    assert first is not None and first.id == one.id and first.body == "<b>one</b>"
    assert first.buttons == [[["✅ Read 1", f"l1:r:{digest_id}:1"]]]
    assert {m.state for m in parts(store, digest_id)} == {PENDING}  # looking claims nothing
    assert not claimed(store, two.id)  # part 1 is still pending
    assert claimed(store, one.id)
    assert not claimed(store, one.id)  # claimed once only
    assert head(store, 1) is None  # its head is out: the chat waits
    assert not claimed(store, two.id)  # part 1 is out, not yet settled
    with store.transaction() as session:
        record_sent(session, one.id, 555, NOW)
    second = head(store, 1)
    assert second is not None and second.id == two.id
    assert claimed(store, two.id)
    assert [m.state for m in parts(store, digest_id)] == [SENT, SENDING]


def test_a_retry_waits_for_its_time_and_holds_back_the_next_part(
    store: Store, item_ids: list[int]
) -> None:
    digest_id = save(store, 1, item_ids)
    assert digest_id is not None
    one, two = parts(store, digest_id)
    later = NOW + dt.timedelta(minutes=1)
    assert claimed(store, one.id)
    with store.transaction() as session:
        record_retry(session, one.id, "ConnectError", later)
    again = head(store, 1)
    assert again is not None and again.id == one.id and again.retry_at == later
    assert not claimed(store, one.id, NOW)  # not before its retry time
    assert not claimed(store, two.id, later)  # part 2 does not overtake part 1
    assert claimed(store, one.id, later)
    [state, _] = parts(store, digest_id)
    assert state.attempts == 2 and aware(state.claimed_at) == later


def test_an_uncertain_part_counts_as_delivered_and_the_next_follows(
    store: Store, item_ids: list[int]
) -> None:
    digest_id = save(store, 1, item_ids)
    assert digest_id is not None
    one, two = parts(store, digest_id)
    assert claimed(store, one.id)
    with store.transaction() as session:
        record_uncertain(session, one.id, "Timed out (httpx.ReadTimeout)")
    following = head(store, 1)
    assert following is not None and following.id == two.id
    assert claimed(store, two.id)


def test_messages_a_dead_sender_left_sending_become_uncertain(
    store: Store, item_ids: list[int]
) -> None:
    digest_id = save(store, 1, item_ids)
    other = save(store, 2, item_ids)
    assert digest_id is not None and other is not None
    assert claimed(store, parts(store, digest_id)[0].id, NOW)
    fresh = NOW + dt.timedelta(minutes=5)
    assert claimed(store, parts(store, other)[0].id, fresh)
    with store.transaction() as session:  # only claims older than a request can last
        assert recover_in_flight(session, claimed_before=fresh - dt.timedelta(minutes=2)) == 1
    assert [m.state for m in parts(store, digest_id)] == [UNCERTAIN, PENDING]
    assert [m.state for m in parts(store, other)] == [SENDING, PENDING]
    with store.transaction() as session:  # a new sender settles every claim at once
        assert recover_in_flight(session) == 1
    assert [m.state for m in parts(store, other)] == [UNCERTAIN, PENDING]
    with store.transaction() as session:
        troubles = troubles_since(session, None)
    assert troubles.uncertain == 2 and troubles.given_up == 0


def test_a_given_up_digest_or_a_blocked_chat_is_not_sent(store: Store, item_ids: list[int]) -> None:
    digest_id = save(store, 1, item_ids)
    blocked = save(store, 2, item_ids)
    assert digest_id is not None and blocked is not None
    with store.transaction() as session:
        give_up(session, digest_id, "day over", NOW)
        mark_blocked(session, 2)
    with store.transaction() as session:
        assert chats_with_pending(session, now=NOW, limit=10) == []
        assert next_message(session, 1) is None and next_message(session, 2) is None
    assert not claimed(store, parts(store, digest_id)[0].id)
    assert not claimed(store, parts(store, blocked)[0].id)
    assert {m.state for m in parts(store, digest_id)} == {DeliveryState.FAILED}
    with store.transaction() as session:
        assert troubles_since(session, None).given_up == 1
        assert troubles_since(session, NOW).given_up == 0


def test_served_chats_are_left_out_of_the_next_batch(store: Store, item_ids: list[int]) -> None:
    for chat_id in (1, 2):
        save(store, chat_id, item_ids)
    with store.transaction() as session:
        assert chats_with_pending(session, now=NOW, limit=1) == [1]
        assert chats_with_pending(session, now=NOW, limit=10, exclude={1}) == [2]
        assert chats_with_pending(session, now=NOW, limit=10, only={2}) == [2]


def test_senders_claiming_at_once_never_share_a_message(store: Store, item_ids: list[int]) -> None:
    digest_id = save(store, 1, item_ids)
    assert digest_id is not None
    one = parts(store, digest_id)[0]
    start = threading.Barrier(4)

    def race() -> bool:
        start.wait()
        return claimed(store, one.id)

    with ThreadPoolExecutor(4) as pool:
        wins = list(pool.map(lambda _: race(), range(4)))
    assert wins.count(True) == 1


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
