"""Button presses are routed by the shape of their data: each kind reaches its one handler, and
whatever no shape matches (another version's, garbled) reaches the handler that says so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from telegram import CallbackQuery, Update, User
from telegram.ext import Application, ApplicationBuilder

from bot.config import Settings
from bot.digests.callbacks import (
    MAX_ID,
    SETTING_CHANGES,
    ForgetChoice,
    ItemAnswer,
    ItemRestore,
    PageTurn,
    SettingChange,
    SourceLevelChange,
    SourcesPage,
    encode,
)
from bot.library.items import Answer, SourceLevel
from bot.telegram.access import AccessGate
from bot.telegram.application import register_handlers
from bot.telegram.handlers.common import Services


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Application[Any, Any, Any, Any, Any, Any]:
    """Handlers registered as the bot registers them; nothing here talks to Telegram."""
    path: Path = tmp_path_factory.mktemp("routes")
    settings = Settings(telegram_bot_token="1:token", lamplight_data_dir=path)
    services = Services(settings=settings, store=None, clock=lambda: dt.datetime.now(dt.UTC))  # type: ignore[arg-type]
    built = ApplicationBuilder().token("1:token").build()
    register_handlers(built, services, AccessGate(settings, services.store))
    return built


def routed(app: Application[Any, Any, Any, Any, Any, Any], data: str) -> str:
    """The handler that takes a press with `data`, as Class.method: PTB's first match."""
    query = CallbackQuery("1", User(1, "reader", is_bot=False), "instance", data=data)
    update = Update(1, callback_query=query)
    for handler in app.handlers[0]:
        if handler.check_update(update) not in (None, False):
            return str(handler.callback.__qualname__)
    raise AssertionError(f"no handler takes {data!r}")


@pytest.mark.parametrize(
    ("action", "handler"),
    [
        *((SettingChange(change), "SettingsHandlers.change") for change in SETTING_CHANGES),
        (PageTurn(query_id=7, page=2), "SearchHandlers.turn_page"),
        (ForgetChoice(chat_id=200, confirm=True), "FriendsHandlers.forget_press"),
        (ForgetChoice(chat_id=MAX_ID, confirm=False), "FriendsHandlers.forget_press"),
        (PageTurn(query_id=MAX_ID, page=0), "SearchHandlers.turn_page"),
        *((ItemAnswer(0, 5, answer), "SearchHandlers.answer") for answer in Answer),
        (ItemAnswer(0, MAX_ID, Answer.SKIPPED), "SearchHandlers.answer"),
        *((ItemRestore(item), "CurationHandlers.restore") for item in (0, 1, 36, MAX_ID)),
        *(
            (ItemAnswer(digest, 1000, answer), "DigestHandlers.answer")
            for digest in (1, 35, 36, MAX_ID)
            for answer in Answer
        ),
        *(
            (SourceLevelChange(source, level), "SourcesHandlers.set_level")
            for source in (1, 35, MAX_ID)
            for level in SourceLevel
        ),
        (SourcesPage(0), "SourcesHandlers.turn_page"),
        (SourcesPage(MAX_ID), "SourcesHandlers.turn_page"),
    ],
    ids=str,
)
def test_each_kind_of_button_reaches_its_handler(
    app: Application[Any, Any, Any, Any, Any, Any], action: object, handler: str
) -> None:
    assert routed(app, encode(action)) == handler  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data", ["l0:r:1:1", "l2:c:pause", "garbage", "l1", "l1:x:1:1", "l1:r::1", "l1:v:", "l1:v::1"]
)
def test_stale_or_garbled_buttons_reach_the_handler_that_says_so(
    app: Application[Any, Any, Any, Any, Any, Any], data: str
) -> None:
    assert routed(app, data) == "UnreadableButtons.answer"
