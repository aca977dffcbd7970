"""Delivery as a subscriber sees it: /digest sends the caller's own digest only, /today
sends the day's stored digest again, and the admins hear once a day of uncertain or given-up
digests."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from bot.digests import compose
from bot.digests.compose import compose_due
from bot.digests.deliver import SendReport
from bot.digests.due import send_due_digests
from bot.digests.notices import tell_admins_of_troubles
from bot.store import access
from bot.store.models import DeliveryState, Digest, DigestKind, DigestMessage
from bot.telegram.background import Running
from bot.telegram.handlers.common import Services, bot_sender
from bot.telegram.request import KEEPALIVE_EXPIRY
from tests.support.bot import FRIEND, OWNER, Clock
from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat
from tests.support.compose_workers import in_a_worker

EIGHT = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def states(services: Services, chat_id: int, kind: DigestKind) -> list[DeliveryState]:
    with services.store.transaction() as session:
        return list(
            session.scalars(
                select(DigestMessage.state)
                .join(Digest, Digest.id == DigestMessage.digest_id)
                .where(Digest.chat_id == chat_id, Digest.kind == kind)
                .order_by(DigestMessage.id)
            )
        )


def sweep(running: Running, services: Services) -> SendReport:
    send = bot_sender(running.application)
    return running.run(send_due_digests(services.clock(), store=services.store, send=send), 10)


def digest_messages(chat: Chat) -> list[str]:
    return [m.visible_text for m in chat.bot_messages() if "Your reading" in m.visible_text]


def test_digest_sends_the_callers_own_digest_and_leaves_others_to_the_sweep(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    owner = Chat(botapi, OWNER)
    owner.send("/start")
    owner.reply()
    clock.now = EIGHT
    assert compose_due(services.store, clock()) == 2  # both daily digests due, not yet sent
    friend.send("/digest")
    botapi.wait_for(lambda: len(digest_messages(friend)) == 2, 10, what="both of friend's digests")
    # The friend's queue went out, the daily first; the owner's waits for the sweep.
    botapi.wait_for(
        lambda: set(states(services, FRIEND, DigestKind.ON_DEMAND)) == {DeliveryState.SENT},
        10,
        what="the on-demand digest recorded as sent",
    )
    assert states(services, FRIEND, DigestKind.DAILY) == [DeliveryState.SENT]
    assert digest_messages(owner) == []
    assert set(states(services, OWNER, DigestKind.DAILY)) == {DeliveryState.PENDING}
    assert sweep(running, services).sent >= 1
    assert len(digest_messages(owner)) == 1


def test_today_sends_the_stored_daily_digest_again(
    friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    clock.now = EIGHT - dt.timedelta(hours=1)
    friend.send("/today")
    assert "Today's digest is not made yet: it comes at 08:00" in friend.reply().visible_text
    clock.now = EIGHT
    sweep(running, services)
    [first] = digest_messages(friend)
    friend.send("/today")
    again = friend.reply()
    assert again.visible_text == first  # the same digest, not a new composition
    assert "✅ Read 1" in dict(again.buttons())
    assert len(digests_of(services, FRIEND)) == 1


def digests_of(services: Services, chat_id: int) -> list[int]:
    with services.store.transaction() as session:
        return list(session.scalars(select(Digest.id).where(Digest.chat_id == chat_id)))


def test_admins_hear_once_a_day_of_uncertain_and_given_up_digests(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    owner = Chat(botapi, OWNER)
    botapi.add_chat(OWNER)  # an admin who never subscribed still hears
    botapi.fail_next("sendMessage", 504, chat_id=FRIEND)  # Telegram's front end timed out
    clock.now = EIGHT
    assert sweep(running, services).uncertain == 1
    send = bot_sender(running.application)
    admins = services.settings.admin_user_ids

    def tell(at: dt.datetime) -> object:
        return running.run(tell_admins_of_troubles(services.store, send, at, admins), 10)

    told = tell(clock.now)
    assert told is not None and (told.uncertain, told.given_up) == (1, 0)
    notice = owner.reply().visible_text
    assert notice.startswith("Since the last notice: 1 message may not have arrived")
    assert tell(clock.now + dt.timedelta(hours=23)) is None  # once a day at most
    assert tell(clock.now + dt.timedelta(hours=25)) is None  # nothing new since
    assert len(owner.bot_messages()) == 1


def test_a_refused_connection_is_retried_and_the_digest_arrives_once(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    clock.now = EIGHT
    botapi.go_down()  # Telegram unreachable: nothing can have reached it
    try:
        assert sweep(running, services).retried == 1
    finally:
        botapi.come_back()
    assert states(services, FRIEND, DigestKind.DAILY) == [DeliveryState.PENDING]
    clock.now += dt.timedelta(minutes=1)
    assert sweep(running, services).sent >= 1
    assert len(digest_messages(friend)) == 1


def test_a_sent_digest_whose_answer_cannot_be_read_is_uncertain_and_never_repeated(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    botapi.garble_next("sendMessage", chat_id=FRIEND)  # taken; the answer lacks its chat
    clock.now = EIGHT
    assert sweep(running, services).uncertain == 1
    clock.now += dt.timedelta(hours=1)
    assert sweep(running, services).sent == 0  # it may have arrived: never sent twice
    assert len(digest_messages(friend)) == 1
    assert states(services, FRIEND, DigestKind.DAILY) == [DeliveryState.UNCERTAIN]


def test_an_idle_connection_expires_here_before_telegram_closes_it(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    """The morning's first send after a quiet night must not go out on a connection the
    server is closing (its answer would be lost: an uncertain digest). The bot's keep-alive
    expiry is shorter than the server's idle limit, so it opens a fresh one."""
    botapi.keepalive_idle = KEEPALIVE_EXPIRY + 0.5
    clock.now = EIGHT
    friend.send("/settings")
    friend.reply()  # a connection used, then left idle
    idle_since = time.monotonic()
    botapi.wait_for(
        lambda: time.monotonic() - idle_since > botapi.keepalive_idle, 10, what="a quiet night"
    )
    report = sweep(running, services)
    assert (report.sent, report.uncertain) == (1, 0)
    assert len(digest_messages(friend)) == 1


def test_a_sweep_composed_in_processes_reaches_every_reader_and_the_bot_keeps_answering(
    botapi: FakeBotAPI,
    running: Running,
    services: Services,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sweep forks inside the running bot (its polling and sending threads alive): five
    readers in three batches, over two processes (the bot's own waits until the worker has
    drafted one)."""
    monkeypatch.setattr(compose, "COMPOSE_BATCH", 2)
    in_a_worker(lambda: None, monkeypatch)
    readers = [Chat(botapi, user_id) for user_id in range(300, 305)]
    with services.store.transaction() as session:
        for reader in readers:
            access.allow(session, reader.user_id, name=None, by=OWNER, now=clock.now)
    for reader in readers:
        reader.send("/start")
        reader.reply()
    clock.now = EIGHT
    send = bot_sender(running.application)

    report = running.run(
        send_due_digests(clock(), store=services.store, send=send, processes=2), 30
    )

    assert (report.composed, report.sent) == (5, 5)
    assert all(len(digest_messages(reader)) == 1 for reader in readers)
    readers[0].send("/today")
    assert "Your reading" in (readers[0].reply().visible_text or "")
