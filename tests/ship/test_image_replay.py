"""The image, replayed without Docker: the wheel installed into a fresh virtualenv as the
Dockerfile installs it, run from an empty working directory with the image's environment, and
the very commands the Dockerfile names — its HEALTHCHECK, its ENTRYPOINT + CMD — plus a
scripted `lamplight demo`."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.config import Settings
from bot.store.db import SCHEMA_HEAD
from tests.ship import image
from tests.support.botapi import FakeBotAPI, wait_for
from tests.support.chat import Chat
from tests.support.wheel import installed_wheel

FRIEND = 200
WAIT = 60.0  # seconds; a fresh interpreter on two busy cores, and only ever a bound


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return installed_wheel(tmp_path_factory)


class Container:
    """What `docker run` would give: the image's environment, /data, an empty WORKDIR."""

    def __init__(self, installed: Path, root: Path, **env: str) -> None:
        self.data = root / "data"  # the /data volume
        self.workdir = root / "workdir"
        self.workdir.mkdir(parents=True)
        self.log = root / "lamplight.log"
        self.env = {
            **image.environment(),
            "PATH": f"{installed}{os.pathsep}{os.environ['PATH']}",  # the wheel's `lamplight`
            "HOME": str(root),
            "LAMPLIGHT_DATA_DIR": str(self.data),
            # The image builds the repair model into its cache dir (a RUN step); the replay
            # uses the one this machine built, rather than building another.
            "LAMPLIGHT_CACHE_DIR": str(Settings().lamplight_cache_dir),
            **env,
        }

    def run(self, argv: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            input=stdin,
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=WAIT * 3,
        )

    def start(self, argv: list[str]) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as sink:
            return subprocess.Popen(
                argv,
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def healthy(self) -> bool:
        return self.run(image.healthcheck()).returncode == 0


@pytest.fixture
def container(installed: Path, botapi: FakeBotAPI, tmp_path: Path) -> Container:
    return Container(installed, tmp_path, ALLOWED_USER_IDS=str(FRIEND), **botapi.environment())


@pytest.fixture
def started(container: Container) -> Iterator[subprocess.Popen[bytes]]:
    process = container.start(image.command())
    yield process
    if process.poll() is None:
        process.kill()  # by its own pid
        process.wait(10)


def test_health_fails_with_one_clear_line_before_any_bot_has_run(container: Container) -> None:
    done = container.run(image.healthcheck())
    assert done.returncode == 1
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert "heartbeat" in lines[0] and "lamplight run" in lines[0]


def test_the_container_command_migrates_polls_is_healthy_and_stops_cleanly_on_sigterm(
    container: Container, botapi: FakeBotAPI, started: subprocess.Popen[bytes]
) -> None:
    try:
        wait_for(container.healthy, WAIT, interval=0.5, what="`lamplight health` to pass")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{container.output()[-4000:]}") from None
    friend = Chat(botapi, FRIEND)
    friend.send("/start")
    assert "subscribed" in (friend.reply(timeout=WAIT).visible_text or "")

    started.send_signal(signal.SIGTERM)
    assert started.wait(WAIT) == 0, container.output()[-4000:]

    output = container.output()
    assert "Traceback" not in output
    assert botapi.token.split(":")[1] not in output, "the token stays out of the log"
    engine = create_engine(f"sqlite:///{container.data / 'lamplight.sqlite3'}")
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert version == SCHEMA_HEAD, "the schema was brought up to date at start"
    assert not list(container.workdir.iterdir()), "nothing is written outside /data"


def test_a_scripted_demo_shows_a_digest_and_takes_an_answer(container: Container) -> None:
    script = "/start\n/digest\n✅ Read 1\nread 2\n/quit\n"
    done = container.run(["lamplight", "demo"], stdin=script)
    assert done.returncode == 0, done.stderr
    assert "Your reading for" in done.stdout
    assert "[✅ Read 1] [⏭ Later 1] [👎 Less 1]" in done.stdout
    assert "(Marked read ✅)" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
