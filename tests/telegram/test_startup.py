"""`lamplight run` starting while Telegram cannot be reached, with a token Telegram refuses, or
with a store it cannot use: it waits, or it says why in one line; never a traceback."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store.db import open_store
from bot.telegram.startup import TelegramRefused, connect, pauses
from tests.support.botapi import TOKEN, FakeBotAPI
from tests.support.chat import Chat
from tests.support.processes import REPO
from tests.support.serving import QuietHandler, QuietServer, ServedOnAThread
from tests.telegram.test_run import FRIEND, free_port

RETRY = "Telegram is not reachable yet"
WAIT = 30.0  # seconds; only ever a bound


class Run:
    """One `lamplight run` subprocess, its output in a log file read back while it runs."""

    def __init__(self, data: Path, **env: str) -> None:
        self.log = data / "run.log"
        environment = {
            "PATH": os.environ["PATH"],
            "HOME": str(data),
            "LAMPLIGHT_DATA_DIR": str(data),
            "ALLOWED_USER_IDS": str(FRIEND),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        with self.log.open("wb") as sink:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "jobs", "run"],
                env=environment,
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_lines(self, text: str, count: int) -> None:
        """Until the output holds `count` lines with `text`; fail early if the bot exits."""
        deadline = time.monotonic() + WAIT
        while self.output().count(text) < count:
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {count} lines of {text!r}:\n{self.output()[-4000:]}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.popen.send_signal(sig)
        return self.popen.wait(WAIT)


def test_the_waits_between_tries_grow_from_a_second_to_half_a_minute() -> None:
    waits = list(itertools.islice(pauses(), 12))
    assert waits[:3] == [1, 1.5, 2.25]
    assert waits == sorted(waits) and waits[-2:] == [30, 30]


@pytest.fixture
def runs(tmp_path: Path) -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        if run.popen.poll() is None:
            run.popen.kill()  # by its own pid
            run.popen.wait(10)


def unreachable_telegram(port: int) -> dict[str, str]:
    """What FakeBotAPI.environment() gives for a fake on `port` that is not listening yet."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "TELEGRAM_API_FILE_URL": f"http://127.0.0.1:{port}/file/bot",
    }


def test_run_waits_for_telegram_and_answers_once_it_is_reachable(
    tmp_path: Path, runs: list[Run]
) -> None:
    port = free_port()
    run = Run(tmp_path, LOG_LEVEL="DEBUG", **unreachable_telegram(port))
    runs.append(run)
    run.wait_for_lines(RETRY, 2)
    with FakeBotAPI(port=port) as botapi:
        chat = Chat(botapi, FRIEND)
        chat.send("/start")
        assert "subscribed" in chat.reply(timeout=WAIT).visible_text
        assert run.stop() == 0
    output = run.output()
    retries = [line for line in output.splitlines() if RETRY in line]
    assert len(retries) >= 2
    assert all(" WARNING " in line and "trying again in" in line for line in retries)
    assert "Traceback" not in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_while_waiting_for_telegram_exits_cleanly(
    tmp_path: Path, runs: list[Run], sig: int
) -> None:
    run = Run(tmp_path, **unreachable_telegram(free_port()))
    runs.append(run)
    run.wait_for_lines(RETRY, 1)
    started = time.monotonic()
    assert run.stop(sig) == 0
    assert time.monotonic() - started < 5, "it stops at once, not after its next try"
    assert "Traceback" not in run.output()


def test_a_token_telegram_refuses_is_one_line_and_exit_1(
    botapi: FakeBotAPI, tmp_path: Path, runs: list[Run]
) -> None:
    open_store(f"sqlite:///{tmp_path / 'lamplight.sqlite3'}").dispose()  # run before
    refused = "123456:not-a-token-telegram-knows"
    run = Run(tmp_path, **{**botapi.environment(), "TELEGRAM_BOT_TOKEN": refused})
    runs.append(run)
    assert run.popen.wait(WAIT) == 1
    lines = run.output().splitlines()
    assert len(lines) == 1, lines
    assert re.fullmatch(r"error: Telegram refused TELEGRAM_BOT_TOKEN \(.+\); check .+", lines[0])
    assert "not-a-token" not in lines[0]


def test_a_server_that_answers_getme_as_telegram_never_does_is_one_line_and_exit_1(
    tmp_path: Path, runs: list[Run]
) -> None:
    # As a stand-in that is not quite Telegram answers: a user without is_bot.
    body = json.dumps({"ok": True, "result": {"id": 666, "first_name": "Test"}}).encode()

    class NotTelegram(QuietHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    open_store(f"sqlite:///{tmp_path / 'lamplight.sqlite3'}").dispose()  # run before
    server = QuietServer(("127.0.0.1", 0), NotTelegram)
    with ServedOnAThread(server, threading.Event()):
        base = f"http://127.0.0.1:{server.server_address[1]}/bot"
        run = Run(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base)
        runs.append(run)
        assert run.popen.wait(WAIT) == 1
    [line] = run.output().splitlines()
    assert line.startswith(
        "error: the Bot API at TELEGRAM_API_BASE_URL answered getMe in a shape Telegram never "
        "sends (User"
    )
    assert TOKEN.split(":")[1] not in line


def test_a_getme_refused_for_good_is_not_tried_again(botapi: FakeBotAPI) -> None:
    botapi.fail_next("getMe", 403, description="Forbidden: bot was kicked from everywhere")
    try:
        with pytest.raises(TelegramRefused, match=r"refused getMe \(Forbidden: bot was kicked"):
            connect(botapi.application_builder().build())
    finally:
        asyncio.set_event_loop(None)  # connect() left its closed loop current
    assert len(botapi.calls("getMe")) == 1


@pytest.mark.parametrize("command", [["run"], ["search", "x"], ["feeds", "list"]])
def test_an_unsupported_database_is_one_line_naming_the_supported_ones(
    tmp_path: Path, command: list[str]
) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LAMPLIGHT_DATA_DIR": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DATABASE_URL": "mysql://lamp:hunter2@db.example.org/lamplight",
    }
    done = subprocess.run(
        [sys.executable, "-m", "jobs", *command],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 1
    [line] = done.stdout.splitlines()
    assert line.startswith("error: bad setting: DATABASE_URL: mysql is not supported")
    assert "SQLite" in line and "PostgreSQL" in line
    assert "hunter2" not in line
