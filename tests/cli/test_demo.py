"""`lamplight demo`: the real bot in a terminal, scripted here through standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = "/start\n/digest\n✅ Read 1\nskip 2\n👎 Less 3\n/settings\n"


def test_a_scripted_demo_subscribes_sends_a_digest_and_takes_answers(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LAMPLIGHT_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "jobs", "demo"],
        input=SCRIPT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "You are subscribed" in out
    assert "Your reading for" in out
    assert "[✅ Read 1] [⏭ Later 1] [👎 Less 1]" in out
    assert "(buttons) [● ✅ Read 1]" in out  # pressing a label presses the button
    assert "(Marked read ✅)" in out
    assert "[● ⏭ Later 2]" in out and "Noted — later: 2." in out
    assert "[● 👎 Less 3]" in out and "(Less like this 👎 — fewer such items from now on)" in out
    assert "Daily digest at 08:00 (UTC), 5 items" in out
    assert "Traceback" not in out + done.stderr
    assert not list(tmp_path.glob("*.sqlite3")), "the demo keeps its store to itself"
