"""Friends in the store: the access list, what a denial stops, a timed pause and digest days in
the compose sweep, and /forgetme's deletion — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text

from bot.digests.cadence import WORKDAYS
from bot.digests.compose import compose_due
from bot.library.items import Answer, ItemKind
from bot.store import access, chats, outbox, reports
from bot.store.chats import ensure_chat
from bot.store.db import Store
from bot.store.digests import active_chats, set_answer
from bot.store.models import (
    Access,
    Chat,
    Digest,
    DigestItem,
    DigestMessage,
    Item,
    ItemState,
    MutedWord,
    Search,
)
from tests.conftest import NOW  # Mon 23 Nov 2026, 08:00 UTC
from tests.support.botapi import wait_for

OWNER, ADA, BOB = 1, 2, 3


@pytest.fixture
def friends(store: Store) -> Store:
    """Ada and Bob subscribed, with 08:00 UTC digests; a small library."""
    with store.transaction() as session:
        session.add_all(
            Item(kind=ItemKind.QUOTE, title=f"quote {n}", canonical_key=f"title:q{n}")
            for n in range(10)
        )
        access.seed_allowed(session, [ADA, BOB], NOW)
        for chat_id in (ADA, BOB):
            chats.subscribe(session, chat_id, {}, NOW)
    return store


def daily_dates(store: Store, chat_id: int) -> list[dt.date]:
    with store.transaction() as session:
        rows = session.scalars(
            select(Digest.local_date).where(Digest.chat_id == chat_id).order_by(Digest.local_date)
        )
        return list(rows)


def test_allowed_ids_are_seeded_once_and_a_denial_outlives_a_restart(store: Store) -> None:
    with store.transaction() as session:
        assert access.seed_allowed(session, [ADA, BOB], NOW) == 2
        assert access.deny(session, BOB, now=NOW)
    with store.transaction() as session:  # the next start, BOB still in ALLOWED_USER_IDS
        assert access.seed_allowed(session, [ADA, BOB], NOW + dt.timedelta(days=1)) == 0
        assert access.may_use(session, ADA) and not access.may_use(session, BOB)
        assert not access.may_use(session, 99)


def test_users_who_joined_on_no_list_are_put_on_it_and_nobody_else(store: Store) -> None:
    former_admin, old_subscriber, denied, never_joined = 5, 6, 7, 8
    with store.transaction() as session:
        for chat_id in (OWNER, former_admin, old_subscriber, denied):
            chats.subscribe(session, chat_id, {}, NOW)
        left = session.get(Chat, old_subscriber)
        assert left is not None
        left.subscribed = False  # left since: still someone the bot knows
        ensure_chat(session, never_joined)
        access.deny(session, denied, now=NOW)
    with store.transaction() as session:
        assert access.keep_joined(session, admins=[OWNER]) == 2
        assert access.keep_joined(session, admins=[OWNER]) == 0  # the next start
        listed = {u.user_id: u for u in access.users(session, admins=[OWNER])}
        assert access.may_use(session, former_admin) and access.may_use(session, old_subscriber)
        assert not access.may_use(session, denied) and not access.may_use(session, never_joined)
    assert list(listed) == [OWNER, former_admin, old_subscriber, denied]
    assert listed[former_admin].since == NOW and listed[former_admin].allowed_by is None


def test_replicas_seeding_the_same_ids_at_once_both_start(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("replicas share a PostgreSQL store (a SQLite store takes one bot)")
    first = store.sessions()
    assert access.seed_allowed(first, [ADA], NOW) == 1  # not committed yet
    seen: list[int | BaseException] = []

    def second_replica() -> None:
        try:
            with store.transaction() as session:
                seen.append(access.seed_allowed(session, [ADA], NOW))
        except BaseException as exc:
            seen.append(exc)

    thread = threading.Thread(target=second_replica)
    thread.start()
    with store.engine.connect() as watch:  # until the second waits on the first's new row
        wait_for(lambda: watch.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))
    first.commit()
    first.close()
    thread.join(10)
    assert seen == [1]  # it found ADA new, and its insert gave way to the first's
    with store.transaction() as session:
        assert access.may_use(session, ADA)


def test_allow_deny_and_allow_again(store: Store) -> None:
    with store.transaction() as session:
        assert access.allow(session, ADA, name="Ada", by=OWNER, now=NOW) is access.Allowed.NEW
        assert access.allow(session, ADA, name=None, by=OWNER, now=NOW) is access.Allowed.ALREADY
        assert access.deny(session, ADA, now=NOW) and not access.deny(session, ADA, now=NOW)
        assert access.deny(session, 77, now=NOW)  # never allowed: denied ahead
        later = NOW + dt.timedelta(days=2)
        assert access.allow(session, ADA, name=None, by=OWNER, now=later) is access.Allowed.AGAIN
    with store.transaction() as session:
        ada = session.get(Access, ADA)
        assert ada is not None and (ada.name, ada.denied_at) == ("Ada", None)
        listed = {u.user_id: u for u in access.users(session, admins=[OWNER])}
    assert list(listed) == [OWNER, ADA, 77]
    assert listed[OWNER].admin and listed[77].denied_at is not None
    assert listed[ADA].since == NOW + dt.timedelta(days=2)


def test_a_denied_chat_is_not_due_and_its_pending_messages_do_not_go(friends: Store) -> None:
    assert compose_due(friends, NOW) == 2
    with friends.transaction() as session:
        access.deny(session, BOB, now=NOW)
        assert {c.chat_id for c in active_chats(session)} == {ADA}
        waiting = outbox.chats_with_pending(session, now=NOW, limit=10)
        [bob_message] = session.scalars(
            select(DigestMessage.id)
            .join(Digest, Digest.id == DigestMessage.digest_id)
            .where(Digest.chat_id == BOB)
        )
        assert waiting == [ADA]
        assert not outbox.claim(session, bob_message, now=NOW)
        assert outbox.give_up_undelivered(session, BOB, "access denied", NOW) == 1
        assert not outbox.troubles_since(session, None)  # given up on purpose: no trouble
    assert compose_due(friends, NOW + dt.timedelta(days=1)) == 1  # Ada's alone
    assert daily_dates(friends, BOB) == [NOW.date()]  # Bob's history stays


def test_a_timed_pause_holds_the_sweep_then_digests_come_again(friends: Store) -> None:
    with friends.transaction() as session:
        chats.update_chat(
            session, ADA, paused_until=NOW - dt.timedelta(hours=1) + dt.timedelta(days=7)
        )
    for day in range(10):
        compose_due(friends, NOW + dt.timedelta(days=day))
    first = NOW.date()
    assert daily_dates(friends, ADA) == [first + dt.timedelta(days=d) for d in (7, 8, 9)]
    assert len(daily_dates(friends, BOB)) == 10


def test_digest_days_keep_the_weekend_free(friends: Store) -> None:
    with friends.transaction() as session:
        chats.update_chat(session, ADA, digest_days=WORKDAYS)
    for day in range(7):
        compose_due(friends, NOW + dt.timedelta(days=day))
    assert [d.strftime("%a") for d in daily_dates(friends, ADA)] == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
    ]


def count(store: Store, model: type, chat_id: int) -> int:
    with store.transaction() as session:
        return int(session.scalar(select(func.count()).where(model.chat_id == chat_id)) or 0)  # type: ignore[attr-defined]


def test_forgetting_a_chat_deletes_its_data_and_nobody_elses(friends: Store) -> None:
    compose_due(friends, NOW)
    with friends.transaction() as session:
        for chat_id in (ADA, BOB):
            set_answer(session, chat_id=chat_id, item_id=1, answer=Answer.READ, now=NOW)
            session.add_all(
                [MutedWord(chat_id=chat_id, word="x"), Search(chat_id=chat_id, text="y")]
            )
        access.deny(session, ADA, now=NOW)
    with friends.transaction() as session:
        forgotten = chats.forget_chat(session, ADA)
    assert forgotten == chats.Forgotten(answers=1, digests=1)
    for model in (ItemState, MutedWord, Search, Digest):
        assert count(friends, model, ADA) == 0 and count(friends, model, BOB) > 0, model
    with friends.transaction() as session:
        assert session.get(Chat, ADA) is None and session.get(Chat, BOB) is not None
        assert not access.may_use(session, ADA)  # the denial stays
        orphans = session.scalar(
            select(func.count())
            .select_from(DigestItem)
            .where(DigestItem.digest_id.not_in(select(Digest.id)))
        )
        assert orphans == 0
        assert chats.forget_chat(session, ADA) is None
        assert chats.forget_chat(session, 99) is None


def test_a_forgotten_chat_starts_afresh(friends: Store) -> None:
    with friends.transaction() as session:
        chats.update_chat(session, ADA, digest_size=9)
        chats.forget_chat(session, ADA)
    with friends.transaction() as session:
        chat = chats.subscribe(session, ADA, {"digest_size": 5}, NOW)
        assert chat.digest_size == 5
        ensure_chat(session, ADA)


def test_status_counts_a_timed_pause_while_it_holds_and_denied_users_apart(friends: Store) -> None:
    with friends.transaction() as session:
        chats.update_chat(session, ADA, paused_until=NOW + dt.timedelta(days=7))
        access.deny(session, BOB, now=NOW)
        assert reports.status(session, NOW).subscribers == reports.Subscribers(
            active=0, paused=1, blocked=0, left=0, denied=1
        )
        later = reports.status(session, NOW + dt.timedelta(days=8)).subscribers
        assert (later.active, later.paused) == (1, 0)
