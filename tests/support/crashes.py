"""Crash tests' stage: the store, the users and the `lamplight run` processes of one test.

Each bot process freezes at the point named by LAMPLIGHT_PAUSE_AT (bot/digests/crashpoints.py) after writing
a marker file; the test kills it there. What recovery did is judged only by what the users see
in their chats and by the store, never by the fake Bot API's call log: Telegram keeps none.

The chats' zone is chosen so that their local time is near noon while the test runs (the local
date cannot roll over mid-test), and a digest time of 00:00 is long past, so the sweep each
start runs finds the daily digest due at once. A digest time three hours ahead is not due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.digests.schedule import local_date, parse_timezone, zone
from bot.library.importer import import_paths
from bot.library.items import Answer
from bot.resources import bundled_path
from bot.store.chats import subscribe
from bot.store.db import Store, open_store
from bot.store.models import Chat as ChatRow
from bot.store.models import (
    DeliveryState,
    Digest,
    DigestItem,
    DigestKind,
    DigestMessage,
    ItemState,
)
from tests.support.botapi import ChatMessage, FakeBotAPI, wait_for
from tests.support.chat import Chat
from tests.support.processes import BotProcesses

FRIEND, WITNESS = 200, 201
FIRST_READ = "✅ Read 1"  # item 1's button: on the first part of each digest the user sees
PASSED = dt.time(0, 0)
T = TypeVar("T")
WAIT = 30.0  # seconds; generous for two busy cores, and only ever a bound

SENDING, SENT, PENDING = DeliveryState.SENDING, DeliveryState.SENT, DeliveryState.PENDING
UNCERTAIN = DeliveryState.UNCERTAIN


def noon_zone(now: dt.datetime) -> str:
    """A whole-hour zone where it is between 12:00 and 13:00 at `now`."""
    offset = 12 - now.hour  # -11 … +12, all valid offsets
    return parse_timezone(f"{offset:+d}")


def store_url(data: Path) -> str:
    return f"sqlite:///{data / 'lamplight.sqlite3'}"


class Setup:
    """The store, the users and the bot processes of one test."""

    def __init__(self, botapi: FakeBotAPI, data: Path, store: Store, settings: Settings) -> None:
        self.botapi = botapi
        self.data = data
        self.store = store
        self.settings = settings
        self.zone = noon_zone(dt.datetime.now(dt.UTC))
        self.processes = BotProcesses(
            botapi,
            data,
            {"DATABASE_URL": store_url(data), "ALLOWED_USER_IDS": f"{FRIEND},{WITNESS}"},
        )
        self.marker = data / "paused"

    # --- arranging ---

    def subscribe(self, chat_id: int, at: dt.time, size: int = 5) -> Chat:
        """A user who started the bot long ago, with a daily digest at `at` in their zone."""
        now = dt.datetime.now(dt.UTC)
        with self.store.transaction() as session:
            defaults = {"timezone": self.zone, "digest_time": at, "digest_size": size}
            subscribe(session, chat_id, defaults, now)
        self.botapi.add_chat(chat_id)
        return Chat(self.botapi, chat_id)

    def set_digest_time(self, chat_id: int, at: dt.time) -> None:
        with self.store.transaction() as session:
            row = session.get(ChatRow, chat_id)
            assert row is not None
            row.digest_time = at

    def later_today(self) -> dt.time:
        """A digest time not yet due: three hours from now, local (so about 15:00)."""
        local = dt.datetime.now(dt.UTC).astimezone(zone(self.zone)) + dt.timedelta(hours=3)
        return local.time().replace(second=0, microsecond=0)

    def import_notes(self, name: str, text: str) -> None:
        path = self.data / name
        path.write_text(text, encoding="utf-8")
        import_paths(self.store, [path], settings=self.settings, now=dt.datetime.now(dt.UTC))

    def start_paused(self, point: str, **env: str) -> None:
        """Start the bot, wait until it freezes at `point`, and SIGKILL it there."""
        crashed = self.processes.start(
            LAMPLIGHT_PAUSE_AT=point, LAMPLIGHT_PAUSE_MARKER=str(self.marker), **env
        )
        crashed.wait_for_file(self.marker, WAIT)
        crashed.sigkill()

    def wait(self, predicate: Callable[[], T], what: str, timeout: float = WAIT) -> T:
        """Poll until `predicate` holds (bounded); on failure show the bot's log."""
        try:
            return wait_for(predicate, timeout, interval=0.05, what=what)
        except AssertionError as error:
            raise AssertionError(
                f"{error}\n--- bot log (tail) ---\n{self.processes.output()[-6000:]}"
            ) from None

    def help_answered(self, chat: Chat) -> None:
        """Send /help and wait for the answer: the bot is up and polling."""
        since = last_message_id(chat)
        chat.send("/help")
        self.wait(
            lambda: any(
                m.message_id > since and "/digest" in (m.visible_text or "")
                for m in chat.bot_messages()
            ),
            f"an answer to /help in chat {chat.user_id}",
        )

    # --- what the store holds ---

    def daily_digests(self, chat_id: int) -> list[tuple[int, list[DeliveryState]]]:
        """Today's daily digests of a chat: (id, its messages' states in part order)."""
        with self.store.transaction() as session:
            found = session.scalars(
                select(Digest).where(
                    Digest.chat_id == chat_id,
                    Digest.kind == DigestKind.DAILY,
                    Digest.local_date == local_date(dt.datetime.now(dt.UTC), self.zone),
                )
            ).all()
            return [
                (d.id, [m.state for m in sorted(d.messages, key=lambda m: m.part)]) for d in found
            ]

    def first_item_answer(self, chat_id: int) -> Answer | None:
        """The user's answer to item 1 of their daily digest."""
        [(digest_id, _)] = self.daily_digests(chat_id)
        with self.store.transaction() as session:
            return session.scalar(
                select(ItemState.status)
                .join(DigestItem, DigestItem.item_id == ItemState.item_id)
                .where(
                    DigestItem.digest_id == digest_id,
                    DigestItem.position == 1,
                    ItemState.chat_id == chat_id,
                )
            )

    def pending(self) -> int:
        """Messages still to be sent (a `sending` one counts as delivered)."""
        with self.store.transaction() as session:
            query = select(func.count()).where(DigestMessage.state == PENDING)
            return int(session.scalar(query.select_from(DigestMessage)) or 0)


