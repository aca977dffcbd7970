"""Friends through Telegram: the owner allows and denies them, lists them; each friend may
pause for a while, choose weekdays, and have everything about them forgotten."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import func, select

from bot.digests.deliver import SendReport
from bot.digests.due import send_due_digests
from bot.library.items import Answer
from bot.store import access, chats
from bot.store.digests import set_answer
from bot.store.models import Chat as ChatRow
from bot.store.models import Digest, DigestKind, ItemState, MutedWord, Search
from bot.telegram.application import build_application
from bot.telegram.background import Running
from bot.telegram.handlers.common import Services, bot_sender
from bot.telegram.views.friends import FORGET_CONFIRM_FOR
from tests.support.bot import FRIEND, OWNER, STRANGER, Clock
from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat, polling

NEWCOMER = 300


def sweep(running: Running, services: Services) -> SendReport:
    """One digest sweep at the test's instant (claims see the real time it takes)."""
    start, began = services.clock(), time.monotonic()

    def ticking() -> dt.datetime:
        return start + dt.timedelta(seconds=time.monotonic() - began)

    send = bot_sender(running.application)
    return running.run(send_due_digests(start, store=services.store, send=send, clock=ticking))


def say(chat: Chat, text: str) -> str:
    chat.send(text)
    return chat.reply().visible_text or ""


def held(services: Services, chat_id: int) -> dict[str, int]:
    """How many rows of each kind the store keeps for a chat."""
    with services.store.transaction() as session:
        return {
            model.__tablename__: int(
                session.scalar(select(func.count()).where(model.chat_id == chat_id)) or 0
            )
            for model in (ItemState, MutedWord, Search, Digest)
        } | {"chats": int(session.get(ChatRow, chat_id) is not None)}


def subscribed(services: Services, botapi: FakeBotAPI, **settings: object) -> Chat:
    """The friend, subscribed as /start leaves them, with `settings`."""
    with services.store.transaction() as session:
        chats.subscribe(session, FRIEND, {}, services.clock())
        chats.update_chat(session, FRIEND, **settings)
    return Chat(botapi, FRIEND)


def test_the_owner_allows_a_newcomer_who_can_then_subscribe(
    botapi: FakeBotAPI, running: Running
) -> None:
    newcomer, owner, friend = Chat(botapi, NEWCOMER), Chat(botapi, OWNER), Chat(botapi, FRIEND)
    assert "not on its list" in say(newcomer, "/start")
    assert "only the bot's admins" in say(friend, f"/allow {NEWCOMER}")
    assert "Usage: /allow USER_ID" in say(owner, "/allow Ada")
    assert "300 (Ada) may use the bot now" in say(owner, f"/allow {NEWCOMER} Ada")
    assert "subscribed" in say(newcomer, "/start")


def test_a_denied_friend_gets_no_digest_is_refused_and_stays_denied_after_a_restart(
    botapi: FakeBotAPI, services: Services, clock: Clock
) -> None:
    friend, owner = Chat(botapi, FRIEND), Chat(botapi, OWNER)
    with polling(build_application(services)) as running:
        say(friend, "/start")
        assert "200 is denied" in say(owner, f"/deny {FRIEND}")
        clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)  # the friend's digest time
        assert sweep(running, services).composed == 0
        assert "not on its list" in say(friend, "/digest")
    # A restart: ALLOWED_USER_IDS still names the friend, and the denial still holds.
    with polling(build_application(services)) as running:
        assert "not on its list" in say(friend, "/start")
        assert sweep(running, services).composed == 0
        assert "allowed again" in say(owner, f"/allow {FRIEND}")
        assert sweep(running, services).composed == 1  # subscribed as they left it
    assert held(services, FRIEND)["digests"] == 1


def test_users_lists_who_may_use_the_bot_since_when_and_their_state(
    botapi: FakeBotAPI, running: Running, services: Services, clock: Clock, friend: Chat
) -> None:
    with services.store.transaction() as session:  # as /allow and /deny leave them
        for user in (401, 402, 403, 404):
            access.allow(session, user, name=f"Friend{user}", by=OWNER, now=clock.now)
        access.deny(session, 404, now=clock.now)
    blocker, pauser = Chat(botapi, 401), Chat(botapi, 402)
    say(blocker, "/start")
    say(pauser, "/start")
    say(pauser, "/pause 2w")
    blocker.blocks_bot()
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    assert sweep(running, services).blocked == 1  # Telegram said 403: recorded as blocked
    lines = say(Chat(botapi, OWNER), "/users").splitlines()
    assert lines == [
        "Users (6):",
        f"• {OWNER} — has not sent /start yet; admin (ADMIN_USER_IDS)",
        f"• {FRIEND} — active; allowed 2026-11-23 (ALLOWED_USER_IDS)",
        "• 401 (Friend401) — blocked the bot; allowed 2026-11-23 by 100",
        "• 402 (Friend402) — paused until Mon 07 Dec 06:00; allowed 2026-11-23 by 100",
        "• 403 (Friend403) — has not sent /start yet; allowed 2026-11-23 by 100",
        "• 404 (Friend404) — denied 2026-11-23; allowed 2026-11-23 by 100",
    ]


