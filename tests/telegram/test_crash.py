"""Crashes: a real `lamplight run` is killed with SIGKILL at a pause point, then started again,
around composing and recording; how pause points work and how recovery is judged is told in
tests/support/crashes.py, the stage these tests share."""

from __future__ import annotations

from bot.digests.crashpoints import AFTER_COMPOSE, BEFORE_RECORD
from bot.library.items import Answer
from tests.support.crashes import (
    FIRST_READ,
    FRIEND,
    PASSED,
    PENDING,
    SENDING,
    SENT,
    UNCERTAIN,
    WAIT,
    WITNESS,
    Setup,
    digest_parts_seen,
    digests_seen,
    last_message_id,
)
from tests.support.crashes import setup as setup  # the fixture


def test_killed_between_compose_and_send_the_digest_goes_out_once_after_restart(
    setup: Setup,
) -> None:
    friend = setup.subscribe(FRIEND, PASSED)
    setup.start_paused(AFTER_COMPOSE)

    assert digests_seen(friend) == [], "nothing was sent before the crash"
    [(composed, parts)] = setup.daily_digests(FRIEND)
    assert set(parts) == {PENDING}, "composed and stored, nothing claimed"

    setup.processes.start()
    setup.wait(
        lambda: setup.daily_digests(FRIEND) == [(composed, [SENT] * len(parts))],
        "the stored digest to be sent after the restart",
    )
    setup.wait(lambda: digests_seen(friend), "the digest in the user's chat")
    setup.help_answered(friend)

    assert len(digests_seen(friend)) == 1
    assert len(digest_parts_seen(friend)) == len(parts), "each part reached the user once"
    assert setup.daily_digests(FRIEND) == [(composed, [SENT] * len(parts))]


def test_killed_after_telegram_accepted_the_message_it_is_not_sent_again(
    setup: Setup,
) -> None:
    friend = setup.subscribe(FRIEND, PASSED)
    # A second user, not yet due: their digest after the restart shows that the start-up sweep
    # has run (a sweep sends every chat's pending messages together).
    witness = setup.subscribe(WITNESS, setup.later_today())
    setup.start_paused(BEFORE_RECORD)

    assert len(digests_seen(friend)) == 1, "Telegram accepted the digest before the crash"
    [(digest, parts)] = setup.daily_digests(FRIEND)
    assert parts == [SENDING], "its `sent` was never recorded"

    setup.set_digest_time(WITNESS, PASSED)
    setup.processes.start()
    setup.wait(lambda: digests_seen(witness), "the start-up sweep (the witness's digest)")
    setup.help_answered(friend)
    setup.wait(lambda: setup.pending() == 0, "nothing left pending")

    assert len(digests_seen(friend)) == 1, "the message in flight at the crash is not resent"
    assert setup.daily_digests(FRIEND) == [(digest, [UNCERTAIN])], "left `sending`: uncertain"
    assert len(digests_seen(witness)) == 1

    # The digest the user got still works, though its Telegram message id was never stored:
    # a reply to it and its buttons both answer it.
    [shown] = digests_seen(friend)
    since = last_message_id(friend)
    friend.send("skip 1", reply_to=shown.message_id)
    reply = setup.wait(
        lambda: [m for m in friend.bot_messages() if m.message_id > since],
        "an answer to the reply",
    )
    assert reply[0].visible_text == "Noted — later: 1."
    assert setup.first_item_answer(FRIEND) is Answer.SKIPPED
    assert friend.tap(FIRST_READ, timeout=WAIT).get("text") == "Marked read ✅"
    assert setup.first_item_answer(FRIEND) is Answer.READ


# Thirty long articles: whatever the day's seed picks, twenty of them need two messages.
LONG_NOTES = "\n\n".join(
    f"Reading slowly and well, part {n}: a long look at how to read papers\n"
    + " ".join(f"Sentence {k} of note {n} is about reading slowly and well." for k in range(8))
    + f"\nhttps://example.org/reading/{n}"
    for n in range(1, 31)
)


def test_killed_after_the_first_part_of_a_long_digest_the_other_parts_still_go_out(
    setup: Setup,
) -> None:
    setup.import_notes("long.txt", LONG_NOTES)
    friend = setup.subscribe(FRIEND, PASSED, size=20)
    setup.start_paused(BEFORE_RECORD)

    [(digest, parts)] = setup.daily_digests(FRIEND)
    assert len(parts) >= 2, "the digest needs more than one message"
    assert len(digest_parts_seen(friend)) == 1, "part 1 was accepted before the crash"
    assert parts == [SENDING] + [PENDING] * (len(parts) - 1), "only part 1 was in flight"

    setup.processes.start()
    setup.wait(
        lambda: len(digest_parts_seen(friend)) == len(parts),
        "the parts not sent before the crash",
        timeout=15,
    )
    setup.help_answered(friend)

    assert len(digests_seen(friend)) == 1
    assert len(digest_parts_seen(friend)) == len(parts), "each part reached the user once"
    assert setup.daily_digests(FRIEND) == [(digest, [UNCERTAIN] + [SENT] * (len(parts) - 1))]


def test_killed_while_idle_the_next_due_digest_goes_out_once_after_restart(
    setup: Setup,
) -> None:
    friend = setup.subscribe(FRIEND, setup.later_today())
    idle = setup.processes.start()
    setup.help_answered(friend)
    idle.sigkill()
    assert digests_seen(friend) == [] and setup.daily_digests(FRIEND) == [], "nothing was due"

    setup.set_digest_time(FRIEND, PASSED)  # the user's time has now passed: due at the start
    setup.processes.start()
    setup.wait(
        lambda: digests_seen(friend) and setup.pending() == 0, "the digest after the restart"
    )
    setup.help_answered(friend)

    assert len(digests_seen(friend)) == 1
    [(_, parts)] = setup.daily_digests(FRIEND)
    assert parts == [SENT] * len(parts)
