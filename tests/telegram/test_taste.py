"""Taste through Telegram, on the owner's seed library: three readers (three seeds of the draw)
each answer 20 `/digest` rounds, reading only the items hand-labelled "generative AI" and
answering "less like this" to the rest. Their later digests hold that topic at three times its
share of the library or more, and still show an item picked by exploring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.library.items import ItemKind
from bot.store import digests
from bot.telegram.application import build_application
from bot.telegram.handlers.common import Services
from tests.support.bot import OWNER, Clock, quick_pace
from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat, polling
from tests.support.seeds import seed_library
from tests.support.taste_labels import is_generative

READERS = (301, 302, 303)  # one seed of the draw each: the seed is the chat id and the day
ROUNDS = 20
LATER = range(11, ROUNDS + 1)


@pytest.fixture
def seeded(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, clock: Clock, botapi: FakeBotAPI
) -> Iterator[Services]:
    with seed_library("sqlite", tmp_path_factory) as (store, _report):
        settings = Settings(
            telegram_bot_token=botapi.token,
            telegram_api_base_url=botapi.base_url,
            telegram_api_file_url=botapi.base_file_url,
            database_url=store.engine.url.render_as_string(hide_password=False),
            lamplight_data_dir=tmp_path,
            allowed_user_ids=READERS,
            admin_user_ids=(OWNER,),
        )
        yield Services(settings=settings, store=store, clock=clock)


def latest_items(services: Services, chat_id: int) -> list[tuple[bool, bool]]:
    """(is it reading, is it generative) per position of the chat's latest digest."""
    with services.store.transaction() as session:
        digest = digests.digest_for_answer(session, chat_id=chat_id)
        assert digest is not None
        ids = [entry.item_id for entry in digest.items]
        items = {item.id: item for item in digests.library(session, ids)}
    return [(items[i].kind is not ItemKind.QUOTE, is_generative(items[i].title)) for i in ids]


def new_reply(chat: Chat, after: int, what: str) -> str:
    found = chat.wait_for(
        lambda: [m for m in chat.bot_messages() if m.message_id > after], what=what
    )
    return found[0].visible_text or ""


def test_reading_one_topic_for_twenty_rounds_brings_three_times_its_share(
    seeded: Services, botapi: FakeBotAPI, clock: Clock
) -> None:
    chats = [Chat(botapi, reader) for reader in READERS]
    shown: dict[int, list[bool]] = {reader: [] for reader in READERS}
    exploring: dict[int, int] = dict.fromkeys(READERS, 0)
    # Twenty rounds at Telegram's real pace take minutes: the second is shortened for this.
    with polling(build_application(seeded, pace=quick_pace(botapi))):
        for chat in chats:
            chat.send("/start")
            chat.reply()
        for round_ in range(1, ROUNDS + 1):
            clock.now += dt.timedelta(days=1)
            sent = {chat.user_id: chat.send("/digest") for chat in chats}
            for chat in chats:
                digest = new_reply(chat, sent[chat.user_id], f"digest {round_}")
                positions = latest_items(seeded, chat.user_id)
                if round_ in LATER:
                    shown[chat.user_id] += [liked for reading, liked in positions if reading]
                    exploring[chat.user_id] += "exploring" in digest
                marks = [f"{'r' if liked else 'l'}{n}" for n, (_, liked) in enumerate(positions, 1)]
                sent[chat.user_id] = chat.send(" ".join(marks))
            for chat in chats:
                assert new_reply(chat, sent[chat.user_id], "the answer").startswith("Noted")

    with seeded.store.transaction() as session:
        reading = [i for i in digests.library(session) if i.kind is not ItemKind.QUOTE]
    library_share = sum(is_generative(i.title) for i in reading) / len(reading)
    for reader in READERS:
        share = sum(shown[reader]) / len(shown[reader])
        assert share >= 3 * library_share, (reader, share, library_share)
        assert exploring[reader] >= 1, reader  # exploration stays
