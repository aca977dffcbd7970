"""/status for admins and /stats for readers, through the real PTB stack on the fake Bot API;
the fake takes photos as Telegram does; polls keep the heartbeat fresh."""

from __future__ import annotations

import asyncio
import datetime as dt
import gettext
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from telegram.error import BadRequest, NetworkError
from telegram.ext import ExtBot

from bot.devtools.botapi import parse_html
from bot.digests.fitting import utf16_len
from bot.digests.render import MAX_MESSAGE
from bot.digests.stats import HEIGHT, WIDTH
from bot.health import BeatSource, Heartbeat
from bot.library.items import Answer, ItemKind
from bot.store import reports
from bot.store.models import DeliveryState, Item, ItemState
from bot.telegram.handlers.common import Services
from bot.telegram.handlers.operator import status_html
from bot.telegram.heartbeat import HeartbeatRequest
from tests.support.bot import FRIEND, OWNER, Clock
from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat
from tests.telegram import test_bot

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"{@\xe8\xdd\x00\x00\x00\x0fIDATx\x9cc\xfc\xff\xff?\x03\x03\x03\x00\x0e\xff\x02\xff\xb8"
    b"\xc5\x9e\x99\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def owner(botapi: FakeBotAPI, running: object) -> Chat:
    chat = Chat(botapi, OWNER)
    chat.send("/start")
    chat.reply()
    return chat


def answer_items(
    services: Services, chat_id: int, answers: list[tuple[dt.datetime, Answer]]
) -> None:
    with services.store.transaction() as session:
        ids = session.scalars(select(Item.id).order_by(Item.id)).all()
        for item_id, (at, answer) in zip(ids, answers, strict=False):
            session.add(ItemState(chat_id=chat_id, item_id=item_id, status=answer, answered_at=at))


# --- /status ------------------------------------------------------------------------------


def test_an_admin_sees_the_bots_status(owner: Chat, friend: Chat, services: Services) -> None:
    with services.store.transaction() as session:
        papers = session.scalar(select(func.count()).where(Item.kind == ItemKind.PAPER))
    friend.send("/pause")
    friend.reply()
    owner.send("/status")
    shown = owner.reply().visible_text or ""
    assert shown.startswith("lamplight status")
    assert "Subscribers: 1 active, 1 paused, 0 blocked, 0 left, 0 denied" in shown
    assert f"{papers} papers" in shown
    assert "Feeds: " in shown
    assert "Last digest sent: never" in shown
    assert "<b>lamplight status</b>" in owner.last_html()


def test_status_shows_the_last_digest_run(
    owner: Chat, friend: Chat, running: test_bot.Running, services: Services, clock: Clock
) -> None:
    clock.now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    test_bot.sweep(running, services)
    clock.now += dt.timedelta(minutes=90)
    owner.send("/status")
    shown = owner.reply().visible_text or ""
    assert "Last digest sent: 2026-11-23 08:00 UTC, 1 h ago" in shown
    assert "Last 24 h: 2 digests sent, 0 given up; 0 messages waiting" in shown


def test_others_may_not_see_the_status(friend: Chat) -> None:
    friend.send("/status")
    assert "only the bot's admins" in (friend.reply().visible_text or "")


# --- /stats -------------------------------------------------------------------------------


def test_stats_sends_a_picture_of_the_readers_weeks_with_a_caption(
    friend: Chat, services: Services, clock: Clock
) -> None:
    now = clock()
    answer_items(
        services,
        FRIEND,
        [
            (now - dt.timedelta(hours=1), Answer.READ),
            (now - dt.timedelta(days=1), Answer.READ),
            (now - dt.timedelta(days=1), Answer.SKIPPED),
            (now - dt.timedelta(days=20), Answer.READ),
            (now - dt.timedelta(days=200), Answer.READ),  # older than the picture's weeks
        ],
    )
    friend.send("/stats")
    photo = friend.reply()
    assert photo.photo is not None and photo.photo_bytes is not None
    assert photo.photo_bytes.startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.photo_size == (WIDTH, HEIGHT)
    assert photo.caption == "Last 8 weeks: 3 read, 1 skipped · streak: 2 days"


