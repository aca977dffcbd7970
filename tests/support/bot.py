"""The bot on the sample notes, polling the fake Bot API: the fixtures Telegram tests share."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.library.importer import import_paths
from bot.resources import bundled_path
from bot.store.db import open_store
from bot.telegram.application import build_application
from bot.telegram.background import Running
from bot.telegram.handlers.common import Services
from bot.telegram.ratelimit import OVERALL_PER_SECOND, PER_CHAT_INTERVAL, LamplightRateLimiter
from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat, polling

OWNER, FRIEND, STRANGER = 100, 200, 999
MONDAY_MORNING = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)


class Clock:
    """The time as the bot sees it; tests move it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


QUICK_MARGIN = 0.05  # seconds


def quick_pace(botapi: FakeBotAPI, second: float = 0.1) -> LamplightRateLimiter:
    """Telegram's limits with a shorter second, enforced by the fake and kept by the bot: for
    tests about something other than pacing (tests/telegram/test_ratelimit.py is about it)."""
    botapi.enforce_limits(second=second)
    # The bot's margin under the limit is kept in real time as well: a busy test machine
    # delays one request more than the next by tens of milliseconds, whatever the second.
    return LamplightRateLimiter(
        overall_per_second=OVERALL_PER_SECOND / second,
        per_chat_per_second=1 / (PER_CHAT_INTERVAL * second + QUICK_MARGIN),
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_MORNING)


class SampleStores:
    """SQLite stores holding the sample notes, each imported once per worker (for one instant
    and owner); a test gets a copy of the file rather than migrating and importing again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[tuple[dt.datetime, int, int], Path] = {}

    def copy(self, settings: Settings, now: dt.datetime, database: Path) -> None:
        key = (now, settings.owner_chat_id, settings.import_max_bytes)
        if key not in self.made:
            made = self.folder / f"sample-{len(self.made)}.sqlite3"
            url = f"sqlite:///{made}"
            store = open_store(url)
            own = settings.model_copy(update={"database_url": url})
            import_paths(store, [bundled_path("examples")], settings=own, now=now)
            store.dispose()
            self.made[key] = made
        shutil.copyfile(self.made[key], database)


@pytest.fixture(scope="session")
def sample_stores(tmp_path_factory: pytest.TempPathFactory) -> SampleStores:
    return SampleStores(tmp_path_factory.mktemp("sample-stores"))


@pytest.fixture
def services(
    tmp_path: Path, clock: Clock, botapi: FakeBotAPI, sample_stores: SampleStores
) -> Iterator[Services]:
    """The owner is the admin, a friend is allowed; the sample notes are the library."""
    database = tmp_path / "store.sqlite3"
    settings = Settings(
        telegram_bot_token=botapi.token,
        telegram_api_base_url=botapi.base_url,
        telegram_api_file_url=botapi.base_file_url,
        database_url=f"sqlite:///{database}",
        lamplight_data_dir=tmp_path,
        allowed_user_ids=(FRIEND,),
        admin_user_ids=(OWNER,),
        default_digest_time=dt.time(8, 0),
    )
    sample_stores.copy(settings, clock(), database)
    store = open_store(settings.store_url)
    yield Services(settings=settings, store=store, clock=clock)
    store.dispose()


@pytest.fixture
def running(services: Services, botapi: FakeBotAPI) -> Iterator[Running]:
    """The bot polling; nothing sweeps on its own (tests sweep at the instants they choose)."""
    with polling(build_application(services, pace=quick_pace(botapi))) as bot:
        yield bot


@pytest.fixture
def friend(botapi: FakeBotAPI, running: Running) -> Chat:
    chat = Chat(botapi, FRIEND)
    chat.send("/start")
    chat.reply()
    return chat
