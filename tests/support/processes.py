"""`lamplight run` as a real child process, for tests that stop or kill it.

Its output goes to a log file (a pipe nobody reads fills up and freezes a chatty process),
read back with :meth:`BotProcess.output` when a test needs it or fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from tests.support.botapi import FakeBotAPI

REPO = Path(__file__).resolve().parents[2]


class BotProcess:
    """One `python -m jobs run` against a fake Bot API, with its data dir and log file."""

    def __init__(
        self,
        botapi: FakeBotAPI,
        data: Path,
        log: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.log = log
        environment = {
            "PATH": os.environ["PATH"],
            "HOME": str(data),
            "LAMPLIGHT_DATA_DIR": str(data),
            "LOG_LEVEL": "DEBUG",
            "PYTHONUNBUFFERED": "1",
            "ENRICH": "off",  # no test reaches arXiv; a test enriching names its fake instead
            **botapi.environment(),
            **(env or {}),
        }
        with log.open("ab") as sink:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "jobs", "run"],
                env=environment,
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def wait_for_file(self, path: Path, timeout: float = 30.0) -> None:
        """Wait until the process writes ``path`` (a pause marker); fail early if it exits."""
        deadline = time.monotonic() + timeout
        while not path.exists():
            if not self.alive():
                raise AssertionError(
                    f"the bot exited ({self.popen.returncode}) before writing {path.name}:\n"
                    + self.output()[-4000:]
                )
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {path.name}:\n" + self.output()[-4000:]
                )
            time.sleep(0.02)

    def sigkill(self, timeout: float = 10.0) -> None:
        """SIGKILL, as a power cut or the OOM killer would: no cleanup of any kind runs."""
        os.kill(self.pid, signal.SIGKILL)
        assert self.popen.wait(timeout) == -signal.SIGKILL

    def stop(self, timeout: float = 30.0) -> None:
        """End it if it is still running: SIGTERM, then SIGKILL if it does not stop in time."""
        if not self.alive():
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(10)


class BotProcesses:
    """Starts bot processes that share one data dir and log, and ends any left running."""

    def __init__(self, botapi: FakeBotAPI, data: Path, env: Mapping[str, str]) -> None:
        self.botapi = botapi
        self.data = data
        self.env = dict(env)
        self.log = data / "bot.log"
        self.started: list[BotProcess] = []

    def start(self, **extra: str) -> BotProcess:
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n===== start #{len(self.started) + 1} {sorted(extra)} =====\n")
        process = BotProcess(self.botapi, self.data, self.log, {**self.env, **extra})
        self.started.append(process)
        return process

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def close(self) -> None:
        for process in self.started:
            if process.alive():
                process.popen.kill()  # by its own pid, never by name
                process.popen.wait(10)
