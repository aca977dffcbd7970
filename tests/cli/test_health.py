"""`lamplight health` (the container's HEALTHCHECK) and `lamplight stats`: exit codes, one line.

The contract: `lamplight run` writes a heartbeat in LAMPLIGHT_DATA_DIR after each poll (in
webhook mode: each update, and each minute); `lamplight health` exits 0 while it is fresh and the
store answers, 1 otherwise, saying why in one line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.digests.stats import HEIGHT, WIDTH
from bot.health import HEARTBEAT_FILE, BeatSource, Heartbeat
from bot.library.items import Answer, ItemKind
from bot.store.db import open_store
from bot.store.models import Chat, Item, ItemState
from tests.cli.test_cli import lamplight
from tests.support.botapi import FakeBotAPI, wait_for
from tests.support.botapi import botapi as botapi  # the fixture, for the `lamplight run` tests
from tests.support.processes import BotProcess
from tests.telegram.test_run import free_port

REPO = Path(__file__).resolve().parents[2]


def beat(data: Path, age: dt.timedelta, source: BeatSource = BeatSource.POLL) -> None:
    Heartbeat(data, clock=lambda: dt.datetime.now(dt.UTC) - age).beat(source)


def store_at(database_url: str) -> None:
    open_store(database_url).dispose()


# --- lamplight health, in-process --------------------------------------------------------


@pytest.mark.usefixtures("store_env")
class TestHealth:
    def test_a_fresh_heartbeat_and_a_store_that_answers_are_healthy(
        self, capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
    ) -> None:
        store_at(database_url)
        beat(tmp_path / "data", dt.timedelta(seconds=12))
        code, out, _ = lamplight(capsys, "health")
        assert code == 0
        assert out == "ok: polled 12 s ago, store reachable\n"

    def test_without_a_heartbeat_it_is_unhealthy(
        self, capsys: pytest.CaptureFixture[str], database_url: str
    ) -> None:
        store_at(database_url)
        code, out, err = lamplight(capsys, "health")
        assert (code, out) == (1, "")
        assert err == "error: no heartbeat yet: is `lamplight run` running with this data dir?\n"

    def test_a_stale_heartbeat_is_unhealthy(
        self, capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
    ) -> None:
        store_at(database_url)
        beat(tmp_path / "data", dt.timedelta(minutes=4))
        code, _, err = lamplight(capsys, "health")
        assert code == 1
        assert err == "error: stale: the bot last polled 240 s ago (limit 180 s)\n"
        assert lamplight(capsys, "health", "--max-age", "300")[0] == 0

    def test_an_unreadable_heartbeat_counts_as_none(
        self, capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
    ) -> None:
        store_at(database_url)
        (tmp_path / "data").mkdir(parents=True, exist_ok=True)
        (tmp_path / "data" / HEARTBEAT_FILE).write_text("{half a fi", encoding="utf-8")
        code, _, err = lamplight(capsys, "health")
        assert code == 1 and "no heartbeat yet" in err


def test_a_store_that_does_not_answer_is_unhealthy(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAMPLIGHT_DATA_DIR", str(tmp_path))
    beat(tmp_path, dt.timedelta(seconds=1))
    # Nothing listens on port 1; the password must not show in the answer.
    monkeypatch.setenv("DATABASE_URL", "postgresql://lamplight:hunter2@127.0.0.1:1/lamplight")
    code, out, err = lamplight(capsys, "health")
    assert (code, out) == (1, "")
    assert err.startswith("error: store unreachable: OperationalError; check DATABASE_URL")
    assert "hunter2" not in err and err.count("\n") == 1
    # A SQLite store whose file is gone: said so, and no empty database is created.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'gone.sqlite3'}")
    code, _, err = lamplight(capsys, "health")
    assert code == 1 and "no database file at" in err
    assert not (tmp_path / "gone.sqlite3").exists()


# --- lamplight stats --------------------------------------------------------------------


@pytest.mark.usefixtures("store_env")
def test_stats_writes_the_picture(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
) -> None:
    now = dt.datetime.now(dt.UTC)
    store = open_store(database_url)
    with store.transaction() as session:
        session.add(Chat(id=42, subscribed=True, timezone="Asia/Shanghai"))
        paper = Item(kind=ItemKind.PAPER, title="A paper", canonical_key="title:a paper")
        quote = Item(kind=ItemKind.QUOTE, title="A quote", canonical_key="title:a quote")
        session.add_all([paper, quote])
        session.flush()
        session.add_all(
            [
                ItemState(chat_id=42, item_id=paper.id, status=Answer.READ, answered_at=now),
                ItemState(
                    chat_id=42,
                    item_id=quote.id,
                    status=Answer.SKIPPED,
                    answered_at=now - dt.timedelta(days=8),
                ),
            ]
        )
    store.dispose()
    out_file = tmp_path / "stats.png"
    code, out, _ = lamplight(
        capsys, "stats", "--chat", "42", "--out", str(out_file), "--weeks", "3"
    )
    assert code == 0
    assert out == f"wrote {out_file}: Last 3 weeks: 1 read, 1 skipped · streak: 1 day\n"
    png = out_file.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    size = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert size == (WIDTH, HEIGHT)


@pytest.mark.usefixtures("store_env")
def test_stats_of_an_unknown_chat_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = lamplight(capsys, "stats", "--chat", "7", "--out", str(tmp_path / "s.png"))
    assert code == 1
    assert err == "error: no chat 7 in the store; a chat's id is its user's Telegram id\n"
    assert not (tmp_path / "s.png").exists()


# --- against a real `lamplight run` ------------------------------------------------------


def health(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(data), "LAMPLIGHT_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "jobs", "health", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_polling_bot_is_healthy_and_a_stopped_one_goes_stale(
    botapi: FakeBotAPI, tmp_path: Path
) -> None:
    data = tmp_path
    # An update waiting makes the first poll return at once (an idle one takes 10 s).
    botapi.user_sends(200, "/help")
    bot = BotProcess(botapi, data, data / "bot.log", {"LOG_FORMAT": "json"})
    try:
        bot.wait_for_file(data / HEARTBEAT_FILE)
        first = Heartbeat(data).read()
        assert first is not None and first.source is BeatSource.POLL
        # Each poll beats again.
        botapi.user_sends(200, "/help")
        wait_for(
            lambda: (b := Heartbeat(data).read()) is not None and b.at > first.at,
            30,
            what="a later poll's beat",
        )
        done = health(data)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("ok: polled ") and done.stdout.endswith(
            " s ago, store reachable\n"
        )
        assert botapi.token.split(":")[1] not in (data / HEARTBEAT_FILE).read_text()
    finally:
        bot.stop()
    # LOG_FORMAT=json: every line the bot logged is one JSON object, and none has the token.
    logged = [json.loads(line) for line in bot.output().splitlines()]
    assert {"time", "level", "logger", "message"} <= set(logged[0])
    assert botapi.token.split(":")[1] not in bot.output()
    wait_for(lambda: health(data, "--max-age", "1").returncode == 1, 30, what="staleness")
    done = health(data, "--max-age", "1")
    assert done.stderr.startswith("error: stale: the bot last polled")
    assert "Traceback" not in done.stderr


def test_a_quiet_webhook_bot_beats_every_minute_and_on_each_update(
    botapi: FakeBotAPI, tmp_path: Path
) -> None:
    data = tmp_path
    port = free_port()
    bot = BotProcess(
        botapi,
        data,
        data / "bot.log",
        {
            "WEBHOOK_URL": "https://bot.example.org/hook",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "ALLOWED_USER_IDS": "200",
        },
    )
    try:
        bot.wait_for_file(data / HEARTBEAT_FILE)  # the minute job runs once at start
        swept = Heartbeat(data).read()
        assert swept is not None and swept.source is BeatSource.SWEEP
        assert health(data).stdout.startswith("ok: swept ")
        update = botapi.user_sends(200, "/help", queue=False)
        wait_for(
            lambda: _post(botapi, f"http://127.0.0.1:{port}/hook", update) == 200,
            30,
            what="the listener",
        )
        wait_for(
            lambda: (b := Heartbeat(data).read()) is not None and b.source is BeatSource.UPDATE,
            30,
            what="the update's beat",
        )
        assert json.loads((data / HEARTBEAT_FILE).read_text())["source"] == "update"
    finally:
        bot.stop()


def _post(botapi: FakeBotAPI, url: str, update: dict[str, object]) -> int:
    import httpx

    try:
        return botapi.post_update(url, update)
    except httpx.TransportError:
        return 0
