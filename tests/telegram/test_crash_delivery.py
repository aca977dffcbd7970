"""Crashes while messages wait: SIGKILL of a real `lamplight run` while a hundred messages
wait for their rate-limiter slot, or while a chat is held after a 429. Nothing waiting was
claimed, so after the restart every chat has its digest exactly once (judged from the chats
and the store); only a request already out at the kill may be uncertain."""

from __future__ import annotations

from sqlalchemy import select

from bot.digests.crashpoints import RATE_HOLD, SLOTS_QUEUED
from bot.store.models import DeliveryState, Digest, DigestMessage
from tests.support.chat import Chat
from tests.support.crashes import (
    FRIEND,
    PASSED,
    PENDING,
    SENDING,
    SENT,
    UNCERTAIN,
    Setup,
    digests_seen,
)
from tests.support.crashes import setup as setup  # the fixture

CROWD = range(3001, 3151)  # 150 subscribers due at once
WAITING = 100


def states_by_chat(setup: Setup) -> dict[int, list[DeliveryState]]:
    with setup.store.transaction() as session:
        rows = session.execute(
            select(Digest.chat_id, DigestMessage.state)
            .join(DigestMessage, DigestMessage.digest_id == Digest.id)
            .order_by(DigestMessage.id)
        )
        found: dict[int, list[DeliveryState]] = {}
        for chat_id, state in rows:
            found.setdefault(chat_id, []).append(state)
        return found


def assert_each_chat_got_its_digest_once(setup: Setup, chats: list[Chat]) -> None:
    states = states_by_chat(setup)
    uncertain = [c.user_id for c in chats if UNCERTAIN in states[c.user_id]]
    for chat in chats:
        seen = len(digests_seen(chat))
        if chat.user_id in uncertain:
            assert seen <= 1, f"chat {chat.user_id} got an uncertain digest twice"
        else:
            assert seen == 1, f"chat {chat.user_id} got its digest {seen} times"
            assert set(states[chat.user_id]) == {SENT}
    # At the kill at most the one request then out was in flight (28/s, local replies).
    assert len(uncertain) <= 1, uncertain


def test_killed_while_a_hundred_messages_wait_for_their_slot_none_is_lost(
    setup: Setup,
) -> None:
    chats = [setup.subscribe(chat_id, PASSED, size=2) for chat_id in CROWD]
    setup.start_paused(SLOTS_QUEUED, LAMPLIGHT_PAUSE_COUNT=str(WAITING))

    states = states_by_chat(setup)
    assert sum(SENT in s for s in states.values()) >= 1, "the first digests went out"
    waiting = [c for c, s in states.items() if set(s) == {PENDING}]
    assert len(waiting) >= WAITING, "these were waiting for their slot, unclaimed"

    setup.processes.start()
    setup.wait(lambda: setup.pending() == 0, "every digest sent after the restart", timeout=60)
    setup.help_answered(setup.subscribe(FRIEND, setup.later_today()))
    assert_each_chat_got_its_digest_once(setup, chats)


def test_killed_during_a_429_hold_the_held_digest_goes_out_after_restart(
    setup: Setup,
) -> None:
    chats = [setup.subscribe(chat_id, PASSED, size=2) for chat_id in CROWD[:12]]
    held = chats[0]
    setup.botapi.fail_next("sendMessage", 429, retry_after=2, chat_id=held.user_id)
    setup.start_paused(RATE_HOLD)

    assert digests_seen(held) == [], "Telegram refused it: a 429"
    assert set(states_by_chat(setup)[held.user_id]) == {PENDING}, "back to pending, not lost"

    # A restart within the 2 s hold finds the message not yet due at its first sweep: the
    # next sweep sends it (a minute later by default; a second here).
    setup.processes.start(DIGEST_SWEEP_SECONDS="1")
    setup.wait(lambda: setup.pending() == 0, "every digest sent after the restart")
    setup.wait(lambda: digests_seen(held), "the held chat's digest")
    setup.help_answered(setup.subscribe(FRIEND, setup.later_today()))
    assert_each_chat_got_its_digest_once(setup, chats)


def test_killed_while_a_request_is_out_it_is_uncertain_and_never_sent_twice(
    setup: Setup,
) -> None:
    chats = [setup.subscribe(chat_id, PASSED, size=2) for chat_id in CROWD[:6]]
    out = chats[0]
    # Telegram takes the message at once; its answer is held until the bot is gone.
    setup.botapi.hold_answer_next("sendMessage", chat_id=out.user_id)
    crashed = setup.processes.start()
    setup.wait(lambda: setup.botapi.held_requests() == 1, "the request out, its answer held")
    crashed.sigkill()
    assert len(digests_seen(out)) == 1, "Telegram had taken it"
    assert set(states_by_chat(setup)[out.user_id]) == {SENDING}

    setup.processes.start()
    setup.wait(lambda: setup.pending() == 0, "every digest sent after the restart")
    setup.help_answered(setup.subscribe(FRIEND, setup.later_today()))
    assert set(states_by_chat(setup)[out.user_id]) == {UNCERTAIN}
    assert_each_chat_got_its_digest_once(setup, chats)
