"""Resident memory of the idle bot, and its time from start to first poll.

`lamplight run` in a fresh process, on a SQLite store holding the whole library (all of the
owner's notes from ../shared/seeds when present, else the sample notes under examples/),
against the local Bot API stand-in. One subscriber's daily digest is due at start, so the
start-up sweep reads the library, composes and sends; once that digest has arrived and the bot
has sat idle a few seconds, its VmRSS is read from /proc. The time to first poll runs from just
before the process starts to the stand-in receiving its first getUpdates.

Target: ≤ 200 MB resident. The baseline, measured in the same run, is a bare Python process
that imports python-telegram-bot and SQLAlchemy, the floor any such bot starts from.

    python bench/idle_memory.py [--settle 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # `python bench/idle_memory.py` from anywhere

from bot.config import Settings  # noqa: E402
from bot.devtools.botapi import FakeBotAPI, wait_for  # noqa: E402
from bot.store.chats import subscribe  # noqa: E402
from bot.store.db import open_store  # noqa: E402

TARGET_MB = 200.0
RUNS = 3
OWNER = 4242
SEEDS = REPO.parent / "shared" / "seeds"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
BASELINE = "import telegram, sqlalchemy; print(open('/proc/self/status').read())"


def status_mb(status: str, field: str) -> float:
    """A `VmRSS:   123456 kB` line of /proc/PID/status, in MB."""
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no {field} in /proc status")


def clean_environment(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in PROXY_VARIABLES}
    for name in Settings.model_fields:
        env.pop(name.upper(), None)
    return {**env, "LAMPLIGHT_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}


def library_files() -> list[str]:
    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    return seeds or [str(REPO / "examples")]


def prepare(data: Path, files: list[str]) -> dict[str, int]:
    """A store with the library imported and the owner subscribed, their digest due now."""
    env = clean_environment(data)
    done = subprocess.run(
        [sys.executable, "-m", "jobs", "import", "--json", *files],
        env={**env, "ADMIN_USER_IDS": str(OWNER)},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    store = open_store(Settings(lamplight_data_dir=data).store_url)
    with store.transaction() as session:
        defaults = {"timezone": "UTC", "digest_time": dt.time(0, 0), "digest_size": 5}
        subscribe(session, OWNER, defaults, dt.datetime.now(dt.UTC))
    store.dispose()
    return dict(json.loads(done.stdout)["added"])


def measure_bot(files: list[str], settle: float) -> tuple[float, float, float]:
    """Resident MB once idle, peak resident MB, and seconds from start to first poll."""
    with tempfile.TemporaryDirectory() as scratch, FakeBotAPI() as api:
        data = Path(scratch)
        prepare(data, files)
        api.add_chat(OWNER)
        env = {**clean_environment(data), "ADMIN_USER_IDS": str(OWNER), **api.environment()}
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "jobs", "run"],
            env=env,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            first = wait_for(lambda: api.calls("getUpdates"), 120, what="the first poll")[0]
            wait_for(lambda: api.sent_texts(OWNER), 120, what="the start-up digest")
            time.sleep(settle)
            status = Path(f"/proc/{process.pid}/status").read_text(encoding="utf-8")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(60)
    return status_mb(status, "VmRSS"), status_mb(status, "VmHWM"), first.at - started


def measure_baseline() -> float:
    done = subprocess.run(
        [sys.executable, "-c", BASELINE], capture_output=True, text=True, check=True
    )
    return status_mb(done.stdout, "VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=5.0, help="idle seconds before reading")
    args = parser.parse_args()
    if not Path("/proc/self/status").is_file():
        raise SystemExit("this benchmark reads /proc: run it on Linux")
    files = library_files()
    with tempfile.TemporaryDirectory() as scratch:
        added = prepare(Path(scratch), files)
    runs = [measure_bot(files, args.settle) for _ in range(RUNS)]
    rss = statistics.median(r[0] for r in runs)
    peak = statistics.median(r[1] for r in runs)
    first_poll = statistics.median(r[2] for r in runs)
    base = statistics.median(measure_baseline() for _ in range(RUNS))
    source = "the owner's notes (../shared/seeds)" if SEEDS.is_dir() else "examples/"
    verdict = "met" if rss <= TARGET_MB else "MISSED"
    print(f"library: {sum(added.values())} items from {source} {added}")
    print(f"idle bot, resident memory (VmRSS): {rss:.0f} MB; peak (VmHWM): {peak:.0f} MB")
    print(f"  (median of {RUNS} runs; read after the start-up digest and {args.settle:g} s idle)")
    print(f"time from start to first getUpdates: {first_poll:.2f} s")
    print(f"baseline, python importing telegram and sqlalchemy: {base:.0f} MB ({rss / base:.1f}x)")
    print(f"target <= {TARGET_MB:.0f} MB: {verdict} ({rss / TARGET_MB:.2f} of the target)")


if __name__ == "__main__":
    main()
