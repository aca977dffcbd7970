"""The bot end to end: the real python-telegram-bot stack against the strict fake Bot API,
with a clock the tests move by hand (no sleeping until a digest time)."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.digests.deliver import SendReport
from bot.digests.due import send_due_digests
from bot.library.importer import import_paths
from bot.library.items import Answer, ItemKind
from bot.store.db import Store, open_store
from bot.store.models import Chat as ChatRow
from bot.store.models import (
    DeliveryState,
    Digest,
    DigestItem,
    DigestKind,
    DigestMessage,
    Item,
    ItemState,
)
from bot.telegram.application import build_application
from bot.telegram.background import Running
from bot.telegram.handlers.common import Services, bot_sender
from tests.support.bot import FRIEND, OWNER, STRANGER, Clock
from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat, polling


def sweep(running: Running, services: Services, timeout: float = 10) -> SendReport:
    """One sweep at the test's instant; its claims see that instant plus the real time the
    sweep has taken (a 429 hold is waited out in real seconds)."""
    send = bot_sender(running.application)
    start, began = services.clock(), time.monotonic()

    def ticking() -> dt.datetime:
        return start + dt.timedelta(seconds=time.monotonic() - began)

    coroutine = send_due_digests(start, store=services.store, send=send, clock=ticking)
    return running.run(coroutine, timeout)


def read_buttons(chat: Chat) -> int:
    """How many digest messages with item 1's button the chat has received."""
    return len([m for m in chat.bot_messages() if "✅ Read 1" in dict(m.buttons())])


def stored_chat(store: Store, chat_id: int) -> ChatRow | None:
    with store.transaction() as session:
        return session.get(ChatRow, chat_id)


def digests(store: Store, chat_id: int) -> list[Digest]:
    with store.transaction() as session:
        return list(session.scalars(select(Digest).where(Digest.chat_id == chat_id)))


def shows(chat: Chat, label: str) -> bool:
    return any(label in dict(m.buttons()) for m in chat.bot_messages())


def test_a_stranger_is_refused_and_nothing_is_stored(
    botapi: FakeBotAPI, running: Running, services: Services
) -> None:
    stranger = Chat(botapi, STRANGER)
    stranger.send("/start")
    stranger.reply()
    assert "not on its list" in stranger.last_text()
    assert str(STRANGER) in stranger.last_text()
    assert stored_chat(services.store, STRANGER) is None


def test_in_a_group_the_bot_answers_politely_and_does_nothing(
    botapi: FakeBotAPI, running: Running, services: Services
) -> None:
    botapi.user_sends(FRIEND, "/start", chat_id=-500)
    botapi.wait_for(lambda: botapi.sent_texts(-500), 10, what="a reply in the group")
    assert "private chats only" in botapi.sent_texts(-500)[-1]
    assert stored_chat(services.store, FRIEND) is None
    assert stored_chat(services.store, -500) is None


def test_start_subscribes_with_the_default_settings(friend: Chat, services: Services) -> None:
    assert "subscribed" in friend.last_text()
    chat = stored_chat(services.store, FRIEND)
    assert chat is not None and chat.subscribed
    assert (chat.timezone, chat.digest_time, chat.digest_size) == ("UTC", dt.time(8, 0), 5)


def test_the_daily_digest_comes_at_the_subscribers_local_time_exactly_once(
    friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    friend.send("/tz +8")
    friend.reply()
    friend.send("/time 07:30")
    friend.reply()
    clock.now = dt.datetime(2026, 11, 22, 23, 29, tzinfo=dt.UTC)  # 07:29 in UTC+8
    assert sweep(running, services).composed == 0
    clock.now = dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC)
    report = sweep(running, services)
    assert (report.composed, report.sent) == (1, 1)
    assert "✅ Read 1" in friend.buttons()
    assert "Your reading for Mon 23 Nov" in friend.last_text()
    clock.now += dt.timedelta(hours=3)
    assert sweep(running, services) == SendReport()
    [daily] = digests(services.store, FRIEND)
    assert daily.kind is DigestKind.DAILY and daily.local_date == dt.date(2026, 11, 23)