def test_stats_without_any_reading_still_answers_with_a_picture(friend: Chat) -> None:
    friend.send("/stats 4")
    photo = friend.reply()
    assert photo.photo_size == (WIDTH, HEIGHT)
    assert photo.caption == "Nothing read yet in the last 4 weeks."


def test_stats_with_a_bad_number_of_weeks_says_how(friend: Chat) -> None:
    friend.send("/stats 99")
    assert (friend.reply().visible_text or "").startswith("Usage: /stats")


# --- the fake Bot API takes photos as Telegram does ---------------------------------------


def refusal(botapi: FakeBotAPI, photo: bytes, caption: str | None = None) -> str:
    botapi.add_chat(FRIEND)

    async def send() -> None:
        async with botapi.bot() as bot:
            await bot.send_photo(FRIEND, io.BytesIO(photo), caption=caption, parse_mode="HTML")

    with pytest.raises(BadRequest) as caught:
        asyncio.run(send())
    return caught.value.message.lower()  # PTB capitalises Telegram's description


def test_the_fake_refuses_a_photo_that_is_no_image(botapi: FakeBotAPI) -> None:
    assert "image_process_failed" in refusal(botapi, b"plain text, not a picture")
    assert "image_process_failed" in refusal(botapi, b"\x89PNG fake")


def test_the_fake_refuses_a_bad_caption(botapi: FakeBotAPI) -> None:
    assert "caption is too long" in refusal(botapi, PNG, "x" * 1025)
    assert "can't parse entities" in refusal(botapi, PNG, "<b>unclosed")
    assert "can't parse entities" in refusal(botapi, PNG, "1 < 2")


def test_the_fake_refuses_a_photo_out_of_proportion(botapi: FakeBotAPI) -> None:
    wide = PNG[:16] + (4200).to_bytes(4, "big") + (200).to_bytes(4, "big") + PNG[24:]
    assert "photo_invalid_dimensions" in refusal(botapi, wide)


# --- the heartbeat ------------------------------------------------------------------------


def test_each_answered_poll_beats_and_a_failed_one_does_not(
    botapi: FakeBotAPI, tmp_path: Path
) -> None:
    heartbeat = Heartbeat(tmp_path)

    async def poll() -> None:
        bot = ExtBot(
            botapi.token,
            base_url=botapi.base_url,
            get_updates_request=HeartbeatRequest(heartbeat),
        )
        async with bot:
            await bot.get_updates(timeout=0)
            first = heartbeat.read()
            assert first is not None and first.source is BeatSource.POLL
            heartbeat.path.unlink()
            botapi.fail_next("getUpdates", 502)
            with pytest.raises(NetworkError):
                await bot.get_updates(timeout=0)
            assert heartbeat.read() is None

    asyncio.run(poll())


def test_the_status_fits_one_message_however_long_the_stored_errors() -> None:
    now = dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)
    worst = "<&>" * 2000
    report = reports.Status(
        reports.Subscribers(1, 0, 0, 0),
        dict.fromkeys(ItemKind, 10**9),
        reports.Feeds(1, 5, tuple(reports.FailingFeed(worst, 99, worst, True) for _ in range(5))),
        reports.Deliveries(
            now,
            1,
            1,
            1,
            10**9,
            tuple(
                reports.DeliveryTrouble(-(10**15), DeliveryState.FAILED, 9, worst) for _ in range(5)
            ),
        ),
    )
    html = status_html(report, now, gettext.NullTranslations())
    assert utf16_len(html) <= MAX_MESSAGE
    assert "<&>" in parse_html(html)  # escaped, so Telegram shows the characters
