"""`lamplight run` as a real process against the fake Bot API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.botapi import FakeBotAPI
from tests.support.chat import Chat

FRIEND = 200


def start_bot(botapi: FakeBotAPI, data: Path, **extra: str) -> subprocess.Popen[str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(data),
        "LAMPLIGHT_DATA_DIR": str(data),
        "ALLOWED_USER_IDS": str(FRIEND),
        "LOG_LEVEL": "DEBUG",
        **botapi.environment(),
        **extra,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "jobs", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def bot_process(botapi: FakeBotAPI, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = start_bot(botapi, tmp_path)
    yield process
    if process.poll() is None:
        process.kill()
        process.wait(10)


def test_run_answers_registers_its_commands_and_stops_cleanly_on_sigterm(
    botapi: FakeBotAPI, bot_process: subprocess.Popen[str]
) -> None:
    chat = Chat(botapi, FRIEND)
    chat.send("/start")
    assert "subscribed" in chat.reply(timeout=30).visible_text
    assert "digest" in [c["command"] for scope in botapi.commands.values() for c in scope]
    bot_process.send_signal(signal.SIGTERM)
    assert bot_process.wait(30) == 0
    output = bot_process.stdout.read() if bot_process.stdout else ""
    assert "polling" in output
    assert botapi.token not in output
    assert botapi.token.split(":")[1] not in output


def test_a_failing_command_list_is_logged_and_the_bot_carries_on(
    botapi: FakeBotAPI, tmp_path: Path
) -> None:
    botapi.fail_next("setMyCommands", 500)
    process = start_bot(botapi, tmp_path)
    try:
        chat = Chat(botapi, FRIEND)
        chat.send("/help")
        assert "/digest" in chat.reply(timeout=30).visible_text
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    output = process.stdout.read() if process.stdout else ""
    assert "could not register the command list" in output


def test_run_without_a_token_says_what_to_do(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LAMPLIGHT_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "jobs", "run"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in done.stderr
    assert "Traceback" not in done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_webhook_mode_takes_updates_with_the_secret_and_refuses_others(
    botapi: FakeBotAPI, tmp_path: Path
) -> None:
    port = free_port()
    process = start_bot(
        botapi,
        tmp_path,
        WEBHOOK_URL="https://bot.example.org/lamplight/hook",
        WEBHOOK_SECRET="s3cret-token",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )
    try:
        botapi.wait_for(lambda: botapi.webhook, 30, what="setWebhook")
        assert botapi.webhook is not None
        assert botapi.webhook["url"] == "https://bot.example.org/lamplight/hook"
        assert botapi.webhook["secret_token"] == "s3cret-token"
        local = f"http://127.0.0.1:{port}/lamplight/hook"
        update = botapi.user_sends(FRIEND, "/help", queue=False)
        botapi.wait_for(
            lambda: _post_quietly(botapi, local, update) == 200, 30, what="the listener"
        )
        botapi.wait_for(lambda: botapi.sent_texts(FRIEND), 30, what="the reply")
        assert "/digest" in botapi.sent_texts(FRIEND)[-1]
        forged = httpx.post(
            local,
            json=botapi.user_sends(FRIEND, "/help", queue=False),
            headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            timeout=10,
        )
        assert forged.status_code == 403
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    output = process.stdout.read() if process.stdout else ""
    assert "s3cret-token" not in output and botapi.token not in output


def _post_quietly(botapi: FakeBotAPI, url: str, update: dict[str, object]) -> int:
    try:
        return botapi.post_update(url, dict(update))
    except httpx.TransportError:
        return 0  # the listener is not up yet


def test_a_second_run_on_one_sqlite_store_refuses_in_one_line_and_the_first_carries_on(
    botapi: FakeBotAPI, bot_process: subprocess.Popen[str], tmp_path: Path
) -> None:
    chat = Chat(botapi, FRIEND)
    chat.send("/help")
    assert "/digest" in chat.reply(timeout=30).visible_text  # the first is up
    second = start_bot(botapi, tmp_path)
    assert second.wait(60) == 1
    output = (second.stdout.read() if second.stdout else "").strip()
    store = tmp_path / "lamplight.sqlite3"
    assert (
        output == f"error: another lamplight run is already using {store} (pid {bot_process.pid})"
    )
    chat.send("/help")
    assert "/digest" in chat.reply(timeout=30).visible_text  # the first, unharmed
    done = subprocess.run(
        [sys.executable, "-m", "jobs", "search", "attention"],
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "LAMPLIGHT_DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr  # other commands work beside it