def test_buttons_record_answers_and_show_them(
    friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    sweep(running, services)
    answer = friend.tap("✅ Read 1")
    assert "read" in answer["text"].lower()
    friend.wait_for(lambda: "● ✅ Read 1" in friend.buttons(), what="the keyboard to show it")
    assert friend.tap("● ✅ Read 1")  # pressed again: answered quietly, nothing breaks
    friend.tap("⏭ Later 1")
    friend.wait_for(lambda: "● ⏭ Later 1" in friend.buttons(), what="the change to show")
    with services.store.transaction() as session:
        states = session.scalars(
            select(ItemState.status).where(
                ItemState.chat_id == FRIEND, ItemState.status.is_not(None)
            )
        ).all()
    assert states == [Answer.SKIPPED]


def test_text_replies_answer_the_latest_digest(
    friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    sweep(running, services)
    friend.send("r1 s2")
    assert "read: 1" in friend.reply().visible_text
    friend.wait_for(lambda: shows(friend, "● ✅ Read 1") and shows(friend, "● ⏭ Later 2"))
    friend.send("read 9")
    assert "no item 9" in friend.reply().visible_text


def test_forged_or_stale_buttons_get_a_clear_answer(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    sweep(running, services)
    digest_message = friend.message_with_button("✅ Read 1")
    for data, expected in [
        ("l0:r:1:1", "another version"),
        ("garbage", "could not be read"),
        ("l1:r:zzzz:1", "not yours"),
    ]:
        query = botapi.user_taps(FRIEND, digest_message.message_id, data, forge=True)
        answer = botapi.wait_for(lambda q=query: botapi.answer(q), 10, what="an answer")
        assert any(word in answer["text"] for word in expected.split("|")), answer


def test_on_demand_digest_does_not_count_as_the_daily_one(
    friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    friend.send("/digest")
    friend.reply()
    assert "✅ Read 1" in friend.buttons()
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    assert sweep(running, services).composed == 1
    kinds = sorted(d.kind.value for d in digests(services.store, FRIEND))
    assert kinds == ["daily", "on_demand"]


def test_a_user_who_blocked_the_bot_is_marked_and_start_unblocks(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    friend.blocks_bot()
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    assert sweep(running, services).blocked == 1
    chat = stored_chat(services.store, FRIEND)
    assert chat is not None and chat.blocked
    clock.now += dt.timedelta(days=1)
    assert sweep(running, services).composed == 0  # no digests for a blocked chat
    friend.send("/start")
    friend.reply()
    chat = stored_chat(services.store, FRIEND)
    assert chat is not None and not chat.blocked


def test_a_429_is_waited_out_and_the_digest_still_arrives(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    botapi.fail_next("sendMessage", 429, retry_after=1, chat_id=FRIEND)
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    report = sweep(running, services)
    # Back to pending for the hold, then sent within the same sweep: once.
    assert report.retried == 1 and report.sent >= 1
    assert len(botapi.calls("sendMessage", chat_id=FRIEND, ok=False)) == 1
    assert len([m for m in friend.bot_messages() if "Your reading" in m.visible_text]) == 1


def test_server_errors_retry_at_later_sweeps_until_the_day_ends(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    botapi.fail_next("sendMessage", 500, chat_id=FRIEND)
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    first = sweep(running, services)
    assert (first.retried, first.sent) == (1, 0)  # no retry within the same sweep
    clock.now += dt.timedelta(seconds=30)
    assert sweep(running, services) == SendReport()  # backing off
    clock.now += dt.timedelta(seconds=30)
    assert sweep(running, services).sent >= 1
    # A digest that cannot go out before its local day ends is given up, not sent late.
    botapi.fail_next("sendMessage", 500, chat_id=FRIEND, times=100)
    clock.now = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)
    assert sweep(running, services).retried == 1
    clock.now = dt.datetime(2026, 11, 25, 0, 0, tzinfo=dt.UTC)
    report = sweep(running, services)
    assert report.gave_up == 1
    with services.store.transaction() as session:
        failed = session.scalars(
            select(DigestMessage).where(DigestMessage.state == DeliveryState.FAILED)
        ).all()
    assert failed


NOTES = """\
Alan Kay：The best way to predict the future is to invent it.

✅ [LG]《Neural Ordinary Differential Equations》R T Q Chen, Y Rubanova, J Bettencourt, D Duvenaud [University of Toronto] (2018)
https://arxiv.org/abs/1806.07366
"""


def test_an_admin_sends_a_notes_file_and_gets_the_import_summary(
    botapi: FakeBotAPI, running: Running, services: Services
) -> None:
    owner = Chat(botapi, OWNER)
    owner.send_document("reading.txt", NOTES.encode())
    summary = owner.reply().visible_text or ""
    assert summary.startswith("Imported reading.txt: 1 quotes, 1 papers.")
    assert "1 marked read" in summary
    owner.send_document("cover.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "Nothing imported. cover.png: this is a binary file" in (
        owner.reply().visible_text or ""
    )


def test_only_admins_may_import(botapi: FakeBotAPI, friend: Chat, services: Services) -> None:
    friend.send_document("reading.txt", NOTES.encode())
    assert "Only the bot's admins" in (friend.reply().visible_text or "")
    with services.store.transaction() as session:
        assert not session.scalars(select(ItemState).where(ItemState.chat_id == FRIEND)).all()


def test_the_first_admin_inherits_the_local_owners_read_marks_on_start(
    botapi: FakeBotAPI, tmp_path: Path, clock: Clock
) -> None:
    local = Settings(
        database_url=f"sqlite:///{tmp_path / 'own.sqlite3'}", lamplight_data_dir=tmp_path
    )
    store = open_store(local.store_url)
    notes = tmp_path / "reading.txt"
    notes.write_text(NOTES, encoding="utf-8")
    import_paths(store, [notes], settings=local, now=clock())  # no admin yet: the local owner
    settings = Settings(
        database_url=local.database_url,
        lamplight_data_dir=tmp_path,
        telegram_bot_token=botapi.token,
        telegram_api_base_url=botapi.base_url,
        telegram_api_file_url=botapi.base_file_url,
        admin_user_ids=(OWNER,),
    )
    with polling(build_application(Services(settings, store, clock))):
        owner = Chat(botapi, OWNER)
        owner.send("/start")
        owner.reply()
    with store.transaction() as session:
        reads = session.scalars(
            select(ItemState.chat_id).where(ItemState.status == Answer.READ)
        ).all()
    store.dispose()
    assert reads == [OWNER]


def test_hostile_text_in_items_still_makes_a_digest_telegram_accepts(
    friend: Chat, running: Running, services: Services
) -> None:
    nasty = "<script>alert(1)</script> & </a> <b>bold? 😀👩‍💻 " + "長文" * 1500
    with services.store.transaction() as session:
        session.query(Item).delete()
        session.add(
            Item(
                kind=ItemKind.ARTICLE,
                title='</a><i>Tags & "quotes"',
                text=nasty,
                url="javascript:alert(1)",
                canonical_key="title:nasty",
            )
        )
    friend.send("/digest")
    digest = friend.reply()
    assert "<script>" in (digest.visible_text or "")  # shown as text, not markup
    assert [label for label, _ in digest.buttons()] == ["✅ Read 1", "⏭ Later 1", "👎 Less 1"]


def test_settings_buttons_change_the_settings_in_place(friend: Chat, services: Services) -> None:
    friend.send("/settings")
    assert "08:00 (UTC), 5 items — active" in (friend.reply().visible_text or "")
    friend.tap("🕗 +1 h")
    friend.wait_for(lambda: "09:00" in friend.last_text(), what="the new time")
    friend.tap("➖ fewer items")
    friend.tap("⏸ Pause")
    friend.wait_for(lambda: "▶️ Resume" in friend.buttons(), what="a resume button")
    assert "09:00 (UTC), 4 items — paused" in friend.last_text()
    chat = stored_chat(services.store, FRIEND)
    assert chat is not None
    assert (chat.digest_time, chat.digest_size, chat.paused) == (dt.time(9, 0), 4, True)


def test_a_send_whose_answer_is_lost_is_uncertain_and_never_repeated(
    botapi: FakeBotAPI, friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    # Telegram takes the message but answers after PTB's 5 s read timeout.
    botapi.hang_next("sendMessage", 8, chat_id=FRIEND, deliver=True)
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    assert sweep(running, services, timeout=30).uncertain == 1
    botapi.wait_for(lambda: read_buttons(friend) == 1, 10, what="the late digest")
    clock.now += dt.timedelta(hours=1)
    assert sweep(running, services).sent == 0  # counted as delivered: never sent again
    assert read_buttons(friend) == 1
    owner = Chat(botapi, OWNER)
    owner.send("/status")
    assert "Uncertain: 1 messages whose answer was lost" in owner.reply().visible_text


def test_a_reply_to_an_older_digest_answers_that_digest(
    friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    sweep(running, services)
    daily = friend.message_with_button("✅ Read 1")
    friend.send("/digest")
    friend.reply()
    friend.send("read 2", reply_to=daily.message_id)
    friend.reply()
    [daily_digest] = [d for d in digests(services.store, FRIEND) if d.kind is DigestKind.DAILY]
    with services.store.transaction() as session:
        second = session.scalars(
            select(DigestItem.item_id).where(
                DigestItem.digest_id == daily_digest.id, DigestItem.position == 2
            )
        ).one()
        state = session.get(ItemState, (FRIEND, second))
    assert state is not None and state.status is Answer.READ


def test_answers_before_any_digest_and_chatter_get_a_pointer(friend: Chat) -> None:
    friend.send("read 1")
    assert "no digest to answer yet" in (friend.reply().visible_text or "")
    friend.send("hello there")
    assert "/help" in (friend.reply().visible_text or "")


def test_pause_resume_and_stop_take_effect_at_the_next_sweep(
    friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    friend.send("/pause")
    assert "paused" in (friend.reply().visible_text or "")
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    assert sweep(running, services).composed == 0
    friend.send("/resume")
    friend.reply()
    assert sweep(running, services).composed == 1  # today's, since its time has passed
    friend.send("/stop")
    assert "unsubscribed" in (friend.reply().visible_text or "")
    clock.now += dt.timedelta(days=1)
    assert sweep(running, services).composed == 0


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/time 25:00", "try 07:30"),
        ("/time", "Usage: /time 07:30"),
        ("/tz Mars/Olympus", "try Asia/Shanghai or +8"),
        ("/size 0", "from 1 to 20"),
        ("/size lots", "from 1 to 20"),
    ],
)
def test_bad_settings_are_explained_and_change_nothing(
    friend: Chat, services: Services, command: str, answer: str
) -> None:
    friend.send(command)
    assert answer in (friend.reply().visible_text or "")
    chat = stored_chat(services.store, FRIEND)
    assert chat is not None
    assert (chat.digest_time, chat.timezone, chat.digest_size) == (dt.time(8, 0), "UTC", 5)


def test_muted_words_keep_items_out_of_digests(
    friend: Chat, running: Running, services: Services, clock: Clock
) -> None:
    with services.store.transaction() as session:
        titles = list(session.scalars(select(Item.title)))
    word = "transformer"
    assert any(word in t.casefold() for t in titles)  # the sample notes mention it
    friend.send(f"/mute {word.upper()}")
    assert f"Muted “{word}”" in (friend.reply().visible_text or "")
    friend.send("/mutes")
    assert word in (friend.reply().visible_text or "")
    friend.send("/size 20")
    friend.reply()
    for day in range(5):
        clock.now = dt.datetime(2026, 11, 23 + day, 8, 0, tzinfo=dt.UTC)
        sweep(running, services)
    shown = " ".join((m.visible_text or "") for m in friend.bot_messages() if m.buttons())
    assert shown and word not in shown.casefold()
    friend.send(f"/unmute {word}")
    assert "is back" in (friend.reply().visible_text or "")


def test_search_pages_through_results_and_answers_them(
    friend: Chat, running: Running, services: Services
) -> None:
    with services.store.transaction() as session:
        for n in range(7):
            session.add(
                Item(
                    kind=ItemKind.ARTICLE,
                    title=f"Hummingbird note {n}",
                    text="蜂鸟 flight",
                    canonical_key=f"title:hummingbird {n}",
                    title_tokens=f"hummingbird note {n}",
                    body_tokens="蜂鸟 flight",
                )
            )
    friend.send("/search hummingbirds")
    page = friend.reply()
    assert "7 found, page 1 of 2" in (page.visible_text or "")
    assert "Next ▶" in dict(page.buttons()) and "◀ Prev" not in dict(page.buttons())
    friend.tap("Next ▶")
    friend.wait_for(lambda: "page 2 of 2" in friend.last_text(), what="page 2")
    friend.tap("✅ Read 1")
    friend.wait_for(lambda: "● ✅ Read 1" in friend.buttons(), what="the answer shown")
    assert "◀ Prev" in friend.buttons()  # navigation survives the redraw
    with services.store.transaction() as session:
        reads = session.scalars(
            select(ItemState).where(ItemState.chat_id == FRIEND, ItemState.status == Answer.READ)
        ).all()
    assert len(reads) == 1
    friend.send("/search zzqqxx")
    assert "Nothing found" in (friend.reply().visible_text or "")
    friend.send('/search " OR * NEAR( 😀')
    assert friend.reply().visible_text  # hostile text: a normal answer


def test_an_allowed_user_who_never_started_can_search_and_answer_a_result(
    botapi: FakeBotAPI, running: Running, services: Services
) -> None:
    # /search before /start: the search is kept for its buttons, which needs the chat's row.
    newcomer = Chat(botapi, FRIEND)
    newcomer.send("/search diffusion")
    found = newcomer.reply()
    assert "found" in (found.visible_text or ""), found.visible_text
    newcomer.tap("✅ Read 1")
    newcomer.wait_for(lambda: "● ✅ Read 1" in newcomer.buttons(), what="the answer shown")
    with services.store.transaction() as session:
        row = session.get(ChatRow, FRIEND)
        assert row is not None and not row.subscribed  # searching is not subscribing
        reads = session.scalars(select(ItemState).where(ItemState.chat_id == FRIEND)).all()
    assert [state.status for state in reads] == [Answer.READ]


def test_every_reading_item_arrives_as_a_text_link_with_a_line_of_context(
    friend: Chat, botapi: FakeBotAPI
) -> None:
    friend.send("/size 10")
    friend.reply()
    friend.send("/digest")
    digest = friend.reply()
    # The HTML Telegram took (its strict parser would have refused a bad one): each reading
    # item's title is an <a href>, which Telegram shows as a text link.
    blocks = (digest.text or "").split("\n\n")[1:]
    reading = [b for b in blocks if "📄" in b.split("\n")[0] or "📰" in b.split("\n")[0]]
    assert len(reading) >= 3
    for block in reading:
        first, *rest = block.split("\n")
        assert re.search(r'<b><a href="https?://[^"]+">[^<]+</a></b>', first), first
        context = [line for line in rest if not line.startswith(("<i>", "🎬"))]
        assert any(line.strip() for line in context), block