def test_a_user_who_joined_on_no_list_stays_one_the_owner_sees_and_may_stop(
    botapi: FakeBotAPI, services: Services, clock: Clock
) -> None:
    former_admin = 500  # joined as an admin, since taken out of ADMIN_USER_IDS
    with services.store.transaction() as session:
        chats.subscribe(session, former_admin, {}, clock.now)
    with polling(build_application(services)):
        assert "You are unsubscribed" in say(Chat(botapi, former_admin), "/stop")
        lines = say(Chat(botapi, OWNER), "/users").splitlines()
    assert f"• {former_admin} — unsubscribed; allowed 2026-11-23, since joining" in lines


def test_forgetme_asks_first_cancel_keeps_everything_and_confirm_deletes_it(
    botapi: FakeBotAPI, running: Running, services: Services, clock: Clock
) -> None:
    keeper, leaver = Chat(botapi, FRIEND), Chat(botapi, NEWCOMER)
    with services.store.transaction() as session:  # a reader's traces, as using the bot leaves them
        access.allow(session, NEWCOMER, name=None, by=OWNER, now=clock.now)
        for chat_id in (FRIEND, NEWCOMER):
            chats.subscribe(session, chat_id, {}, clock.now)
            set_answer(session, chat_id=chat_id, item_id=1, answer=Answer.READ, now=clock.now)
            session.add_all(
                [
                    MutedWord(chat_id=chat_id, word="crypto"),
                    Search(chat_id=chat_id, text="attention"),
                    Digest(chat_id=chat_id, kind=DigestKind.DAILY, local_date=clock.now.date()),
                ]
            )
    kept = held(services, FRIEND)
    assert all(kept.values()) and held(services, NEWCOMER) == kept

    for chat in (keeper, leaver):
        assert "cannot be undone" in say(chat, "/forgetme")
    keeper.tap("Cancel")
    leaver.tap("🗑 Delete everything")
    assert keeper.reply().visible_text == "Nothing was deleted."
    done = leaver.reply().visible_text or ""
    assert "everything I kept about you is deleted (1 answers, 1 digests)" in done
    assert held(services, FRIEND) == kept
    assert not any(held(services, NEWCOMER).values())
    # Anyone may ask, allowed or not; a stranger has nothing kept.
    assert "I keep nothing about you" in say(Chat(botapi, STRANGER), "/forgetme")


def test_a_forgetme_question_left_too_long_deletes_nothing_when_answered(
    botapi: FakeBotAPI, running: Running, services: Services, clock: Clock
) -> None:
    leaver = Chat(botapi, FRIEND)
    with services.store.transaction() as session:
        chats.subscribe(session, FRIEND, {}, clock.now)
        set_answer(session, chat_id=FRIEND, item_id=1, answer=Answer.READ, now=clock.now)
    kept = held(services, FRIEND)
    assert "cannot be undone" in say(leaver, "/forgetme")
    clock.now += FORGET_CONFIRM_FOR + dt.timedelta(minutes=1)

    leaver.tap("🗑 Delete everything")

    assert "asked too long ago" in (leaver.reply().visible_text or "")
    assert held(services, FRIEND) == kept
    # Asked again, the answer counts.
    say(leaver, "/forgetme")
    leaver.tap("🗑 Delete everything")
    assert "everything I kept about you is deleted" in (leaver.reply().visible_text or "")


def test_a_pause_for_a_week_in_the_chats_time_then_digests_come_again(
    botapi: FakeBotAPI, running: Running, services: Services, clock: Clock
) -> None:
    friend = subscribed(
        services, botapi, timezone="Asia/Shanghai"
    )  # Mon 23 Nov 06:00 UTC is 14:00 there
    reply = say(friend, "/pause 7d")
    assert "paused until Mon 30 Nov 14:00 (Asia/Shanghai)" in reply
    assert "The next one comes Tue 01 Dec 08:00" in reply
    clock.now = dt.datetime(2026, 11, 30, 0, 5, tzinfo=dt.UTC)  # Mon 30 08:05 there: held
    assert sweep(running, services).composed == 0
    clock.now = dt.datetime(2026, 12, 1, 0, 5, tzinfo=dt.UTC)
    assert sweep(running, services).sent == 1


def test_weekdays_only_means_no_digest_on_a_local_saturday(
    botapi: FakeBotAPI, running: Running, services: Services, clock: Clock
) -> None:
    friend = subscribed(
        services, botapi, timezone="Etc/GMT-14"
    )  # 08:00 there is 18:00 UTC the day before
    assert "Your daily digest comes: Mon–Fri." in say(friend, "/days mon-fri")
    clock.now = dt.datetime(2026, 11, 27, 18, 0, tzinfo=dt.UTC)  # Friday in UTC, Saturday there
    assert sweep(running, services).composed == 0
    clock.now = dt.datetime(2026, 11, 29, 18, 0, tzinfo=dt.UTC)  # Monday 08:00 there
    assert sweep(running, services).composed == 1