# --- what a user sees ---


def digests_seen(chat: Chat) -> list[ChatMessage]:
    """The bot's messages that open a digest (they carry item 1's buttons)."""
    return [m for m in chat.bot_messages() if any(b.endswith(FIRST_READ) for b, _ in m.buttons())]


def digest_parts_seen(chat: Chat) -> list[ChatMessage]:
    """The bot's messages that carry any item's ✅/⏭ buttons."""
    return [m for m in chat.bot_messages() if any("✅ Read" in b for b, _ in m.buttons())]


def last_message_id(chat: Chat) -> int:
    shown = chat.messages()
    return shown[-1].message_id if shown else 0


@contextmanager
def stage(botapi: FakeBotAPI, tmp_path: Path, *, examples: bool = True) -> Iterator[Setup]:
    """A store in a fresh data dir (with the sample notes, unless told otherwise); every bot
    process started on it is killed at the end."""
    data = tmp_path / "data"
    data.mkdir()
    settings = Settings(lamplight_data_dir=data, database_url=store_url(data))
    store = open_store(settings.store_url)
    if examples:
        now = dt.datetime.now(dt.UTC)
        import_paths(store, [bundled_path("examples")], settings=settings, now=now)
    ready = Setup(botapi, data, store, settings)
    try:
        yield ready
    finally:
        ready.processes.close()  # SIGKILL by pid whatever is still running
        store.dispose()


@pytest.fixture
def setup(botapi: FakeBotAPI, tmp_path: Path) -> Iterator[Setup]:
    with stage(botapi, tmp_path) as ready:
        yield ready
